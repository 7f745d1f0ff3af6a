// The "normal" bot's declaration: openers, viable combos, field strength, the rules. Pure: no I/O.

import { type Combo, lowestBit, popcount, scratchCombo, scratchCombos } from "./hand_masks.ts";
import type { Piece } from "./pieces.ts";
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
function isViable(hand: readonly Piece[], combo: Combo, hasOpener: boolean, field: FieldStrength): boolean {
  const { type, strength } = combo;
  if (hasOpener) return type !== PlayType.PAIR || strength >= 10 || field === "weak";
  switch (type) {
    case PlayType.PAIR:
      return strength >= 18;
    case PlayType.THREE_OF_A_KIND:
    case PlayType.FOUR_OF_A_KIND:
    case PlayType.FIVE_OF_A_KIND:
      return hand[lowestBit(combo.mask)]?.color === "RED";
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
    if ((hand[i] as Piece).points < OPENER_POINTS) continue;
    openers++;
    openerMask |= 1 << i;
  }
  const hasOpener = openers > 0;
  // A combo only pays if the bot gets to lead it: as the round starter, or after winning a turn with an opener.
  const canLead = hasOpener || view.starter_seat === view.seat;
  let score = openers;
  if (canLead) {
    // One main combo, preferring one that leaves the openers free to win their own turns; big combos first.
    // (A stable sort of the combos in subset order, so equal ones keep that order.)
    // Scratch combos, all used before this estimate returns.
    const count = scratchCombos(hand);
    const combos: Combo[] = [];
    for (let i = 0; i < count; i++) {
      const c = scratchCombo(i);
      if (c.size >= 2 && isViable(hand, c, hasOpener, field)) combos.push(c);
    }
    combos.sort((a, b) => b.size - a.size || b.strength - a.strength);
    const main = combos.find((c) => (c.mask & openerMask) === 0) ?? combos[0];
    if (main) {
      // A combo that spends an opener still wins its piles, but that opener's own turn is gone.
      score += main.size - popcount(main.mask & openerMask);
      // Then extra strong pairs among the pieces left over.
      let used = openerMask | main.mask;
      for (const pair of combos) {
        if (pair.size !== 2 || pair.strength < STRONG_PAIR || (pair.mask & used) !== 0) continue;
        used |= pair.mask;
        score += 2;
      }
    }
  }
  if (field === "weak" && score === 0 && hand.filter((p) => p.points >= 7 && p.points <= 10).length >= 3) {
    score = 1;
  }
  return Math.min(score, hand.length);
}

/** The allowed value nearest to `wanted`, the lower one on a tie. */
export function nearestAllowed(wanted: number, allowed: readonly number[]): number {
  let best = allowed[0] ?? 0;
  for (const v of allowed) {
    if (Math.abs(v - wanted) < Math.abs(best - wanted)) best = v;
  }
  return best;
}
