// The page's whole state in one value, and how to make a fresh one. Plain data: views render from it only.

import type { GameView } from "../game/view.ts";
import type { RoomState, RoomSummary } from "../rooms/room_views.ts";
import type { YourTurn } from "../protocol/server_events.ts";

/** Where the page is: the lobby, or one room by id. */
export type Route = { kind: "lobby" } | { kind: "room"; roomId: string };

/**
 * The route of a page address: `/room/{room_id}` with a room id (1–32 of `[A-Za-z0-9_-]`, not `lobby`, the
 * lobby's channel), else the lobby.
 */
export function routeOf(path: string): Route {
  const match = /^\/room\/([A-Za-z0-9_-]{1,32})\/?$/.exec(path);
  const roomId = match?.[1];
  return roomId === undefined || roomId === "lobby" ? { kind: "lobby" } : { kind: "room", roomId };
}

/** The socket's state as a person should see it. */
export type LinkStatus = "connecting" | "open" | "reconnecting" | "replaced" | "removed" | "closed";

/** A line of the room's log: a chat message, or something that happened at the table. */
export interface LogLine {
  kind: "chat" | "event";
  /** The speaker of a chat line. */
  who?: string;
  text: string;
  at: number;
}

/** The decision the server waits for from us, with when it runs out (null: no deadline). */
export type PendingDecision = YourTurn & { deadline: number | null; sent: boolean };

/** Who we are in the room, once joined (or rebound by our session token). */
export interface Me {
  name: string;
  seat: number | null;
}

export interface AppState {
  route: Route;
  link: LinkStatus;
  /** The name this browser plays under, remembered between visits. */
  playerName: string;
  /** Lobby: the public rooms, live. `loaded` turns true with the first list. */
  lobby: { rooms: RoomSummary[]; loaded: boolean };
  room: RoomState | null;
  me: Me | null;
  game: GameView | null;
  yourTurn: PendingDecision | null;
  /** Piece ids selected in the hand, in the order they were picked. */
  selection: number[];
  log: LogLine[];
  /** The latest notice worth a banner (a bot taking over, a host change). */
  notice: { text: string; at: number } | null;
  error: { code: string; message: string; at: number } | null;
  /** The last room broadcast `seq` applied; a gap means we missed something. */
  seq: number;
  /** Place in the room's connection queue, when the room is over its cap. */
  queuedAt: number | null;
  /** Every round's scores seen in this session, oldest first (the current round's too while shown). */
  roundHistory: { round: number; scores: NonNullable<GameView["round_scores"]> }[];
}

/** Chat and event lines kept; older ones scroll away. */
export const LOG_LIMIT = 150;

export function initialState(route: Route, playerName: string): AppState {
  return {
    route,
    link: "connecting",
    playerName,
    lobby: { rooms: [], loaded: false },
    room: null,
    me: null,
    game: null,
    yourTurn: null,
    selection: [],
    log: [],
    notice: null,
    error: null,
    seq: 0,
    queuedAt: null,
    roundHistory: [],
  };
}
