// Every event the server sends, by name, with its payload type: the one list clients (the page, bots, the
// typed client) compile against, built from the types the server itself produces. Types only, no code.

import type { GameEvent, RankingEntry, RoundScoreEntry } from "../game/events.ts";
import type { Piece } from "../game/pieces.ts";
import type { Phase, Seat, StarterReason } from "../game/state.ts";
import type { GameView, PlayView } from "../game/view.ts";
import type { RoomState, RoomSummary } from "../rooms/room_views.ts";
import type { ErrorCode } from "./codes.ts";

/** Who the receiving connection is in the room, in `game_state`. */
export interface YouView {
  player_name: string;
  seat: number | null;
  is_host: boolean;
  is_spectator: boolean;
}

/** `game_state`: the room and the game as this connection may see them (its own hand only). */
export interface GameStatePayload {
  room: RoomState | null;
  you: YouView | null;
  game: GameView | null;
}

/** `phase_change`: the phase's public data; which fields are present depends on the phase (protocol.md). */
export interface PhaseChange {
  phase: Phase;
  round: number;
  redeal_multiplier?: number;
  weak_seats?: Seat[];
  weak_players?: string[];
  redeal_requester?: string;
  redeal_requester_seat?: Seat;
  starter?: string;
  starter_seat?: Seat;
  starter_reason?: StarterReason;
  declaration_order?: string[];
  declaration_order_seats?: Seat[];
  current?: string;
  current_seat?: Seat;
  turn?: number;
  turn_order?: string[];
  turn_order_seats?: Seat[];
  required_piece_count?: number | null;
  winner?: string;
  winner_seat?: Seat;
  piles_won?: number;
  pile_counts?: number[];
  total_scores?: number[];
  game_over?: boolean;
  winners?: string[];
}

/** `your_turn`: the decision the server waits for from this seat, with every legal option. */
export type YourTurn =
  | { action: "declare"; seat: Seat; options: number[]; timeout_ms: number }
  | {
    action: "play";
    seat: Seat;
    required_piece_count: number | null;
    options: number[][];
    timeout_ms: number;
  }
  | { action: "redeal"; seat: Seat; options: boolean[]; timeout_ms: number };

/** Events on a room channel, broadcast or private. */
export interface RoomServerEvents {
  connected: { connection_id: string; room_id: string; player_name: string | null };
  joined_room: {
    room_id: string;
    player_name: string;
    seat: number | null;
    session_token: string;
    room: RoomState;
  };
  left_room: Record<string, never>;
  player_joined: { player_name: string; seat: number | null; as: "player" | "spectator" };
  player_left: { player_name: string; seat: number | null };
  player_disconnected: { player_name: string; grace_ms: number };
  player_reconnected: { player_name: string; seat: number | null };
  host_changed: { host: string };
  room_state: RoomState;
  chat: { player_name: string; message: string };
  bot_took_over: { seat: Seat; player_name: string | null; reason: "timeout" | "disconnected" | "left" };
  game_state: GameStatePayload;
  resumed: { replayed: number; recovered: boolean };
  phase_change: PhaseChange;
  redeal_decision: { seat: Seat; player: string; accept: boolean; timed_out: boolean };
  player_declared: { seat: Seat; player: string; value: number; total: number; timed_out: boolean };
  player_played: { seat: Seat; player: string; pieces: Piece[]; play_type: string; timed_out: boolean };
  play_accepted: { player: string; pieces_played: number[] };
  turn_result: {
    winner: string;
    winner_seat: Seat;
    plays: PlayView[];
    piles_won: number;
    next_starter: string;
    next_starter_seat: Seat;
    turn: number;
  };
  round_scores: { round: number; multiplier: number; scores: RoundScoreEntry[] };
  game_over: { winners: string[]; winner_seats: Seat[]; rankings: RankingEntry[]; rounds: number };
  hand: { pieces: Piece[] };
  your_turn: YourTurn;
}

/** Events on the lobby channel. */
export interface LobbyServerEvents {
  room_list: { rooms: RoomSummary[] };
  room_created: RoomSummary & { session_token?: string; player_name?: string };
  room_updated: RoomSummary;
  room_removed: { room_id: string };
}

/** Events either channel may carry. */
export interface CommonServerEvents {
  ping: { timestamp: number };
  pong: Record<string, unknown> & { server_time: number };
  timeout_warning: { seconds_left: number };
  queued: { position: number; room_id: string };
  queue_processed: { room_id: string };
}

export type ServerEvents = RoomServerEvents & LobbyServerEvents & CommonServerEvents;
export type ServerEventName = keyof ServerEvents;

/** One event envelope as it arrives, discriminated by `event`. */
export type ServerEnvelope = {
  [E in ServerEventName]: {
    event: E;
    data: ServerEvents[E];
    room_id?: string;
    seq?: number;
    id?: string | number;
    timestamp: number;
  };
}[ServerEventName];

/** The error envelope. */
export interface ErrorEnvelope {
  event: "error";
  error: { code: ErrorCode; message: string; details: Record<string, unknown>; timestamp: number };
  id?: string | number;
}

/** Several envelopes delivered as one frame; each inner one keeps its own `seq`. */
export interface BatchEnvelope {
  event: "message_batch";
  data: { messages: (ServerEnvelope | ErrorEnvelope)[]; count: number };
  room_id?: string;
  timestamp: number;
}

/** Anything one frame from the server can be. */
export type ServerFrame = ServerEnvelope | ErrorEnvelope | BatchEnvelope;

/** The engine events the room broadcasts as they are (without `type`); `hands_dealt` becomes private hands. */
type WireGameEvent = Exclude<GameEvent["type"], "hands_dealt">;
/** Drops an index signature (`phase_change`'s open-ended phase data), keeping the named keys. */
type Named<T> = { [P in keyof T as string extends P ? never : P]: T[P] };
type WirePayload<K extends WireGameEvent> = Omit<Named<Extract<GameEvent, { type: K }>>, "type">;

/**
 * Compile-time proof that each engine event fits the payload clients are told to expect: an engine event that is
 * renamed, added or reshaped without this file following stops the build.
 */
export const ENGINE_EVENTS_FIT: {
  [K in WireGameEvent]: WirePayload<K> extends RoomServerEvents[K] ? true : false;
} = {
  phase_change: true,
  redeal_decision: true,
  player_declared: true,
  player_played: true,
  turn_result: true,
  round_scores: true,
  game_over: true,
};
