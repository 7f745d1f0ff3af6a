// The "normal" bot's plays: lead needed safe winners, dodge unwanted piles, shed wisely. Pure: no I/O.

import { bestInPool, unseenMask } from "./bot_knowledge.ts";
import { OPENER_POINTS } from "./bot_declare.ts";
import {
  type Combo,
  lowestBit,
  popcount,
  scratchCombo,
  scratchCombos,
  subsetMasks,
  sumPoints,
} from "./hand_masks.ts";
import type { Piece } from "./pieces.ts";
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
 * Starts the safety checks of one decision: `isSafe` then answers from `view`'s unseen pool. A decision calls
 * this before its first `isSafe` and finishes with them before returning, so one pool and one cache serve every
 * decision (a closure over them per decision was an allocation each).
 */
function beginSafety(view: BotView): void {
  safetyPool = unseenMask(view);
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

/** Whether every remaining pile is needed. */
function isUrgent(view: BotView, need: number): boolean {
  return need > 0 && need >= (view.hand?.length ?? 0);
}

/**
 * Leading a turn. Wanting piles: lead the biggest safe combo that does not overshoot, else sometimes the
 * strongest opener, else shed the weakest single (losing the lead cheaply). At or over target: lead the weakest
 * single, the lead least likely to win.
 */
function lead(view: BotView, rng: Rng): number {
  const hand = view.hand ?? [];
  const need = needOf(view);
  const urgent = isUrgent(view, need);
  // The first piece with the fewest points, as a mask (none for an empty hand).
  let weakestAt = -1;
  for (let i = 0; i < hand.length; i++) {
    if (weakestAt < 0 || pointsAt(hand, i) < pointsAt(hand, weakestAt)) weakestAt = i;
  }
  const weakest = weakestAt < 0 ? 0 : 1 << weakestAt;
  // At or over target only the weakest single matters, so the combos are listed only when piles are wanted.
  if (need <= 0) return weakest;
  // One pass over the combos in subset order; each pick is the first with the smallest key.
  beginSafety(view);
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
  const chance = hand.length > 6 ? 0.35 : hand.length > 3 ? 0.4 : 0.5;
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
function respond(view: BotView): number {
  const hand = view.hand ?? [];
  const turn = view.turn;
  const required = turn?.required_piece_count ?? 1;
  const plays = turn?.plays ?? [];
  const playersAfter = 3 - plays.length;
  const need = needOf(view);
  const urgent = isUrgent(view, need);
  const wanted = need > 0 && (urgent || required <= need);
  if (required === 1 && plays.length > 0) {
    // Every play of a singles turn is a SINGLE, so the play to beat is simply the most points on the table.
    let best = -1;
    for (let i = 0; i < plays.length; i++) best = Math.max(best, plays[i]?.pieces[0]?.points ?? -1);
    return respondSingle(view, best, need, wanted, playersAfter);
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
    if (playersAfter > 0) beginSafety(view);
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
  // The loser to give up: the first, in subset order, with the fewest points (the most when over target).
  const sign = need <= 0 ? -1 : 1;
  let loser = -1;
  let loserKey = Infinity;
  const masks = subsetMasks(hand.length, required);
  for (let m = 0; m < masks.length; m++) {
    const mask = masks[m] as number;
    if (isWinnerMask(winners, winnerCount, mask)) continue;
    const key = sign * sumPoints(hand, mask);
    if (key < loserKey) {
      loser = mask;
      loserKey = key;
    }
  }
  if (loser >= 0) return loser;
  return winnerCount > 0
    ? weakestOf(winners, winnerCount).mask
    : firstPositions(Math.min(required, hand.length));
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

/**
 * `respond` for a turn of singles, the most common answer, without listing combos: the same choices, made on
 * hand indexes (every piece is a single, and a single wins by points alone).
 */
function respondSingle(
  view: BotView,
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
      if (wanted && playersAfter > 0) unseenBest ??= bestInPool(unseenMask(view), PlayType.SINGLE);
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
  return pick >= 0 ? 1 << pick : firstPositions(Math.min(1, hand.length));
}

/** The normal bot's play for the seat its view belongs to. */
export function choosePlay(view: BotView, rng: Rng): number[] {
  const mask = view.turn?.required_piece_count == null ? lead(view, rng) : respond(view);
  return idsAt(view.hand ?? [], mask);
}

/** A mask of the first `count` hand positions. */
function firstPositions(count: number): number {
  return (1 << count) - 1;
}

/**
 * The ids of the pieces at the positions of `mask`, in hand order. The plays are chosen as masks of hand
 * positions and turned into ids once, here: building the pieces first and then their ids was an extra array
 * per play.
 */
function idsAt(hand: readonly Piece[], mask: number): number[] {
  const ids = new Array<number>(popcount(mask));
  let n = 0;
  for (let m = mask; m !== 0; m &= m - 1) ids[n++] = (hand[lowestBit(m)] as Piece).id;
  return ids;
}
