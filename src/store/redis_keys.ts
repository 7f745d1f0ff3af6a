// Every Redis key the cluster uses, in one place. Per-room keys share the hash tag {room} so one Function
// call touches one slot and Redis Cluster stays possible; the lobby's keys share {lobby}.

/** The keys of one room. Room ids match ROOM_ID_PATTERN (no braces) and never equal "lobby". */
export interface RoomKeys {
  /** Hash: status, epoch, token, owner, seq, created, and the room's own fields. */
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

/** Hash: node id → its public base URL and last heartbeat, for operators and redirects. */
export const NODES_KEY = "lt:nodes";
