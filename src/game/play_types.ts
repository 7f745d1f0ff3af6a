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

// Kind index in the straight groups: GENERAL ADVISOR ELEPHANT are 0-2 (high), CHARIOT HORSE CANNON 3-5 (low),
// SOLDIER 6. Classifying counts pieces per index in three variables: apply() and the bots classify on every
// play, so this avoids building and sorting count arrays.
const KIND_INDEX: Readonly<Record<PieceKind, number>> = {
  GENERAL: 0,
  ADVISOR: 1,
  ELEPHANT: 2,
  CHARIOT: 3,
  HORSE: 4,
  CANNON: 5,
  SOLDIER: 6,
};

/**
 * Whether `pieces` are all of one straight group (that of the first piece) with between `least` and `most` of
 * each of its three names. The high group is GENERAL ADVISOR ELEPHANT; anything else picks the low group.
 */
function groupFits(pieces: readonly Piece[], low: boolean, least: number, most: number): boolean {
  const base = low ? 3 : 0;
  let a = 0, b = 0, c = 0;
  for (const p of pieces) {
    const i = KIND_INDEX[p.kind] - base;
    if (i === 0) a++;
    else if (i === 1) b++;
    else if (i === 2) c++;
    else return false;
  }
  return a >= least && b >= least && c >= least && a <= most && b <= most && c <= most;
}

/** Classifies 1–6 pieces; anything else (including 0 or 7+ pieces) is INVALID. */
export function classify(pieces: readonly Piece[]): PlayType {
  const first = pieces[0];
  if (!first || pieces.length > MAX_PLAY_SIZE) return PlayType.INVALID;
  if (pieces.length === 1) return PlayType.SINGLE;
  // Every multi-piece type is single-coloured.
  let soldiers = true;
  for (const p of pieces) {
    if (p.color !== first.color) return PlayType.INVALID;
    if (p.kind !== "SOLDIER") soldiers = false;
  }
  const low = KIND_INDEX[first.kind] >= 3;
  switch (pieces.length) {
    case 2:
      // Same name and colour; GENERAL cannot pair because there is one per colour.
      return pieces[1]?.kind === first.kind ? PlayType.PAIR : PlayType.INVALID;
    case 3:
      if (soldiers) return PlayType.THREE_OF_A_KIND;
      return groupFits(pieces, low, 1, 1) ? PlayType.STRAIGHT : PlayType.INVALID;
    case 4:
      // Three names with at least one each and four pieces: the counts are 2, 1, 1 in some order.
      if (soldiers) return PlayType.FOUR_OF_A_KIND;
      return groupFits(pieces, low, 1, 2) ? PlayType.EXTENDED_STRAIGHT : PlayType.INVALID;
    case 5:
      // Likewise 2, 2, 1.
      if (soldiers) return PlayType.FIVE_OF_A_KIND;
      return groupFits(pieces, low, 1, 2) ? PlayType.EXTENDED_STRAIGHT_5 : PlayType.INVALID;
    default:
      // Six pieces are only ever a double straight of the low group (one GENERAL per colour).
      return groupFits(pieces, true, 2, 2) ? PlayType.DOUBLE_STRAIGHT : PlayType.INVALID;
  }
}

/**
 * The number compared between two plays of the same type: the point total, except that extended straights
 * count one piece of each name (their "core sum"), so a duplicate adds nothing.
 */
export function strength(pieces: readonly Piece[], type: PlayType = classify(pieces)): number {
  let sum = 0;
  if (type === PlayType.EXTENDED_STRAIGHT || type === PlayType.EXTENDED_STRAIGHT_5) {
    let seen = 0;
    for (const p of pieces) {
      const bit = 1 << KIND_INDEX[p.kind];
      if ((seen & bit) === 0) sum += p.points;
      seen |= bit;
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
