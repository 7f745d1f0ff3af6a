// What one seat (or a spectator) may see of a game: the only way state leaves the engine. Pure: no I/O.

import { type RankingEntry, rankingEntry, type RoundScoreEntry, roundScoreEntry } from "./events.ts";
import type { Piece } from "./pieces.ts";
import type { GameState, Phase, Seat, StarterReason, TurnPlay, Waiting } from "./state.ts";
import { playedPieces, rotation } from "./state.ts";
import { waitingFor } from "./waiting.ts";

export interface PlayerView {
  seat: Seat;
  name: string;
  hand_size: number;
  declared: number | null;
  captured_piles: number;
  score: number;
  zero_streak: number;
  turns_won: number;
  perfect_rounds: number;
}

export interface PlayView {
  seat: Seat;
  player: string;
  pieces: Piece[];
  play_type: string;
}

export interface TurnView {
  number: number;
  starter_seat: Seat;
  order: Seat[];
  /** Null until the turn starter has played. */
  required_piece_count: number | null;
  plays: PlayView[];
}

/**
 * A JSON-safe picture of the game for one seat or a spectator. It holds the viewer's own hand only (spectators:
 * `hand` is null) and never the deck, other hands or the PRNG state. Everything else here is public: every
 * played piece was announced in an event.
 */
export interface GameView {
  /** The viewer's seat, or null for a spectator. */
  seat: Seat | null;
  phase: Phase;
  round: number;
  target_score: number;
  max_rounds: number;
  redeal_multiplier: number;
  /** Null during PREPARATION: announcing it early would reveal who holds GENERAL_RED in round 1. */
  starter_seat: Seat | null;
  starter_reason: StarterReason | null;
  waiting: Waiting;
  players: PlayerView[];
  hand: Piece[] | null;
  /** During PREPARATION: the weak seats and the decisions announced so far. */
  redeal: { weak_seats: Seat[]; decisions: { seat: Seat; accept: boolean }[] } | null;
  /** Declaration order (rotation from the starter); empty before DECLARATION. */
  declaration_order: Seat[];
  declaration_total: number;
  turn: TurnView | null;
  /** The most recent resolved turn of this round. */
  last_turn: { number: number; winner_seat: Seat; piles_won: number; plays: PlayView[] } | null;
  /** Every piece played this round, in play order. */
  played_pieces: Piece[];
  round_scores: RoundScoreEntry[] | null;
  /** Known from SCORING of the final round onwards. */
  result: { winners: string[]; winner_seats: Seat[]; rankings: RankingEntry[] } | null;
}

function playView(state: GameState, p: TurnPlay): PlayView {
  return {
    seat: p.seat,
    player: state.options.players[p.seat],
    pieces: p.pieces.slice(),
    play_type: p.play_type,
  };
}

/** The view for `seat`, or for a spectator. */
export function viewFor(state: GameState, seat: Seat | "spectator"): GameView {
  const names = state.options.players;
  const viewer = seat === "spectator" ? null : seat;
  const preparing = state.phase === "PREPARATION" || state.phase === "WAITING";
  const starter = preparing ? null : state.starter;
  const { redeal, turn, lastTurn, result } = state;
  return {
    seat: viewer,
    phase: state.phase,
    round: state.round,
    target_score: state.options.targetScore,
    max_rounds: state.options.maxRounds,
    redeal_multiplier: state.multiplier,
    starter_seat: starter,
    starter_reason: preparing ? null : state.starterReason,
    waiting: waitingFor(state),
    players: state.players.map((p, i) => ({
      seat: i as Seat,
      name: p.name,
      hand_size: state.hands[i as Seat].length,
      declared: p.declared,
      captured_piles: p.captured,
      score: p.score,
      zero_streak: p.zeroStreak,
      turns_won: p.turnsWon,
      perfect_rounds: p.perfectRounds,
    })),
    hand: viewer === null ? null : state.hands[viewer].slice(),
    redeal: state.phase === "PREPARATION" && redeal
      ? {
        weak_seats: redeal.weak.slice(),
        decisions: redeal.weak.flatMap((s) => {
          const accept = redeal.decisions[s];
          return accept === null ? [] : [{ seat: s, accept }];
        }),
      }
      : null,
    declaration_order: starter === null ? [] : rotation(starter),
    declaration_total: state.players.reduce((sum, p) => sum + (p.declared ?? 0), 0),
    turn: turn
      ? {
        number: turn.number,
        starter_seat: turn.starter,
        order: rotation(turn.starter),
        required_piece_count: turn.required,
        plays: turn.plays.map((p) => playView(state, p)),
      }
      : null,
    last_turn: lastTurn
      ? {
        number: lastTurn.number,
        winner_seat: lastTurn.winner,
        piles_won: lastTurn.piles,
        plays: lastTurn.plays.map((p) => playView(state, p)),
      }
      : null,
    played_pieces: playedPieces(state.playedBefore, turn?.plays ?? []),
    round_scores: state.roundScores?.map((s) => roundScoreEntry(s, names)) ?? null,
    result: result
      ? {
        winners: result.winners.map((s) => names[s]),
        winner_seats: result.winners.slice(),
        rankings: result.rankings.map((r) => rankingEntry(r, names)),
      }
      : null,
  };
}
