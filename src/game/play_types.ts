// Play types: classifying a set of pieces, its strength, and who wins a turn. Pure: no I/O.

import type { Piece, PieceKind } from "./pieces.ts";

export const PlayType = {
  SINGLE: "SINGLE",
  PAIR: "PAIR",
  THREE_OF_A_KIND: "THREE_OF_A_KIND",
  STRAIGHT: "STRAIGHT",
  FOUR_OF_A_KIND: "FOUR_OF_A_KIND",
  EXTENDED_STRAIGHT: "EXTENDED_STRAIGHT",
  EXTENDED_STRAIGHT_5: "EXTENDED_STRAIGHT_5",
  FIVE_OF_A_KIND: "FIVE_OF_A_KIND",
  DOUBLE_STRAIGHT: "DOUBLE_STRAIGHT",
  INVALID: "INVALID",
} as const;
export type PlayType = typeof PlayType[keyof typeof PlayType];

/** The largest play a turn starter may lead. */
export const MAX_PLAY_SIZE = 6;

const HIGH_GROUP: readonly PieceKind[] = ["GENERAL", "ADVISOR", "ELEPHANT"];
const LOW_GROUP: readonly PieceKind[] = ["CHARIOT", "HORSE", "CANNON"];

/** Counts of each name of `group` in `pieces`, or null if some piece is outside the group. */
function groupCounts(pieces: readonly Piece[], group: readonly PieceKind[]): number[] | null {
  const counts = [0, 0, 0];
  for (const p of pieces) {
    const i = group.indexOf(p.kind);
    if (i < 0) return null;
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts;
}

/** True when `counts` is a permutation of `expected` (an empty or missing count list never matches). */
function sameCounts(counts: readonly number[] | null, expected: readonly number[]): boolean {
  if (!counts || counts.length !== expected.length) return false;
  const a = counts.slice().sort((x, y) => x - y);
  const b = expected.slice().sort((x, y) => x - y);
  return a.every((n, i) => n === b[i]);
}

/** Counts for a straight-like play: from the high group, else the low group, else null. */
function straightCounts(pieces: readonly Piece[]): number[] | null {
  const first = pieces[0];
  if (!first) return null;
  return groupCounts(pieces, HIGH_GROUP.includes(first.kind) ? HIGH_GROUP : LOW_GROUP);
}

/** Classifies 1–6 pieces; anything else (including 0 or 7+ pieces) is INVALID. */
export function classify(pieces: readonly Piece[]): PlayType {
  const first = pieces[0];
  if (!first || pieces.length > MAX_PLAY_SIZE) return PlayType.INVALID;
  if (pieces.length === 1) return PlayType.SINGLE;
  // Every multi-piece type is single-coloured.
  if (pieces.some((p) => p.color !== first.color)) return PlayType.INVALID;
  const soldiers = pieces.every((p) => p.kind === "SOLDIER");
  switch (pieces.length) {
    case 2:
      // Same name and colour; GENERAL cannot pair because there is one per colour.
      return pieces[1]?.kind === first.kind ? PlayType.PAIR : PlayType.INVALID;
    case 3:
      if (soldiers) return PlayType.THREE_OF_A_KIND;
      return sameCounts(straightCounts(pieces), [1, 1, 1]) ? PlayType.STRAIGHT : PlayType.INVALID;
    case 4:
      if (soldiers) return PlayType.FOUR_OF_A_KIND;
      return sameCounts(straightCounts(pieces), [2, 1, 1]) ? PlayType.EXTENDED_STRAIGHT : PlayType.INVALID;
    case 5:
      if (soldiers) return PlayType.FIVE_OF_A_KIND;
      return sameCounts(straightCounts(pieces), [2, 2, 1]) ? PlayType.EXTENDED_STRAIGHT_5 : PlayType.INVALID;
    default: {
      const counts = groupCounts(pieces, LOW_GROUP);
      return sameCounts(counts, [2, 2, 2]) ? PlayType.DOUBLE_STRAIGHT : PlayType.INVALID;
    }
  }
}

/**
 * The number compared between two plays of the same type: the point total, except that extended straights
 * count one piece of each name (their "core sum"), so a duplicate adds nothing.
 */
export function strength(pieces: readonly Piece[], type: PlayType = classify(pieces)): number {
  let sum = 0;
  if (type === PlayType.EXTENDED_STRAIGHT || type === PlayType.EXTENDED_STRAIGHT_5) {
    const seen = new Set<PieceKind>();
    for (const p of pieces) {
      if (!seen.has(p.kind)) sum += p.points;
      seen.add(p.kind);
    }
    return sum;
  }
  for (const p of pieces) sum += p.points;
  return sum;
}

/** A classified play, ready to compare. */
export interface RatedPlay {
  type: PlayType;
  strength: number;
}

/** Rates a play once, so turn resolution and bots do not reclassify. */
export function rate(pieces: readonly Piece[]): RatedPlay {
  const type = classify(pieces);
  return { type, strength: strength(pieces, type) };
}

/**
 * True when `challenger` takes the turn from `best`: same type and strictly stronger. Different types never
 * compare (an INVALID forfeit, or a different valid type, never wins), and ties stay with the earlier play.
 */
export function beats(challenger: RatedPlay, best: RatedPlay): boolean {
  return challenger.type === best.type && challenger.type !== PlayType.INVALID &&
    challenger.strength > best.strength;
}

/** Index (in turn order) of the winning play: the first play, replaced only by a strictly stronger same type. */
export function winningIndex(plays: readonly RatedPlay[]): number {
  let best = 0;
  for (let i = 1; i < plays.length; i++) {
    const current = plays[best];
    const challenger = plays[i];
    if (current && challenger && beats(challenger, current)) best = i;
  }
  return best;
}
