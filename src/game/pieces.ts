// The 32 Liap Tui pieces, their points and the deal. Pure: no I/O.

import { shuffle } from "./prng.ts";

export const PieceKind = {
  GENERAL: "GENERAL",
  ADVISOR: "ADVISOR",
  ELEPHANT: "ELEPHANT",
  CHARIOT: "CHARIOT",
  HORSE: "HORSE",
  CANNON: "CANNON",
  SOLDIER: "SOLDIER",
} as const;
export type PieceKind = typeof PieceKind[keyof typeof PieceKind];

export const PieceColor = { RED: "RED", BLACK: "BLACK" } as const;
export type PieceColor = typeof PieceColor[keyof typeof PieceColor];

/** A piece exactly as it goes on the wire. `id` is its index in the canonical deck below (0–31). */
export interface Piece {
  id: number;
  kind: PieceKind;
  color: PieceColor;
  points: number;
}

// [kind, red points, black points, copies per colour], strongest first.
const TABLE: readonly (readonly [PieceKind, number, number, number])[] = [
  ["GENERAL", 14, 13, 1],
  ["ADVISOR", 12, 11, 2],
  ["ELEPHANT", 10, 9, 2],
  ["CHARIOT", 8, 7, 2],
  ["HORSE", 6, 5, 2],
  ["CANNON", 4, 3, 2],
  ["SOLDIER", 2, 1, 5],
];

function buildDeck(): readonly Piece[] {
  const deck: Piece[] = [];
  for (const [kind, red, black, copies] of TABLE) {
    for (let i = 0; i < copies; i++) deck.push({ id: deck.length, kind, color: "RED", points: red });
    for (let i = 0; i < copies; i++) deck.push({ id: deck.length, kind, color: "BLACK", points: black });
  }
  return Object.freeze(deck.map((p) => Object.freeze(p)));
}

/**
 * The canonical deck, ordered strongest first. A piece's id is its index here, so ids are stable within a
 * round (and, as it happens, across rounds); an id reveals nothing a played piece does not already show.
 */
export const DECK: readonly Piece[] = buildDeck();

/**
 * DECK as a plain array, for the engine's and bots' hot reads: JavaScriptCore, the release binary's engine,
 * reads a frozen array on a slow path (about 6x slower than a plain one). The pieces themselves stay frozen.
 */
export const PIECE_BY_ID: readonly Piece[] = DECK.slice();

/** The deck's ids in deck order (DECK[id].id === id), what a deal shuffles. */
const DECK_IDS: readonly number[] = DECK.map((p) => p.id);

/** Pieces worth more than this stop a hand from being weak. */
export const WEAK_HAND_MAX_POINTS = 9;

/** A hand is weak when no piece is worth more than 9 points. */
export function isWeakHand(hand: readonly Piece[]): boolean {
  return hand.every((p) => p.points <= WEAK_HAND_MAX_POINTS);
}

/** Sorts by id, i.e. strongest first; hands are kept in this order so the order itself leaks nothing. */
export function byId(a: Piece, b: Piece): number {
  return a.id - b.id;
}

/**
 * Shuffles a fresh deck and deals it round robin, 8 to each seat. Hands are sorted by id: the reference also
 * shuffled each hand, but with id-addressed plays hand order carries no meaning, and sorted hands are easier to
 * read and test.
 */
export function deal(rng: number): [hands: [Piece[], Piece[], Piece[], Piece[]], rng: number] {
  // Shuffling the ids is about ten times faster than shuffling the (frozen) piece objects, and gives the
  // same order. Each id's seat is noted, then the ids are walked in order: sorted hands without a sort.
  const shuffled = shuffle(DECK_IDS, rng);
  const ids = shuffled[0];
  const seatOf = SEAT_OF;
  for (let i = 0; i < ids.length; i++) seatOf[ids[i] ?? 0] = i % 4;
  const hands: [Piece[], Piece[], Piece[], Piece[]] = [[], [], [], []];
  for (let id = 0; id < PIECE_BY_ID.length; id++) {
    hands[(seatOf[id] ?? 0) as 0 | 1 | 2 | 3].push(PIECE_BY_ID[id] as Piece);
  }
  return [hands, shuffled[1]];
}

// deal()'s scratch table of each id's seat. Every entry is written before it is read and nothing keeps it, so
// sharing it keeps deal() pure; allocating a typed array per deal cost as much as the shuffle.
const SEAT_OF = new Uint8Array(32);

/** Sum of points. */
export function totalPoints(pieces: readonly Piece[]): number {
  let sum = 0;
  for (const p of pieces) sum += p.points;
  return sum;
}

/** "HORSE_RED(6)", for human messages only (the wire uses the object form). */
export function pieceLabel(p: Piece): string {
  return `${p.kind}_${p.color}(${p.points})`;
}
