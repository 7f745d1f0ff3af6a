// The payload of every event the server sends, by channel, and the envelopes around them. Types only: no
// values, so a client (src/client, the page, tests, bench) can import this file without pulling in the server.

import type { PlayedEntry, RankingEntry, RoundScoreEntry } from "../game/events.ts";
import type { Piece } from "../game/pieces.ts";
import type { Phase, Seat, StarterReason } from "../game/state.ts";
import type { GameView } from "../game/view.ts";
import type { RoomState, RoomSummary } from "../rooms/room_views.ts";
import type { ErrorCode } from "./codes.ts";
import type { RequestId } from "./client_messages.ts";

export type { GameView, Phase, Piece, RoomState, RoomSummary, Seat };

// ---- game events (broadcast, with `seq`) -------------------------------------------------------------------

/** `phase_change`, one shape per phase it announces. */
export type PhaseChangeData =
  | {
    phase: "PREPARATION";
    round: number;
    redeal_multiplier: number;
    weak_seats: Seat[];
    weak_players: string[];
    /** Only after an executed redeal. */
    redeal_requester?: string;
    redeal_requester_seat?: Seat;
  }
  | {
    phase: "DECLARATION";
    round: number;
    starter: string;
    starter_seat: Seat;
    starter_reason: StarterReason;
    redeal_multiplier: number;
    declaration_order: string[];
    declaration_order_seats: Seat[];
    current: string;
    current_seat: Seat;
  }
  | {
    phase: "TURN";
    round: number;
    turn: number;
    starter: string;
    starter_seat: Seat;
    turn_order: string[];
    turn_order_seats: Seat[];
    current: string;
    current_seat: Seat;
    required_piece_count: null;
  }
  | {
    phase: "TURN_RESULTS";
    round: number;
    turn: number;
    winner: string;
    winner_seat: Seat;
    piles_won: number;
    pile_counts: number[];
  }
  | {
    phase: "SCORING";
    round: number;
    redeal_multiplier: number;
    total_scores: number[];
    game_over: boolean;
    winners: string[];
  }
  | { phase: "GAME_OVER"; round: number; winners: string[] };

/** Game events as the room broadcasts them: the engine's event without its `type`. */
export interface GameEventData {
  phase_change: PhaseChangeData;
  redeal_decision: { seat: Seat; player: string; accept: boolean; timed_out: boolean };
  player_declared: { seat: Seat; player: string; value: number; total: number; timed_out: boolean };
  player_played: { seat: Seat; player: string; pieces: Piece[]; play_type: string; timed_out: boolean };
  turn_result: {
    winner: string;
    winner_seat: Seat;
    plays: PlayedEntry[];
    piles_won: number;
    next_starter: string;
    next_starter_seat: Seat;
    turn: number;
  };
  round_scores: { round: number; multiplier: number; scores: RoundScoreEntry[] };
  game_over: { winners: string[]; winner_seats: Seat[]; rankings: RankingEntry[]; rounds: number };
}

// ---- private messages and direct replies -------------------------------------------------------------------

/** `your_turn`: what one seat may decide now; `options` lists every legal choice. */
export type YourTurnData =
  | { action: "declare"; seat: Seat; options: number[]; timeout_ms: number }
  | {
    action: "play";
    seat: Seat;
    /** Null for the turn's starter. */
    required_piece_count: number | null;
    options: number[][];
    timeout_ms: number;
  }
  | { action: "redeal"; seat: Seat; options: [true, false]; timeout_ms: number };

/** Who this connection speaks for, in `game_state.you`. */
export interface YouData {
  player_name: string;
  /** Null for a spectator. */
  seat: Seat | null;
  is_host: boolean;
  is_spectator: boolean;
}

/** `game_state`: the table, who you are, and the game as your seat may see it (all null without a room). */
export interface GameStateData {
  room: RoomState | null;
  you: YouData | null;
  game: GameView | null;
}

/** `resumed`: the end of a resume; `recovered: false` means a fresh `game_state` replaced the missed events. */
export interface ResumedData {
  replayed: number;
  recovered: boolean;
}

/**
 * `redirect` (multi-node): this node does not own the room; reconnect to `url` (absolute) or `path` (on the same
 * origin, e.g. `/n/{node}/ws/{room}`) and resume there. The server closes the socket after it.
 */
export interface RedirectData {
  url?: string;
  path?: string;
}

/** Events every channel may receive. */
export interface CommonServerEvents {
  ping: { timestamp: number };
  /** The client's `ping` data echoed, plus the server's clock. */
  pong: Record<string, unknown> & { server_time: number };
  timeout_warning: { seconds_left: number };
  redirect: RedirectData;
}

/** Every event of a room channel `/ws/{room_id}`, by name. */
export interface RoomServerEvents extends CommonServerEvents, GameEventData {
  connected: { connection_id: string; room_id: string; player_name: string | null };
  queued: { position: number; room_id: string };
  queue_processed: { room_id: string };
  joined_room: {
    room_id: string;
    player_name: string;
    seat: Seat | null;
    session_token: string;
    room: RoomState;
  };
  left_room: Record<string, never>;
  play_accepted: { player: string; pieces_played: number[] };
  game_state: GameStateData;
  resumed: ResumedData;
  hand: { pieces: Piece[] };
  your_turn: YourTurnData;
  player_joined: { player_name: string; seat: Seat | null; as: "player" | "spectator" };
  player_left: { player_name: string; seat: Seat | null };
  player_disconnected: { player_name: string; grace_ms: number };
  player_reconnected: { player_name: string; seat: Seat | null };
  bot_took_over: { seat: Seat; player_name: string | null; reason: "timeout" | "disconnected" | "left" };
  host_changed: { host: string };
  room_state: RoomState;
  chat: { player_name: string; message: string };
}

/** Every event of the lobby channel `/ws/lobby`, by name. */
export interface LobbyServerEvents extends CommonServerEvents {
  room_list: { rooms: RoomSummary[] };
  /** The lobby broadcast carries a RoomSummary; the creator's direct reply adds its token and name. */
  room_created: RoomSummary & { session_token?: string; player_name?: string };
  room_updated: RoomSummary;
  room_removed: { room_id: string };
}

/** The reply each request with a direct reply gets (the others are answered only by broadcasts or errors). */
export interface RoomReplies {
  join_room: "joined_room";
  leave_room: "left_room";
  get_state: "game_state";
  play: "play_accepted";
  ping: "pong";
}

export interface LobbyReplies {
  create_room: "room_created";
  refresh_rooms: "room_list";
  ping: "pong";
}

// ---- envelopes ----------------------------------------------------------------------------------------------

/** One event as it arrives. `seq` only on room broadcasts, `id` only on direct replies. */
export interface ServerEnvelope<E extends string = string, D = unknown> {
  event: E;
  data: D;
  room_id?: string;
  seq?: number;
  id?: RequestId;
  timestamp: number;
}

/** The `error` envelope: a recoverable mistake; the socket stays open. */
export interface ErrorEnvelope {
  event: "error";
  error: { code: ErrorCode; message: string; details: Record<string, unknown>; timestamp: number };
  id?: RequestId;
}

/** Several envelopes for one client in one frame; each inner one keeps its own `seq`. */
export type BatchEnvelope = ServerEnvelope<
  "message_batch",
  { messages: (ServerEnvelope | ErrorEnvelope)[]; count: number }
>;

/** The union of every envelope a channel with events `M` delivers, discriminated by `event`. */
export type ServerMessage<M> =
  | { [K in keyof M & string]: ServerEnvelope<K, M[K]> }[keyof M & string]
  | ErrorEnvelope;
