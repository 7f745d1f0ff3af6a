// A hand's valid plays as bitmasks of piece ids, built from kind buckets instead of trying every subset. Pure.

// Bots look at every valid lead on every lead and declaration. Trying all 255 subsets of an 8-piece hand and
// classifying each was most of their time; valid plays only ever come from one colour's kind bucket (pairs,
// soldier sets) or one colour's group of three kinds (straights), so they are generated from those directly.
// Plays are masks of piece ids (bit i = piece id i), not of hand positions: a hand's buckets are then its id mask
// ANDed with each bucket's ids, and the unseen pool, the round's played pieces and a play share one form. Hands
// are kept sorted by id, so id order is hand order and every order below is the same as over positions.

import { DECK, type Piece, PIECE_BY_ID, type PieceKind } from "./pieces.ts";
import { PlayType } from "./play_types.ts";

/** Number of set bits of a 32-bit integer. */
export function popcount(mask: number): number {
  let m = mask - ((mask >>> 1) & 0x55555555);
  m = (m & 0x33333333) + ((m >>> 2) & 0x33333333);
  return (Math.imul((m + (m >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** Index of the lowest set bit (mask must not be 0). */
export function lowestBit(mask: number): number {
  return 31 - Math.clz32(mask & -mask);
}

/**
 * The order of `forEachSubset` over sizes 1, 2, ...: smaller sets first, then the sorted index lists in
 * lexicographic order. For two sets of one size, the one holding the lowest index where they differ comes first.
 */
export function subsetOrder(a: number, b: number): number {
  const size = popcount(a) - popcount(b);
  if (size !== 0 || a === b) return size;
  const differ = a ^ b;
  return (a & differ & -differ) !== 0 ? -1 : 1;
}

/** One valid play of a hand: which pieces (bit i = piece id i), its type, strength, point total and size. */
export interface Combo {
  mask: number;
  type: PlayType;
  strength: number;
  points: number;
  size: number;
}

const KINDS: readonly PieceKind[] = [
  "GENERAL",
  "ADVISOR",
  "ELEPHANT",
  "CHARIOT",
  "HORSE",
  "CANNON",
  "SOLDIER",
];
const SOLDIER = 6;
// GROUPS: the kind indexes of the two straight groups are 0–2 and 3–5; only the low one can make a double
// straight (one GENERAL a colour).
const STRAIGHT_BY_SIZE: readonly PlayType[] = [
  PlayType.INVALID,
  PlayType.INVALID,
  PlayType.INVALID,
  PlayType.STRAIGHT,
  PlayType.EXTENDED_STRAIGHT,
  PlayType.EXTENDED_STRAIGHT_5,
  PlayType.DOUBLE_STRAIGHT,
];
const KIND_SETS_BY_SIZE: readonly PlayType[] = [
  PlayType.INVALID,
  PlayType.INVALID,
  PlayType.PAIR,
  PlayType.THREE_OF_A_KIND,
  PlayType.FOUR_OF_A_KIND,
  PlayType.FIVE_OF_A_KIND,
];

/** The bucket of a piece: kind index × 2 + colour (RED 0, BLACK 1). */
export function bucketOf(piece: Piece): number {
  return KINDS.indexOf(piece.kind) * 2 + (piece.color === "RED" ? 0 : 1);
}

/** The deck's pieces by bucket (kind index × 2 + colour), as masks of ids. */
export const BUCKET_IDS: readonly number[] = DECK.reduce((masks, p) => {
  masks[bucketOf(p)] = (masks[bucketOf(p)] ?? 0) | (1 << p.id);
  return masks;
}, new Array<number>(14).fill(0));

/** Ids of `pieces` as a mask. */
export function idMask(pieces: readonly { readonly id: number }[]): number {
  let mask = 0;
  for (let i = 0; i < pieces.length; i++) mask |= 1 << (pieces[i] as { readonly id: number }).id;
  return mask;
}

/** Points of piece `id`. */
function pointsOf(id: number): number {
  return (PIECE_BY_ID[id] as Piece).points;
}

/** Point total of the pieces whose ids `mask` names. */
export function sumPoints(mask: number): number {
  let sum = 0;
  for (let m = mask; m !== 0; m &= m - 1) sum += pointsOf(lowestBit(m));
  return sum;
}

// handCombos' scratch table of each bucket's ids in the hand. Every entry is written before use and nothing keeps
// it, so sharing it keeps handCombos pure. A fresh array literal of constants is copy-on-write in
// JavaScriptCore: its first write took a slow path on every call (6 % of a bot game under Bun).
const BUCKETS = new Int32Array(14);

/**
 * Sorts the first `count` combos into subset order by insertion: a hand has a few dozen combos at most, already
 * mostly in order (singles first), and `sort()` with a comparator is slow in JavaScriptCore, the release
 * binary's engine. Masks are distinct (a set of pieces has one play type), so any correct sort gives this order.
 */
function sortInPlace(combos: Combo[], count: number): void {
  for (let i = 1; i < count; i++) {
    const item = combos[i] as Combo;
    let j = i - 1;
    while (j >= 0 && subsetOrder((combos[j] as Combo).mask, item.mask) > 0) {
      combos[j + 1] = combos[j] as Combo;
      j--;
    }
    combos[j + 1] = item;
  }
}

// The bots list a hand's combos on most leads, declarations and answers of several pieces, and throw them away
// before deciding: the objects were a fifth of what a bot game allocated. `scratchCombos` therefore fills a
// pool of Combo objects that every call reuses (`SCRATCH`, its first `count` entries in order); `handCombos`
// copies them out for callers that keep them.
const SCRATCH: Combo[] = [];
let scratchUsed = 0;

function put(mask: number, type: PlayType, strength: number, points: number, size: number): void {
  let combo = POOL[scratchUsed];
  if (combo === undefined) {
    combo = { mask: 0, type: PlayType.INVALID, strength: 0, points: 0, size: 0 };
    POOL.push(combo);
  }
  combo.mask = mask;
  combo.type = type;
  combo.strength = strength;
  combo.points = points;
  combo.size = size;
  SCRATCH[scratchUsed++] = combo;
}

// The pooled Combo objects, in creation order (SCRATCH holds them in the order of the latest listing).
const POOL: Combo[] = [];

/**
 * Every valid play of `hand` (1–6 pieces, sorted by id as hands are), in the order `validCombos` lists them;
 * with `size`, only those of that many pieces. Equal to classifying every subset, which the play-type tests
 * check against. The list is fresh; bots that only look at it before deciding use `scratchCombos`.
 */
export function handCombos(hand: readonly Piece[], size = 0): Combo[] {
  const count = scratchCombos(idMask(hand), size);
  const out = new Array<Combo>(count);
  for (let i = 0; i < count; i++) {
    const c = SCRATCH[i] as Combo;
    out[i] = { mask: c.mask, type: c.type, strength: c.strength, points: c.points, size: c.size };
  }
  return out;
}

/**
 * `handCombos` of the hand whose ids `hand` names, into shared scratch: returns how many combos there are, and
 * they are the first that many entries of `SCRATCH` (read them with `scratchCombo(i)`). The next call reuses
 * those objects, so a caller must finish with them (and keep none) before listing again.
 */
export function scratchCombos(hand: number, size = 0): number {
  scratchUsed = 0;
  const buckets = BUCKETS;
  for (let bucket = 0; bucket < 14; bucket++) buckets[bucket] = hand & (BUCKET_IDS[bucket] as number);
  if (size <= 1) {
    for (let m = hand; m !== 0; m &= m - 1) {
      const points = pointsOf(lowestBit(m));
      put(m & -m, PlayType.SINGLE, points, points, 1);
    }
  }
  if (size === 1) return scratchUsed;
  const singles = scratchUsed;
  for (let bucket = 0; bucket < 14; bucket++) {
    const mask = buckets[bucket] ?? 0;
    if ((mask & (mask - 1)) === 0) continue; // fewer than two pieces
    const count = popcount(mask);
    const points = pointsOf(lowestBit(mask));
    const largest = bucket >> 1 === SOLDIER ? Math.min(count, 5) : 2;
    for (let sub = mask; sub !== 0; sub = (sub - 1) & mask) {
      const n = popcount(sub);
      if (n < 2 || n > largest || (size !== 0 && n !== size)) continue;
      const type = KIND_SETS_BY_SIZE[n] ?? PlayType.INVALID;
      put(sub, type, n * points, n * points, n);
    }
  }
  if (size === 0 || size >= 3) {
    for (let color = 0; color < 2; color++) {
      // The straight groups' kinds are 0–2 and 3–5 (GROUPS), read by index: destructuring each group goes through
      // the iterator protocol, which JavaScriptCore did not optimise away here.
      for (let a = 0; a <= 3; a += 3) {
        const ma = buckets[a * 2 + color] ?? 0;
        const mb = buckets[(a + 1) * 2 + color] ?? 0;
        const mc = buckets[(a + 2) * 2 + color] ?? 0;
        if (ma === 0 || mb === 0 || mc === 0) continue;
        // Duplicates add nothing to a straight's strength: one piece of each kind counts.
        const core = pointsOf(lowestBit(ma)) + pointsOf(lowestBit(mb)) + pointsOf(lowestBit(mc));
        for (let sa = ma; sa !== 0; sa = (sa - 1) & ma) {
          for (let sb = mb; sb !== 0; sb = (sb - 1) & mb) {
            for (let sc = mc; sc !== 0; sc = (sc - 1) & mc) {
              const mask = sa | sb | sc;
              const n = popcount(mask);
              const type = STRAIGHT_BY_SIZE[n] ?? PlayType.INVALID;
              if (type === PlayType.INVALID || (size !== 0 && n !== size)) continue;
              const strength = type === PlayType.DOUBLE_STRAIGHT ? 2 * core : core;
              put(mask, type, strength, sumPoints(mask), n);
            }
          }
        }
      }
    }
  }
  // Singles come out in order; only hands with more sort.
  if (scratchUsed > singles) sortInPlace(SCRATCH, scratchUsed);
  return scratchUsed;
}

/** The `i`-th combo of the latest `scratchCombos` listing (shared: see there). */
export function scratchCombo(i: number): Combo {
  return SCRATCH[i] as Combo;
}

/** The pieces whose ids `mask` names, in id order. */
export function piecesOfIds(mask: number): Piece[] {
  const out = new Array<Piece>(popcount(mask));
  let n = 0;
  for (let m = mask; m !== 0; m &= m - 1) out[n++] = PIECE_BY_ID[lowestBit(m)] as Piece;
  return out;
}

/** The ids `mask` names, in id order. */
export function idsOf(mask: number): number[] {
  const ids = new Array<number>(popcount(mask));
  let n = 0;
  for (let m = mask; m !== 0; m &= m - 1) ids[n++] = lowestBit(m);
  return ids;
}

/** The pieces of `hand` at the positions `mask` names (bit i = hand[i]), in hand order. */
export function piecesOf(hand: readonly Piece[], mask: number): Piece[] {
  const out: Piece[] = [];
  for (let m = mask; m !== 0; m &= m - 1) {
    const piece = hand[lowestBit(m)];
    if (piece) out.push(piece);
  }
  return out;
}

function listSubsetMasks(n: number, k: number): number[] {
  const masks: number[] = [];
  for (let m = 1; m < 1 << n; m++) if (popcount(m) === k) masks.push(m);
  return masks.sort(subsetOrder);
}

/** A hand never holds more than 8 pieces, so every list a bot can ask for is built once, here. */
const HAND_SIZE = 8;
const SUBSET_MASKS: readonly (readonly (readonly number[])[])[] = Array.from(
  { length: HAND_SIZE + 1 },
  (_, n) => Array.from({ length: n + 1 }, (_, k) => listSubsetMasks(n, k)),
);

/** Every `k`-subset of `n` indices as a mask, in `forEachSubset` order. */
export function subsetMasks(n: number, k: number): readonly number[] {
  return SUBSET_MASKS[n]?.[k] ?? listSubsetMasks(n, k);
}
