// The public events an accepted action produces; never a hand, the deck or PRNG state. Pure: no I/O.

import type { Piece } from "./pieces.ts";
import type { Phase, Ranking, RoundScore, Seat, TurnPlay } from "./state.ts";

// Payload keys are snake_case because the room puts them on the wire as they are (after removing `type`).

/** A play as announced in a turn result: the state's own record of the play (shared, never changed). */
export type PlayedEntry = TurnPlay;

export interface RoundScoreEntry {
  seat: Seat;
  player: string;
  declared: number;
  actual: number;
  base_score: number;
  multiplier: number;
  final_score: number;
  total_score: number;
}

export interface RankingEntry {
  seat: Seat;
  player: string;
  score: number;
  rank: number;
  turns_won: number;
  perfect_rounds: number;
}

/**
 * `phase_change` carries the new phase's public data (for example `starter`, `starter_reason`,
 * `declaration_order`, `current`). It is also sent again inside PREPARATION after a redeal, since a redeal is a
 * new deal of the same phase. Decisions made on a seat's behalf after a timeout carry `timed_out: true`.
 */
export type GameEvent =
  | { type: "phase_change"; phase: Phase; round: number; [k: string]: unknown }
  | { type: "hands_dealt"; round: number; redeal_multiplier: number }
  | { type: "redeal_decision"; seat: Seat; player: string; accept: boolean; timed_out: boolean }
  | { type: "player_declared"; seat: Seat; player: string; value: number; total: number; timed_out: boolean }
  | {
    type: "player_played";
    seat: Seat;
    player: string;
    pieces: Piece[];
    play_type: string;
    timed_out: boolean;
  }
  | {
    type: "turn_result";
    winner: string;
    winner_seat: Seat;
    plays: PlayedEntry[];
    piles_won: number;
    next_starter: string;
    next_starter_seat: Seat;
    turn: number;
  }
  | { type: "round_scores"; round: number; multiplier: number; scores: RoundScoreEntry[] }
  | {
    type: "game_over";
    winners: string[];
    winner_seats: Seat[];
    rankings: RankingEntry[];
    rounds: number;
  };

/** A seat's round score in the snake_case shape events and views share. */
export function roundScoreEntry(score: RoundScore, names: readonly string[]): RoundScoreEntry {
  return {
    seat: score.seat,
    player: names[score.seat] ?? "",
    declared: score.declared,
    actual: score.actual,
    base_score: score.baseScore,
    multiplier: score.multiplier,
    final_score: score.finalScore,
    total_score: score.totalScore,
  };
}

/** A seat's final ranking in the snake_case shape events and views share. */
export function rankingEntry(ranking: Ranking, names: readonly string[]): RankingEntry {
  return {
    seat: ranking.seat,
    player: names[ranking.seat] ?? "",
    score: ranking.score,
    rank: ranking.rank,
    turns_won: ranking.turnsWon,
    perfect_rounds: ranking.perfectRounds,
  };
}
