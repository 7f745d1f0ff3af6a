// The typed vocabulary of each channel as a client sees it: events in, requests out, and which reply answers
// which request. Derived from the server's own types; type-only imports, so nothing of the server is bundled.

import type { ClientEventData, LobbyEvents, RequestId, RoomEvents } from "../protocol/client_messages.ts";
import type {
  CommonServerEvents,
  ErrorEnvelope,
  LobbyServerEvents,
  RoomServerEvents,
} from "../protocol/server_events.ts";

/** One event as it arrives: `seq` only on room broadcasts, `id` only on direct replies. */
export interface Envelope<E extends string = string, D = unknown> {
  event: E;
  data: D;
  room_id?: string;
  seq?: number;
  id?: RequestId;
  timestamp: number;
}

/**
 * `redirect` (multi-node, `../shared/spec/multi-node.md`): this node does not own the room; reconnect to `url`
 * (absolute) or `path` (same origin, e.g. `/n/{node}/ws/{room}`) and resume there. The server closes after it.
 */
export interface RedirectData {
  url?: string;
  path?: string;
}

/** Events of both channels that the client handles itself as well as delivering them. */
interface ClientHandledEvents {
  redirect: RedirectData;
}

/** The direct reply each room request gets (the other requests are answered by broadcasts or an error). */
export interface RoomReplies {
  join_room: "joined_room";
  leave_room: "left_room";
  get_state: "game_state";
  play: "play_accepted";
  ping: "pong";
}

/** The direct reply each lobby request gets. */
export interface LobbyReplies {
  create_room: "room_created";
  refresh_rooms: "room_list";
  ping: "pong";
}

/** One channel's types: `events` arrive, `requests` are sent, `replies` names each request's direct reply. */
export interface Channel {
  events: object;
  requests: object;
  replies: object;
}

/** `/ws/{room_id}`. `resume` is in the contract; a server without it answers `UNKNOWN_EVENT`. */
export interface RoomChannel extends Channel {
  events: RoomServerEvents & CommonServerEvents & ClientHandledEvents;
  requests: ClientEventData<RoomEvents> & { resume: { session_token: string; last_seq: number } };
  replies: RoomReplies;
}

/** `/ws/lobby`. */
export interface LobbyChannel extends Channel {
  events: LobbyServerEvents & CommonServerEvents & ClientHandledEvents;
  requests: ClientEventData<LobbyEvents>;
  replies: LobbyReplies;
}

/** Every event name a handler can listen for on channel `C`, `error` included. */
export type EventName<C extends Channel> = (keyof C["events"] & string) | "error";

/** The payload a handler of `K` receives: the event's `data`, or the `error` body. */
export type EventData<C extends Channel, K extends EventName<C>> = K extends "error" ? ErrorEnvelope["error"]
  : K extends keyof C["events"] ? C["events"][K]
  : never;

/** The whole envelope of `K`. */
export type EventMessage<C extends Channel, K extends EventName<C>> = K extends "error" ? ErrorEnvelope
  : K extends keyof C["events"] ? Envelope<K, C["events"][K]>
  : never;

/** Any envelope channel `C` delivers, discriminated by `event`. */
export type ChannelMessage<C extends Channel> = { [K in EventName<C>]: EventMessage<C, K> }[EventName<C>];

/** Request names of channel `C`. */
export type RequestName<C extends Channel> = keyof C["requests"] & string;

/** `data` is optional for requests whose every field is optional. */
export type SendArgs<C extends Channel, K extends RequestName<C>> = Record<string, never> extends
  C["requests"][K] ? [data?: C["requests"][K], id?: RequestId]
  : [data: C["requests"][K], id?: RequestId];

export interface RequestOptions {
  /** How long to wait for the reply (default: the client's `requestTimeoutMs`). */
  timeoutMs?: number;
}

/** Arguments of `request()`: `data` as for `send()`, then per-request options. */
export type RequestArgs<C extends Channel, K extends RequestName<C>> = Record<string, never> extends
  C["requests"][K] ? [data?: C["requests"][K], options?: RequestOptions]
  : [data: C["requests"][K], options?: RequestOptions];

/** Requests the server answers directly (the others are answered by broadcasts, or by an error). */
export type ReplyingRequest<C extends Channel> = keyof C["replies"] & RequestName<C>;

/** The envelope that answers request `K`. */
export type ReplyOf<C extends Channel, K extends ReplyingRequest<C>> = C["replies"][K] extends
  keyof C["events"] & string ? Envelope<C["replies"][K], C["events"][C["replies"][K]]>
  : never;
