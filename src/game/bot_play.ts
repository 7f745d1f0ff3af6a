// The "normal" bot's plays: lead needed safe winners, dodge unwanted piles, shed wisely. Pure: no I/O.

import { bestInPool, unseenMask } from "./bot_knowledge.ts";
import { OPENER_POINTS } from "./bot_declare.ts";
import {
  type Combo,
  idMask,
  idsOf,
  lowestBit,
  popcount,
  scratchCombo,
  scratchCombos,
  subsetMasks,
} from "./hand_masks.ts";
import { type Piece, PIECE_BY_ID } from "./pieces.ts";
import { beats, classify, PlayType, type RatedPlay, strength } from "./play_types.ts";
import { random, type Rng } from "./prng.ts";
import type { BotView } from "./bot_view.ts";

/** A slot per play type, so a decision caches each type's best in an array rather than a Map. */
const TYPE_SLOT: Readonly<Record<PlayType, number>> = {
  SINGLE: 0,
  PAIR: 1,
  THREE_OF_A_KIND: 2,
  STRAIGHT: 3,
  FOUR_OF_A_KIND: 4,
  EXTENDED_STRAIGHT: 5,
  EXTENDED_STRAIGHT_5: 6,
  FIVE_OF_A_KIND: 7,
  DOUBLE_STRAIGHT: 8,
  INVALID: 9,
};

/**
 * Starts the safety checks of one decision: `isSafe` then answers from `view`'s unseen pool (`hand`: the ids of
 * the view's hand). A decision calls this before its first `isSafe` and finishes with them before returning, so
 * one pool and one cache serve every decision (a closure over them per decision was an allocation each).
 */
function beginSafety(view: BotView, hand: number): void {
  safetyPool = unseenMask(view, hand);
  for (let slot = 0; slot < BEST_BY_SLOT.length; slot++) BEST_BY_SLOT[slot] = UNKNOWN;
}

/**
 * Whether no unseen piece set (the opponents' hands, taken together) could form a stronger play of a combo's
 * type. Each type's best is computed at most once per decision.
 */
function isSafe(combo: Combo): boolean {
  const slot = TYPE_SLOT[combo.type];
  let value = BEST_BY_SLOT[slot] ?? UNKNOWN;
  if (value === UNKNOWN) BEST_BY_SLOT[slot] = value = bestInPool(safetyPool, combo.type);
  return value <= combo.strength;
}

// The pool of the decision being made and its cache of each type's best in it (see beginSafety). A typed array
// of fixed size: writing past the end of an empty array grew it on every decision.
let safetyPool = 0;
const UNKNOWN = -2;
const BEST_BY_SLOT = new Int16Array(10);

/** The piles still wanted (negative when over). */
function needOf(view: BotView): number {
  const me = view.seat === null ? undefined : view.players[view.seat];
  return (me?.declared ?? 0) - (me?.captured_piles ?? 0);
}

/** Whether every remaining pile is needed (`size`: the pieces left in the hand). */
function isUrgent(need: number, size: number): boolean {
  return need > 0 && need >= size;
}

/**
 * Leading a turn with the hand whose ids `hand` names. Wanting piles: lead the biggest safe combo that does not
 * overshoot, else sometimes the strongest opener, else shed the weakest single (losing the lead cheaply). At or
 * over target: lead the weakest single, the lead least likely to win. Returns the ids to play as a mask.
 */
function lead(view: BotView, hand: number, rng: Rng): number {
  const size = popcount(hand);
  const need = needOf(view);
  const urgent = isUrgent(need, size);
  // The first piece (lowest id, as hands are sorted by id) with the fewest points, as a mask (none for an empty
  // hand).
  let weakest = 0;
  let weakestPoints = Infinity;
  for (let m = hand; m !== 0; m &= m - 1) {
    const points = pointsOf(lowestBit(m));
    if (points < weakestPoints) {
      weakest = m & -m;
      weakestPoints = points;
    }
  }
  // At or over target only the weakest single matters, so the combos are listed only when piles are wanted.
  if (need <= 0) return weakest;
  // One pass over the combos in subset order; each pick is the first with the smallest key.
  beginSafety(view, hand);
  let bestSafe: Combo | undefined;
  let bestSafeKey = Infinity;
  let biggest: Combo | undefined;
  let biggestKey = Infinity;
  let strongest: Combo | undefined;
  let strongestKey = Infinity;
  // Scratch combos: only the mask of the one picked outlives this loop.
  const count = scratchCombos(hand);
  for (let i = 0; i < count; i++) {
    const c = scratchCombo(i);
    if (c.size === 1 && -c.points < strongestKey) {
      strongest = c;
      strongestKey = -c.points;
    }
    if (!urgent && c.size > need) continue;
    const bigKey = -c.size * 100 - c.strength;
    if (bigKey < biggestKey) {
      biggest = c;
      biggestKey = bigKey;
    }
    const safeKey = -c.size * 100 + c.points;
    if (safeKey < bestSafeKey && isSafe(c)) {
      bestSafe = c;
      bestSafeKey = safeKey;
    }
  }
  if (bestSafe) return bestSafe.mask;
  if (urgent) return biggest ? biggest.mask : weakest;
  // The reference leads an unsafe opener 35–50% of the time, more often with fewer pieces left.
  const chance = size > 6 ? 0.35 : size > 3 ? 0.4 : 0.5;
  if (strongest && strongest.points >= OPENER_POINTS && random(rng) < chance) {
    return strongest.mask;
  }
  return weakest;
}

/**
 * Answering a lead with exactly the required count. Wanting these piles: the cheapest safe winner, else the
 * strongest winner, else discard the lowest pieces. Not wanting them: never win if avoidable; at or over target
 * dump the highest pieces (they could win unwanted turns later), otherwise the lowest.
 */
function respond(view: BotView, hand: number): number {
  const pieces = view.hand ?? [];
  const turn = view.turn;
  const required = turn?.required_piece_count ?? 1;
  const plays = turn?.plays ?? [];
  const playersAfter = 3 - plays.length;
  const need = needOf(view);
  const urgent = isUrgent(need, pieces.length);
  const wanted = need > 0 && (urgent || required <= need);
  if (required === 1 && plays.length > 0) {
    // Every play of a singles turn is a SINGLE, so the play to beat is simply the most points on the table.
    let best = -1;
    for (let i = 0; i < plays.length; i++) best = Math.max(best, plays[i]?.pieces[0]?.points ?? -1);
    return respondSingle(view, hand, best, need, wanted, playersAfter);
  }
  // The play to beat, rated into CURRENT without a rating per play (rate() and map() were garbage per answer).
  const current = rateWinner(plays);
  // Only a valid play of the lead's type and size can win, so winners come from the hand's combos of that size;
  // every other way to play `required` pieces loses.
  const winners = WINNERS;
  let winnerCount = 0;
  if (current) {
    // Scratch combos: `WINNERS` holds some of them, and nothing lists combos again before this answer is chosen.
    const count = scratchCombos(hand, required);
    for (let i = 0; i < count; i++) {
      const c = scratchCombo(i);
      if (c.type === CURRENT.type && c.strength > CURRENT.strength) winners[winnerCount++] = c;
    }
  }
  if (wanted && winnerCount > 0) {
    // The cheapest safe winner (any winner is safe for the last to play), else the strongest; ties keep the
    // earlier combo in subset order.
    if (playersAfter > 0) beginSafety(view, hand);
    let pick: Combo | undefined;
    let pickKey = Infinity;
    for (let i = 0; i < winnerCount; i++) {
      const c = winners[i] as Combo;
      if (c.points < pickKey && (playersAfter === 0 || isSafe(c))) {
        pick = c;
        pickKey = c.points;
      }
    }
    if (pick) return pick.mask;
    return strongestOf(winners, winnerCount).mask;
  }
  // The loser to give up: the first, in subset order, with the fewest points (the most when over target). The
  // subsets come as masks of hand positions, in the same order as over ids (hands are sorted by id), and each is
  // turned into its ids while its points are summed.
  const sign = need <= 0 ? -1 : 1;
  let loser = 0;
  let loserKey = Infinity;
  const masks = subsetMasks(pieces.length, required);
  for (let m = 0; m < masks.length; m++) {
    let ids = 0;
    let points = 0;
    for (let at = masks[m] as number; at !== 0; at &= at - 1) {
      const piece = pieces[lowestBit(at)] as Piece;
      ids |= 1 << piece.id;
      points += piece.points;
    }
    if (isWinnerMask(winners, winnerCount, ids)) continue;
    if (sign * points < loserKey) {
      loser = ids;
      loserKey = sign * points;
    }
  }
  // Any loser found has a finite key (an id mask may be negative, so the key says whether one was found).
  if (loserKey !== Infinity) return loser;
  return winnerCount > 0 ? weakestOf(winners, winnerCount).mask : firstIds(hand, required);
}

// respond()'s winners of the answer being chosen: scratch combos, in subset order, only its first entries read.
const WINNERS: Combo[] = [];

/** Whether `mask` is one of the first `count` winners. */
function isWinnerMask(winners: readonly Combo[], count: number, mask: number): boolean {
  for (let i = 0; i < count; i++) if ((winners[i] as Combo).mask === mask) return true;
  return false;
}

/** The first of the first `count` (at least one) combos with the highest strength. */
function strongestOf(combos: readonly Combo[], count: number): Combo {
  let best = combos[0] as Combo;
  for (let i = 1; i < count; i++) {
    if ((combos[i] as Combo).strength > best.strength) best = combos[i] as Combo;
  }
  return best;
}

/** The first of the first `count` (at least one) combos with the lowest strength. */
function weakestOf(combos: readonly Combo[], count: number): Combo {
  let best = combos[0] as Combo;
  for (let i = 1; i < count; i++) {
    if ((combos[i] as Combo).strength < best.strength) best = combos[i] as Combo;
  }
  return best;
}

/**
 * Rates the winning play on the table into CURRENT, as `winningIndex` over `rate` of every play picks it: the
 * first play, replaced only by one that `beats` it. False when nobody has played.
 */
function rateWinner(plays: readonly { readonly pieces: readonly Piece[] }[]): boolean {
  const first = plays[0];
  if (!first) return false;
  CURRENT.type = classify(first.pieces);
  CURRENT.strength = strength(first.pieces, CURRENT.type);
  for (let i = 1; i < plays.length; i++) {
    const pieces = (plays[i] as { readonly pieces: readonly Piece[] }).pieces;
    CHALLENGER.type = classify(pieces);
    CHALLENGER.strength = strength(pieces, CHALLENGER.type);
    if (!beats(CHALLENGER, CURRENT)) continue;
    CURRENT.type = CHALLENGER.type;
    CURRENT.strength = CHALLENGER.strength;
  }
  return true;
}

// rateWinner's two ratings; each answer sets them before reading them and nothing keeps them.
const CURRENT: RatedPlay = { type: PlayType.INVALID, strength: 0 };
const CHALLENGER: RatedPlay = { type: PlayType.INVALID, strength: 0 };

function pointsAt(hand: readonly Piece[], i: number): number {
  return (hand[i] as Piece).points;
}

function pointsOf(id: number): number {
  return (PIECE_BY_ID[id] as Piece).points;
}

/**
 * `respond` for a turn of singles, the most common answer, without listing combos: the same choices, made on
 * hand indexes (every piece is a single, and a single wins by points alone).
 */
function respondSingle(
  view: BotView,
  handIds: number,
  best: number,
  need: number,
  wanted: boolean,
  playersAfter: number,
): number {
  const hand = view.hand ?? [];
  let cheapestSafe = -1;
  let strongest = -1;
  let weakestWinner = -1;
  let loser = -1;
  let unseenBest: number | null = null;
  for (let i = 0; i < hand.length; i++) {
    const points = pointsAt(hand, i);
    if (points > best) {
      if (strongest < 0 || points > pointsAt(hand, strongest)) strongest = i;
      if (weakestWinner < 0 || points < pointsAt(hand, weakestWinner)) weakestWinner = i;
      if (wanted && playersAfter > 0) unseenBest ??= bestInPool(unseenMask(view, handIds), PlayType.SINGLE);
      const safe = playersAfter === 0 || (unseenBest ?? -1) <= points;
      if (safe && (cheapestSafe < 0 || points < pointsAt(hand, cheapestSafe))) cheapestSafe = i;
    } else if (loser < 0 || (need <= 0 ? points > pointsAt(hand, loser) : points < pointsAt(hand, loser))) {
      loser = i;
    }
  }
  const pick = wanted && strongest >= 0
    ? (cheapestSafe >= 0 ? cheapestSafe : strongest)
    : loser >= 0
    ? loser
    : weakestWinner;
  return pick >= 0 ? 1 << (hand[pick] as Piece).id : firstIds(handIds, 1);
}

/** The normal bot's play for the seat its view belongs to. */
export function choosePlay(view: BotView, rng: Rng): number[] {
  // The plays are chosen as masks of ids and turned into ids once, here, in id order (which is hand order).
  const hand = idMask(view.hand ?? []);
  return idsOf(view.turn?.required_piece_count == null ? lead(view, hand, rng) : respond(view, hand));
}

/** A mask of the first `count` ids of `hand` (all of them if it has fewer). */
function firstIds(hand: number, count: number): number {
  let mask = 0;
  let m = hand;
  for (let n = 0; n < count && m !== 0; n++, m &= m - 1) mask |= m & -m;
  return mask;
}
