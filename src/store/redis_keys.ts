// Every Redis key the cluster uses, in one place. Per-room keys share the hash tag {room} so one Function
// call touches one slot and Redis Cluster stays possible; the lobby's keys share {lobby}.

/** The keys of one room. Room ids match ROOM_ID_PATTERN (no braces) and never equal "lobby". */
export interface RoomKeys {
  /** Hash: status (open/finished), epoch, token, owner, seq (the head), created, data (JSON), leased_at. */
  readonly meta: string;
  /** String with PX: the current lease token. */
  readonly lease: string;
  /** Stream: the room's log, entry id `<seq>-0`. Never trimmed while the room lives. */
  readonly log: string;
  /** Hash: action id → the seq it got. */
  readonly ids: string;
}

export function roomKeys(room: string): RoomKeys {
  const tag = `lt:{${room}}`;
  return { meta: `${tag}:meta`, lease: `${tag}:lease`, log: `${tag}:log`, ids: `${tag}:ids` };
}

export const LOBBY_KEYS = {
  /** Zset: room → listing expiry (Redis ms). */
  z: "lt:{lobby}:z",
  /** Hash: room → `<epoch>|<summary json>`. */
  h: "lt:{lobby}:h",
  /** Stream of put / remove / expire events, capped with MAXLEN ~. */
  ev: "lt:{lobby}:ev",
} as const;

/**
 * Zset: room id → createdAt, every room ever created and not yet known finished. Its own slot (it spans
 * rooms), so it is kept beside the atomic calls: added to before a room is created, trimmed after it
 * finishes, and read through each room's meta, which stays the truth.
 */
export const ROOMS_KEY = "lt:rooms";

/** Finished games: `h` game id → JSON; `z` members `<finishedAt, 16 digits>.<gameId>` at score 0. */
export const GAMES_KEYS = { h: "lt:{games}:h", z: "lt:{games}:z" } as const;

/** Hash: node id → its public base URL and last heartbeat, for operators and redirects. */
export const NODES_KEY = "lt:nodes";
