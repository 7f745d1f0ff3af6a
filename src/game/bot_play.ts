// The "normal" bot's plays: lead needed safe winners, dodge unwanted piles, shed wisely. Pure: no I/O.

import { bestInPool, unseenPieces } from "./bot_knowledge.ts";
import { OPENER_POINTS } from "./bot_declare.ts";
import { subsetsOf, validCombos } from "./legal_moves.ts";
import { type Piece, totalPoints } from "./pieces.ts";
import { beats, type PlayType, rate, type RatedPlay, winningIndex } from "./play_types.ts";
import { random, type Rng } from "./prng.ts";
import type { GameView } from "./view.ts";

interface Option {
  pieces: Piece[];
  rated: RatedPlay;
  points: number;
  /** No unseen pieces could form a stronger play of this type. */
  safe: boolean;
}

/** Rates every candidate once; `safe` uses the unseen pool (the opponents' hands, taken together). */
function options(candidates: Piece[][], pool: readonly Piece[]): Option[] {
  const best = new Map<PlayType, number>();
  const poolBest = (type: PlayType) => {
    let value = best.get(type);
    if (value === undefined) best.set(type, value = bestInPool(pool, type));
    return value;
  };
  return candidates.map((pieces) => {
    const rated = rate(pieces);
    return { pieces, rated, points: totalPoints(pieces), safe: poolBest(rated.type) <= rated.strength };
  });
}

function minBy<T>(items: readonly T[], key: (item: T) => number): T | undefined {
  let best: T | undefined;
  let bestKey = Infinity;
  for (const item of items) {
    const k = key(item);
    if (k < bestKey) [best, bestKey] = [item, k];
  }
  return best;
}

/** The piles still wanted (negative when over), and whether every remaining pile is needed. */
function needs(view: GameView): { need: number; urgent: boolean } {
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
function lead(view: GameView, rng: Rng): Piece[] {
  const hand = view.hand ?? [];
  const { need, urgent } = needs(view);
  const all = options(validCombos(hand), unseenPieces(view));
  const singles = all.filter((o) => o.pieces.length === 1);
  const weakest = minBy(singles, (o) => o.points)?.pieces ?? hand.slice(0, 1);
  if (need <= 0) return weakest;
  const fitting = all.filter((o) => urgent || o.pieces.length <= need);
  const safe = fitting.filter((o) => o.safe);
  const bestSafe = minBy(safe, (o) => -o.pieces.length * 100 + o.points);
  if (bestSafe) return bestSafe.pieces;
  if (urgent) return minBy(fitting, (o) => -o.pieces.length * 100 - o.rated.strength)?.pieces ?? weakest;
  const strongest = minBy(singles, (o) => -o.points);
  // The reference leads an unsafe opener 35–50% of the time, more often with fewer pieces left.
  const chance = hand.length > 6 ? 0.35 : hand.length > 3 ? 0.4 : 0.5;
  if (strongest && strongest.points >= OPENER_POINTS && random(rng) < chance) return strongest.pieces;
  return weakest;
}

/**
 * Answering a lead with exactly the required count. Wanting these piles: the cheapest safe winner, else the
 * strongest winner, else discard the lowest pieces. Not wanting them: never win if avoidable; at or over target
 * dump the highest pieces (they could win unwanted turns later), otherwise the lowest.
 */
function respond(view: GameView): Piece[] {
  const hand = view.hand ?? [];
  const turn = view.turn;
  const required = turn?.required_piece_count ?? 1;
  const rated = (turn?.plays ?? []).map((p) => rate(p.pieces));
  const current = rated[winningIndex(rated)];
  const playersAfter = 3 - rated.length;
  const { need, urgent } = needs(view);
  const all = options(subsetsOf(hand, required), unseenPieces(view));
  const wins = (o: Option) => current !== undefined && beats(o.rated, current);
  const winners = all.filter(wins);
  const losers = all.filter((o) => !wins(o));
  const wanted = need > 0 && (urgent || required <= need);
  if (wanted && winners.length > 0) {
    const safe = winners.filter((o) => playersAfter === 0 || o.safe);
    const pick = minBy(safe, (o) => o.points) ?? minBy(winners, (o) => -o.rated.strength);
    if (pick) return pick.pieces;
  }
  if (losers.length === 0) return minBy(winners, (o) => o.rated.strength)?.pieces ?? hand.slice(0, required);
  const pick = need <= 0 ? minBy(losers, (o) => -o.points) : minBy(losers, (o) => o.points);
  return pick?.pieces ?? hand.slice(0, required);
}

/** The normal bot's play for the seat its view belongs to. */
export function choosePlay(view: GameView, rng: Rng): Piece[] {
  return view.turn?.required_piece_count == null ? lead(view, rng) : respond(view);
}
