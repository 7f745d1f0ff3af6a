// The "normal" bot's declaration: openers, viable combos, field strength, the rules. Pure: no I/O.

import { type Combo, idMask, lowestBit, popcount, scratchCombo, scratchCombos } from "./hand_masks.ts";
import { type Piece, PIECE_BY_ID } from "./pieces.ts";
import { PlayType } from "./play_types.ts";
import type { BotView } from "./bot_view.ts";

/** Pieces worth at least this (GENERALs and ADVISORs) are "openers": singles likely to win a turn. */
export const OPENER_POINTS = 11;

/** An extra pair counts towards the estimate from this strength (a pair of black ELEPHANTs and up). */
const STRONG_PAIR = 18;

type FieldStrength = "weak" | "normal" | "strong";

/** From the average of earlier declarations this round: ≤ 1.5 weak, ≥ 3.0 strong. */
function fieldStrength(view: BotView): FieldStrength {
  let made = 0;
  let sum = 0;
  for (const p of view.players) {
    if (p.declared === null) continue;
    made++;
    sum += p.declared;
  }
  if (made === 0) return "normal";
  const average = sum / made;
  return average <= 1.5 ? "weak" : average >= 3 ? "strong" : "normal";
}

/**
 * Whether a multi-piece combo is likely to win when led. With an opener most combos are; a pair then needs 10
 * points unless the field is weak. Without one, only strong combos count: pairs of 18+, red soldier sets,
 * straights of 20+ (the GENERAL group), and every extended or double straight.
 */
function isViable(combo: Combo, hasOpener: boolean, field: FieldStrength): boolean {
  const { type, strength } = combo;
  if (hasOpener) return type !== PlayType.PAIR || strength >= 10 || field === "weak";
  switch (type) {
    case PlayType.PAIR:
      return strength >= 18;
    case PlayType.THREE_OF_A_KIND:
    case PlayType.FOUR_OF_A_KIND:
    case PlayType.FIVE_OF_A_KIND:
      return PIECE_BY_ID[lowestBit(combo.mask)]?.color === "RED";
    case PlayType.STRAIGHT:
      return strength >= 20;
    default:
      return true;
  }
}

/** The piles this hand should capture, before the declaration rules are applied. */
export function estimatePiles(view: BotView): number {
  const hand = view.hand ?? [];
  const field = fieldStrength(view);
  let openers = 0;
  let openerMask = 0;
  for (let i = 0; i < hand.length; i++) {
    const piece = hand[i] as Piece;
    if (piece.points < OPENER_POINTS) continue;
    openers++;
    openerMask |= 1 << piece.id;
  }
  const hasOpener = openers > 0;
  // A combo only pays if the bot gets to lead it: as the round starter, or after winning a turn with an opener.
  const canLead = hasOpener || view.starter_seat === view.seat;
  let score = openers;
  if (canLead) {
    // One main combo, preferring one that leaves the openers free to win their own turns; big combos first.
    // (A stable sort of the combos in subset order, so equal ones keep that order.)
    // Scratch combos, all used before this estimate returns.
    const count = scratchCombos(idMask(hand));
    const combos = VIABLE;
    let viable = 0;
    for (let i = 0; i < count; i++) {
      const c = scratchCombo(i);
      if (c.size >= 2 && isViable(c, hasOpener, field)) combos[viable++] = c;
    }
    sortBiggestFirst(combos, viable);
    let main = viable > 0 ? combos[0] : undefined;
    for (let i = 0; i < viable; i++) {
      if (((combos[i] as Combo).mask & openerMask) !== 0) continue;
      main = combos[i];
      break;
    }
    if (main) {
      // A combo that spends an opener still wins its piles, but that opener's own turn is gone.
      score += main.size - popcount(main.mask & openerMask);
      // Then extra strong pairs among the pieces left over.
      let used = openerMask | main.mask;
      for (let i = 0; i < viable; i++) {
        const pair = combos[i] as Combo;
        if (pair.size !== 2 || pair.strength < STRONG_PAIR || (pair.mask & used) !== 0) continue;
        used |= pair.mask;
        score += 2;
      }
    }
  }
  if (field === "weak" && score === 0 && middling(hand) >= 3) score = 1;
  return Math.min(score, hand.length);
}

// estimatePiles' viable combos of the estimate being made: scratch combos, only its first entries read.
const VIABLE: Combo[] = [];

/**
 * Sorts the first `count` combos biggest first, then strongest, keeping equal ones in their order: a stable
 * insertion sort of a handful of combos (`sort()` with a comparator is slow in JavaScriptCore).
 */
function sortBiggestFirst(combos: Combo[], count: number): void {
  for (let i = 1; i < count; i++) {
    const item = combos[i] as Combo;
    let j = i - 1;
    for (; j >= 0; j--) {
      const other = combos[j] as Combo;
      if (other.size > item.size || (other.size === item.size && other.strength >= item.strength)) break;
      combos[j + 1] = other;
    }
    combos[j + 1] = item;
  }
}

/** How many pieces of `hand` are worth 7 to 10 points. */
function middling(hand: readonly Piece[]): number {
  let count = 0;
  for (let i = 0; i < hand.length; i++) {
    const points = (hand[i] as Piece).points;
    if (points >= 7 && points <= 10) count++;
  }
  return count;
}

/** The allowed value nearest to `wanted`, the lower one on a tie. */
export function nearestAllowed(wanted: number, allowed: readonly number[]): number {
  let best = allowed[0] ?? 0;
  for (const v of allowed) {
    if (Math.abs(v - wanted) < Math.abs(best - wanted)) best = v;
  }
  return best;
}
