// The game's data types: options, actions, the full (secret) state and what the game waits for. Pure: no I/O.

import type { Piece } from "./pieces.ts";
import type { PlayType } from "./play_types.ts";

export type { Piece } from "./pieces.ts";

export type Seat = 0 | 1 | 2 | 3;
export const SEATS: readonly Seat[] = [0, 1, 2, 3];

/** One value per seat, indexed by Seat (a tuple, so indexing never yields undefined). */
export type Four<T> = [T, T, T, T];

export type Phase =
  | "WAITING"
  | "PREPARATION"
  | "DECLARATION"
  | "TURN"
  | "TURN_RESULTS"
  | "SCORING"
  | "GAME_OVER";

export interface GameOptions {
  seed: number;
  players: readonly [string, string, string, string];
  /** The game ends after the round in which a total reaches this. Default 50. */
  targetScore?: number;
  /** 0 (default) means no cap; otherwise the game also ends after this round. */
  maxRounds?: number;
}

export type Action =
  | { type: "start" }
  | { type: "redeal_decision"; seat: Seat; accept: boolean }
  | { type: "declare"; seat: Seat; value: number }
  | { type: "play"; seat: Seat; pieceIds: readonly number[] }
  | { type: "advance" }
  | { type: "timeout"; seat: Seat };

/** What the game waits for; the room schedules timers, bots and `your_turn` from this. */
export type Waiting =
  | { kind: "start" }
  | { kind: "redeal"; seats: Seat[] }
  | { kind: "declare"; seat: Seat }
  | { kind: "play"; seat: Seat }
  | { kind: "advance"; after: "deal" | "turn" | "round" }
  | { kind: "over" };

export type StarterReason = "accepted_redeal" | "has_general_red" | "won_last_turn";

export interface PlayerState {
  name: string;
  score: number;
  /** This round's declaration; null until made. */
  declared: number | null;
  /** Piles captured this round. */
  captured: number;
  /** Zero declarations in a row, kept across rounds. */
  zeroStreak: number;
  turnsWon: number;
  perfectRounds: number;
}

/**
 * A play of a turn, in the very shape a `turn_result` event lists it (`PlayedEntry`): the event lists these objects
 * themselves rather than a copy of each.
 */
export interface TurnPlay {
  seat: Seat;
  player: string;
  pieces: Piece[];
  play_type: PlayType;
}

export interface TurnState {
  /** 1-based within the round. */
  number: number;
  starter: Seat;
  /** Null until the starter plays. */
  required: number | null;
  plays: TurnPlay[];
}

/** One of a round's earlier turns in `GameState.playedBefore`: its plays, and the turn before it (null: none). */
export interface PlayedTurn {
  plays: readonly { readonly pieces: readonly Piece[] }[];
  before: PlayedTurn | null;
}

export interface TurnResult {
  number: number;
  winner: Seat;
  piles: number;
  plays: TurnPlay[];
}

export interface RedealState {
  /** Weak seats of the current deal. */
  weak: Seat[];
  /** Decision per seat; null = undecided (or not weak). */
  decisions: Four<boolean | null>;
  /** First accepter of the most recent executed redeal in this preparation, if any. */
  accepter: Seat | null;
}

export interface RoundScore {
  seat: Seat;
  declared: number;
  actual: number;
  baseScore: number;
  multiplier: number;
  finalScore: number;
  totalScore: number;
}

export interface Ranking {
  seat: Seat;
  score: number;
  rank: number;
  turnsWon: number;
  perfectRounds: number;
}

export interface GameResult {
  winners: Seat[];
  rankings: Ranking[];
}

/**
 * The complete game, secrets included (hands, PRNG state). Plain JSON data: it can be stored and compared.
 * Never send it anywhere; `viewFor` is the only way state leaves the engine.
 */
export interface GameState {
  options: { seed: number; players: Four<string>; targetScore: number; maxRounds: number };
  phase: Phase;
  /** PRNG state; advanced by every deal. */
  rng: number;
  /** 0 before the game starts, then 1-based. */
  round: number;
  multiplier: number;
  hands: Four<Piece[]>;
  players: Four<PlayerState>;
  /** The round starter (presumptive during PREPARATION); null before the first deal. */
  starter: Seat | null;
  starterReason: StarterReason | null;
  /** Present during PREPARATION. */
  redeal: RedealState | null;
  turn: TurnState | null;
  /** The latest resolved turn of this round, for TURN_RESULTS and for views. */
  lastTurn: TurnResult | null;
  /** Winner of the last turn of the previous round; starts the next round unless a redeal is accepted. */
  lastTurnWinner: Seat | null;
  /**
   * The plays of this round's turns before `turn` (public knowledge), latest first; with `turn`'s plays, every
   * piece played this round (`playedPieces` lists them in play order). A play adds its pieces to `turn` and
   * `playedMask` only; a turn's plays are linked in front of this chain when the next turn (or scoring) replaces
   * it, so nothing is copied during a round (a flat list was copied once a turn).
   */
  playedBefore: PlayedTurn | null;
  /** The ids of every piece played this round, `turn`'s included, as a mask (bit i = piece id i). */
  playedMask: number;
  /** Set when a round is scored; kept until the next deal. */
  roundScores: RoundScore[] | null;
  /** Decided at SCORING of the final round, so the SCORING step already knows the game is over. */
  result: GameResult | null;
  /** Accepted actions so far (a cheap counter that also seeds timeout decisions). */
  actionCount: number;
}

/** The seat order rotated to begin at `first`. */
export function rotation(first: Seat): Four<Seat> {
  return [first, ((first + 1) % 4) as Seat, ((first + 2) % 4) as Seat, ((first + 3) % 4) as Seat];
}

/** A copy of a per-seat tuple with one entry replaced. */
export function withSeat<T>(four: Four<T>, seat: Seat, value: T): Four<T> {
  const copy: Four<T> = [four[0], four[1], four[2], four[3]];
  copy[seat] = value;
  return copy;
}

/** True for 0, 1, 2 and 3 (guards input that came from the network). */
export function isSeat(value: unknown): value is Seat {
  return value === 0 || value === 1 || value === 2 || value === 3;
}

/**
 * Every piece played this round, in play order, from `GameState.playedBefore` and the current turn's plays (see
 * there). A new array.
 */
export function playedPieces(
  before: PlayedTurn | null,
  plays: readonly { readonly pieces: readonly Piece[] }[],
): Piece[] {
  let count = piecesIn(plays);
  for (let turn = before; turn !== null; turn = turn.before) count += piecesIn(turn.plays);
  const out = new Array<Piece>(count);
  // Filled from the end: the chain runs from the latest turn back.
  let n = copyBack(plays, out, count);
  for (let turn = before; turn !== null; turn = turn.before) n = copyBack(turn.plays, out, n);
  return out;
}

function piecesIn(plays: readonly { readonly pieces: readonly Piece[] }[]): number {
  let count = 0;
  for (let i = 0; i < plays.length; i++) {
    count += (plays[i] as { readonly pieces: readonly Piece[] }).pieces.length;
  }
  return count;
}

/** Copies the pieces of `plays` into `out` so that they end just before index `end`; returns where they start. */
function copyBack(
  plays: readonly { readonly pieces: readonly Piece[] }[],
  out: Piece[],
  end: number,
): number {
  let n = end - piecesIn(plays);
  const start = n;
  for (let i = 0; i < plays.length; i++) {
    const pieces = (plays[i] as { readonly pieces: readonly Piece[] }).pieces;
    for (let j = 0; j < pieces.length; j++) out[n++] = pieces[j] as Piece;
  }
  return start;
}
