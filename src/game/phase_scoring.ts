// Leaving TURN_RESULTS and SCORING: the next turn, round scoring, the next round or GAME_OVER. Pure: no I/O.

import { type GameEvent, rankingEntry, type RoundScoreEntry, roundScoreEntry } from "./events.ts";
import { beginTurn, foldTurn } from "./phase_turn.ts";
import { startRound } from "./phase_preparation.ts";
import { finalResult, isGameOver, isPerfect, scoreRound } from "./scoring.ts";
import type { GameState, PlayerState, RoundScore } from "./state.ts";

// Like every phase, these work on apply()'s private working copy `next` (see working_copy.ts) and append the
// events to publish to `events`.

/** After a turn's display pause: the winner leads the next turn, or, with empty hands, the round is scored. */
export function afterTurnResults(next: GameState, events: GameEvent[]): void {
  const winner = next.lastTurn?.winner ?? next.lastTurnWinner ?? 0;
  if (next.hands[winner].length > 0) beginTurn(next, (next.turn?.number ?? 0) + 1, winner, events);
  else scoreCurrentRound(next, events);
}

/**
 * Scores the round. Whether the game is over is decided here, not on the way out of SCORING, so the SCORING
 * phase_change already says `game_over` and `winners` and the scoreboard can show the final result.
 */
function scoreCurrentRound(next: GameState, events: GameEvent[]): void {
  const scores = scoreRound(next.players, next.multiplier);
  const before = next.players;
  // Each record is written out in PlayerState's field order, like every other place that makes one: a spread
  // copy gave these records a shape of their own, and every later read of `players` met two shapes.
  const players: GameState["players"] = [
    scored(before[0], scores[0]),
    scored(before[1], scores[1]),
    scored(before[2], scores[2]),
    scored(before[3], scores[3]),
  ];
  const totals = [players[0].score, players[1].score, players[2].score, players[3].score];
  const { targetScore, maxRounds } = next.options;
  const over = isGameOver(totals, next.round, targetScore, maxRounds);
  const result = over ? finalResult(players) : null;
  const names = next.options.players;
  next.phase = "SCORING";
  next.players = players;
  foldTurn(next);
  next.turn = null;
  next.roundScores = scores;
  next.result = result;
  const entries = new Array<RoundScoreEntry>(scores.length);
  for (let i = 0; i < scores.length; i++) entries[i] = roundScoreEntry(scores[i] as RoundScore, names);
  events.push(
    {
      type: "phase_change",
      phase: "SCORING",
      round: next.round,
      redeal_multiplier: next.multiplier,
      total_scores: totals,
      game_over: over,
      winners: result ? result.winners.map((s) => names[s]) : [],
    },
    {
      type: "round_scores",
      round: next.round,
      multiplier: next.multiplier,
      scores: entries,
    },
  );
}

/** A player's record after the round: its new total, and one more perfect round for an exact non-zero hit. */
function scored(p: PlayerState, s: RoundScore | undefined): PlayerState {
  if (!s) return p;
  return {
    name: p.name,
    score: s.totalScore,
    declared: p.declared,
    captured: p.captured,
    zeroStreak: p.zeroStreak,
    turnsWon: p.turnsWon,
    perfectRounds: p.perfectRounds + (isPerfect(s.declared, s.actual) ? 1 : 0),
  };
}

/** After the scoring display: GAME_OVER when scoring decided so, otherwise the next round's deal. */
export function afterScoring(next: GameState, events: GameEvent[]): void {
  const result = next.result;
  if (!result) {
    startRound(next, next.round + 1, events);
    return;
  }
  const names = next.options.players;
  const winners = result.winners.map((s) => names[s]);
  next.phase = "GAME_OVER";
  events.push(
    { type: "phase_change", phase: "GAME_OVER", round: next.round, winners },
    {
      type: "game_over",
      winners,
      winner_seats: result.winners,
      rankings: result.rankings.map((r) => rankingEntry(r, names)),
      rounds: next.round,
    },
  );
}
