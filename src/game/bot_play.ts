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
import { PlayType, rate, winningIndex } from "./play_types.ts";
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
 * Whether no unseen piece set (the opponents' hands, taken together) could form a stronger play of a combo's
 * type. Each type's best is computed at most once per decision.
 */
function safety(view: BotView): (combo: Combo) => boolean {
  const pool = unseenMask(view);
  const best = BEST_BY_SLOT;
  for (let slot = 0; slot < best.length; slot++) best[slot] = UNKNOWN;
  return (combo) => {
    const slot = TYPE_SLOT[combo.type];
    let value = best[slot] ?? UNKNOWN;
    if (value === UNKNOWN) best[slot] = value = bestInPool(pool, combo.type);
    return value <= combo.strength;
  };
}

// safety()'s cache of each type's best in the pool, for the one decision being made (a decision makes at most
// one safety check function and uses it before returning, so one table serves every decision). A typed array of
// fixed size: writing past the end of an empty array grew it on every decision.
const UNKNOWN = -2;
const BEST_BY_SLOT = new Int16Array(10);

/** The first item with the smallest key (ties keep the earlier item, as the bot always has). */
function minBy<T>(items: readonly T[], key: (item: T) => number): T | undefined {
  let best: T | undefined;
  let bestKey = Infinity;
  for (const item of items) {
    const k = key(item);
    if (k < bestKey) {
      best = item;
      bestKey = k;
    }
  }
  return best;
}

/** The piles still wanted (negative when over), and whether every remaining pile is needed. */
function needs(view: BotView): { need: number; urgent: boolean } {
  const me = view.seat === null ? undefined : view.players[view.seat];
  const need = (me?.declared ?? 0) - (me?.captured_piles ?? 0);
  const remaining = view.hand?.length ?? 0;
  return { need, urgent: need > 0 && need >= remaining };
}

/**
 * Leading a turn. Wanting piles: lead the biggest safe combo that does not overshoot, else sometimes the
 * strongest opener, else shed the weakest single (losing the lead cheaply). At or over target: lead the weakest
 * single, the lead least likely to win.
 */
function lead(view: BotView, rng: Rng): number {
  const hand = view.hand ?? [];
  const { need, urgent } = needs(view);
  // The first piece with the fewest points, as a mask (none for an empty hand).
  let weakestAt = -1;
  for (let i = 0; i < hand.length; i++) {
    if (weakestAt < 0 || pointsAt(hand, i) < pointsAt(hand, weakestAt)) weakestAt = i;
  }
  const weakest = weakestAt < 0 ? 0 : 1 << weakestAt;
  // At or over target only the weakest single matters, so the combos are listed only when piles are wanted.
  if (need <= 0) return weakest;
  // One pass over the combos in subset order; each pick is the first with the smallest key, as minBy gives.
  const safe = safety(view);
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
    if (safeKey < bestSafeKey && safe(c)) {
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
  const { need, urgent } = needs(view);
  const wanted = need > 0 && (urgent || required <= need);
  if (required === 1 && plays.length > 0) {
    // Every play of a singles turn is a SINGLE, so the play to beat is simply the most points on the table.
    let best = -1;
    for (const p of plays) best = Math.max(best, p.pieces[0]?.points ?? -1);
    return respondSingle(view, best, need, wanted, playersAfter);
  }
  const rated = plays.map((p) => rate(p.pieces));
  const current = rated[winningIndex(rated)];
  // Only a valid play of the lead's type and size can win, so winners come from the hand's combos of that size;
  // every other way to play `required` pieces loses.
  const winners: Combo[] = [];
  if (current !== undefined) {
    // Scratch combos: `winners` holds some of them, and nothing lists combos again before this answer is chosen.
    const count = scratchCombos(hand, required);
    for (let i = 0; i < count; i++) {
      const c = scratchCombo(i);
      if (c.type === current.type && c.strength > current.strength) winners.push(c);
    }
  }
  if (wanted && winners.length > 0) {
    const safe = safety(view);
    const pick = minBy(winners.filter((c) => playersAfter === 0 || safe(c)), (c) => c.points) ??
      minBy(winners, (c) => -c.strength);
    if (pick) return pick.mask;
  }
  // The loser to give up: the first, in subset order, with the fewest points (the most when over target).
  const sign = need <= 0 ? -1 : 1;
  let loser = -1;
  let loserKey = Infinity;
  const isWinner = (mask: number) => {
    for (const w of winners) if (w.mask === mask) return true;
    return false;
  };
  for (const mask of subsetMasks(hand.length, required)) {
    if (winners.length > 0 && isWinner(mask)) continue;
    const key = sign * sumPoints(hand, mask);
    if (key < loserKey) {
      loser = mask;
      loserKey = key;
    }
  }
  if (loser >= 0) return loser;
  const strongest = minBy(winners, (c) => c.strength);
  return strongest ? strongest.mask : firstPositions(Math.min(required, hand.length));
}

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
