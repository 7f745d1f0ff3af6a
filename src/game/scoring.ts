// Round scoring and the end-of-game rule. Pure: no I/O.

import type { Four, GameResult, PlayerState, Ranking, RoundScore, Seat } from "./state.ts";

/** Declared 0 and captured 0. */
export const ZERO_HIT_BONUS = 3;
/** Added to the declaration when a non-zero declaration is hit exactly. */
export const HIT_BONUS = 5;

/**
 * Base score before the redeal multiplier: 0/0 → +3; declared 0 but captured A → −A; hit D>0 exactly → D+5;
 * otherwise −|D−A|.
 */
export function baseScore(declared: number, actual: number): number {
  if (declared === 0) return actual === 0 ? ZERO_HIT_BONUS : -actual;
  if (actual === declared) return declared + HIT_BONUS;
  return -Math.abs(declared - actual);
}

/** A perfect round is an exact, non-zero hit (the reference does not count 0/0). */
export function isPerfect(declared: number, actual: number): boolean {
  return declared > 0 && declared === actual;
}

/** Scores one round for every seat; multiplies gains and losses alike. */
export function scoreRound(players: Four<PlayerState>, multiplier: number): RoundScore[] {
  return [
    seatScore(players[0], 0, multiplier),
    seatScore(players[1], 1, multiplier),
    seatScore(players[2], 2, multiplier),
    seatScore(players[3], 3, multiplier),
  ];
}

function seatScore(p: PlayerState, seat: Seat, multiplier: number): RoundScore {
  const declared = p.declared ?? 0;
  const base = baseScore(declared, p.captured);
  const finalScore = base * multiplier;
  return {
    seat,
    declared,
    actual: p.captured,
    baseScore: base,
    multiplier,
    finalScore,
    totalScore: p.score + finalScore,
  };
}

/** True after the round in which a total reached the target, or after round `maxRounds` when that is > 0. */
export function isGameOver(
  scores: readonly number[],
  round: number,
  targetScore: number,
  maxRounds: number,
): boolean {
  return scores.some((s) => s >= targetScore) || (maxRounds > 0 && round >= maxRounds);
}

/**
 * Final standings: highest total first, equal totals kept in seat order, ranks 1–4 without sharing (as the
 * reference does); every seat with the highest total is a winner, so ties share the win.
 */
export function finalResult(players: Four<PlayerState>): GameResult {
  const rankings: Ranking[] = players
    .map((p, seat) => ({
      seat: seat as Seat,
      score: p.score,
      rank: 0,
      turnsWon: p.turnsWon,
      perfectRounds: p.perfectRounds,
    }))
    .sort((a, b) => b.score - a.score || a.seat - b.seat)
    .map((r, i) => ({ ...r, rank: i + 1 }));
  const top = rankings[0]?.score ?? 0;
  return { winners: rankings.filter((r) => r.score === top).map((r) => r.seat), rankings };
}
