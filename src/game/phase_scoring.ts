// Leaving TURN_RESULTS and SCORING: the next turn, round scoring, the next round or GAME_OVER. Pure: no I/O.

import { rankingEntry, roundScoreEntry, type Step } from "./events.ts";
import { beginTurn } from "./phase_turn.ts";
import { startRound } from "./phase_preparation.ts";
import { finalResult, isGameOver, isPerfect, scoreRound } from "./scoring.ts";
import type { GameState } from "./state.ts";

/** After a turn's display pause: the winner leads the next turn, or, with empty hands, the round is scored. */
export function afterTurnResults(state: GameState): Step {
  const winner = state.lastTurn?.winner ?? state.lastTurnWinner ?? 0;
  if (state.hands[winner].length > 0) return beginTurn(state, (state.turn?.number ?? 0) + 1, winner);
  return scoreCurrentRound(state);
}

/**
 * Scores the round. Whether the game is over is decided here, not on the way out of SCORING, so the SCORING
 * phase_change already says `game_over` and `winners` and the scoreboard can show the final result.
 */
function scoreCurrentRound(state: GameState): Step {
  const scores = scoreRound(state.players, state.multiplier);
  const players = state.players.map((p, i) => {
    const s = scores[i];
    if (!s) return p;
    return {
      ...p,
      score: s.totalScore,
      perfectRounds: p.perfectRounds + (isPerfect(s.declared, s.actual) ? 1 : 0),
    };
  }) as GameState["players"];
  const { targetScore, maxRounds } = state.options;
  const over = isGameOver(players.map((p) => p.score), state.round, targetScore, maxRounds);
  const result = over ? finalResult(players) : null;
  const names = state.options.players;
  return {
    state: { ...state, phase: "SCORING", players, turn: null, roundScores: scores, result },
    events: [
      {
        type: "phase_change",
        phase: "SCORING",
        round: state.round,
        redeal_multiplier: state.multiplier,
        total_scores: players.map((p) => p.score),
        game_over: over,
        winners: result ? result.winners.map((s) => names[s]) : [],
      },
      {
        type: "round_scores",
        round: state.round,
        multiplier: state.multiplier,
        scores: scores.map((s) => roundScoreEntry(s, names)),
      },
    ],
  };
}

/** After the scoring display: GAME_OVER when scoring decided so, otherwise the next round's deal. */
export function afterScoring(state: GameState): Step {
  const result = state.result;
  if (!result) return startRound(state, state.round + 1);
  const names = state.options.players;
  const winners = result.winners.map((s) => names[s]);
  return {
    state: { ...state, phase: "GAME_OVER" },
    events: [
      { type: "phase_change", phase: "GAME_OVER", round: state.round, winners },
      {
        type: "game_over",
        winners,
        winner_seats: result.winners,
        rankings: result.rankings.map((r) => rankingEntry(r, names)),
        rounds: state.round,
      },
    ],
  };
}
