// Typed calls into the liaptui Redis Function library: arguments in, one discriminated union out per
// function. Knows the key layout and the reply shapes; decides nothing itself.

import { GAMES_KEYS, LOBBY_KEYS, roomKeys } from "./redis_keys.ts";

/** The one thing this module needs from a client: send a command, get the raw (RESP2) reply. */
export interface RedisCaller {
  call(command: string, args: (string | number)[]): Promise<unknown>;
}

export type CreateReply = { status: "created" } | { status: "exists"; head: number };

export type AcquireReply =
  | { status: "granted"; epoch: number; head: number }
  | { status: "busy"; owner: string; epoch: number; remainingMs: number }
  | { status: "not_found" };

export type RenewReply = { status: "ok" } | { status: "fenced"; epoch: number };

export type ReleaseReply = { status: "ok" } | { status: "fenced"; epoch: number };

export type AppendReply =
  | { status: "ok"; seq: number }
  | { status: "fenced"; epoch: number }
  | { status: "duplicate"; seq: number }
  | { status: "finished" }
  | { status: "conflict"; head: number }
  | { status: "not_found" };

/** What a finish answers: an append's refusals, or ok with the head it closed at. */
export type FinishReply = Extract<AppendReply, { status: "ok" | "fenced" | "finished" | "not_found" }>;

export type ListingReply =
  | { status: "ok"; eventId: string | null }
  | { status: "stale"; epoch: number }
  | { status: "absent" };

export interface SnapshotReply {
  /** The change stream's last id when the snapshot was taken ("0-0" when it is empty). */
  lastEventId: string;
  /** room → `{ epoch, summary }` with the summary as the owner wrote it (JSON text). */
  listings: Map<string, { epoch: number; summary: string }>;
}

export interface AppendRequest {
  room: string;
  token: string;
  epoch: number;
  seq: number;
  /** De-duplication key (never empty). */
  actionId: string;
  /** Stream entry fields (at least one). */
  fields: Record<string, string>;
}

/** A reply that is not what the library answers: a bug or the wrong library, never a normal outcome. */
export class UnexpectedReply extends Error {
  constructor(fn: string, reply: unknown) {
    super(`unexpected reply from ${fn}: ${JSON.stringify(reply)}`);
    this.name = "UnexpectedReply";
  }
}

export class RedisFunctions {
  readonly #redis: RedisCaller;

  constructor(redis: RedisCaller) {
    this.#redis = redis;
  }

  /** The loaded library's version (throws if it is not loaded). */
  async version(): Promise<string> {
    const reply = await this.#redis.call("FCALL_RO", ["lt_version", 0]);
    if (typeof reply !== "string") throw new UnexpectedReply("lt_version", reply);
    return reply;
  }

  async roomCreate(room: string, createdAt: number, data: string): Promise<CreateReply> {
    const k = roomKeys(room);
    const reply = await this.#fcall("lt_room_create", [k.meta], [whole(createdAt), data]);
    if (reply[0] === "created") return { status: "created" };
    if (reply[0] === "exists") return { status: "exists", head: int(reply, 1, "lt_room_create") };
    throw new UnexpectedReply("lt_room_create", reply);
  }

  async leaseAcquire(room: string, token: string, owner: string, ttlMs: number): Promise<AcquireReply> {
    const k = roomKeys(room);
    const fn = "lt_lease_acquire";
    const reply = await this.#fcall(fn, [k.meta, k.lease], [token, owner, whole(ttlMs)]);
    switch (reply[0]) {
      case "granted":
        return { status: "granted", epoch: int(reply, 1, fn), head: int(reply, 2, fn) };
      case "busy":
        return {
          status: "busy",
          owner: text(reply, 1, fn),
          epoch: int(reply, 2, fn),
          remainingMs: int(reply, 3, fn),
        };
      case "not_found":
        return { status: "not_found" };
    }
    throw new UnexpectedReply(fn, reply);
  }

  async leaseRenew(room: string, token: string, ttlMs: number): Promise<RenewReply> {
    const k = roomKeys(room);
    const reply = await this.#fcall("lt_lease_renew", [k.meta, k.lease], [token, whole(ttlMs)]);
    if (reply[0] === "ok") return { status: "ok" };
    if (reply[0] === "fenced") return { status: "fenced", epoch: int(reply, 1, "lt_lease_renew") };
    throw new UnexpectedReply("lt_lease_renew", reply);
  }

  async leaseRelease(room: string, token: string): Promise<ReleaseReply> {
    const k = roomKeys(room);
    const reply = await this.#fcall("lt_lease_release", [k.meta, k.lease], [token]);
    if (reply[0] === "ok") return { status: "ok" };
    if (reply[0] === "fenced") return { status: "fenced", epoch: int(reply, 1, "lt_lease_release") };
    throw new UnexpectedReply("lt_lease_release", reply);
  }

  async logAppend(request: AppendRequest): Promise<AppendReply> {
    const k = roomKeys(request.room);
    const fn = "lt_log_append";
    const reply = await this.#fcall(fn, [k.meta, k.lease, k.log, k.ids], [
      request.token,
      whole(request.epoch),
      whole(request.seq),
      request.actionId,
      ...flatten(request.fields),
    ]);
    switch (reply[0]) {
      case "ok":
        return { status: "ok", seq: int(reply, 1, fn) };
      case "fenced":
        return { status: "fenced", epoch: int(reply, 1, fn) };
      case "duplicate":
        return { status: "duplicate", seq: int(reply, 1, fn) };
      case "finished":
        return { status: "finished" };
      case "conflict":
        return { status: "conflict", head: int(reply, 1, fn) };
      case "not_found":
        return { status: "not_found" };
    }
    throw new UnexpectedReply(fn, reply);
  }

  async roomFinish(room: string, token: string, epoch: number): Promise<FinishReply> {
    const k = roomKeys(room);
    const fn = "lt_room_finish";
    const reply = await this.#fcall(fn, [k.meta, k.lease], [token, whole(epoch)]);
    switch (reply[0]) {
      case "ok":
        return { status: "ok", seq: int(reply, 1, fn) };
      case "fenced":
        return { status: "fenced", epoch: int(reply, 1, fn) };
      case "finished":
        return { status: "finished" };
      case "not_found":
        return { status: "not_found" };
    }
    throw new UnexpectedReply(fn, reply);
  }

  /** Stores a finished game unless one with its id is there; true when stored. */
  async gamePut(gameId: string, orderMember: string, json: string): Promise<boolean> {
    const reply = await this.#fcall("lt_game_put", [GAMES_KEYS.h, GAMES_KEYS.z], [gameId, orderMember, json]);
    if (reply[0] === "ok") return true;
    if (reply[0] === "exists") return false;
    throw new UnexpectedReply("lt_game_put", reply);
  }

  lobbyPut(
    room: string,
    epoch: number,
    ttlMs: number,
    maxLen: number,
    summary: string,
  ): Promise<ListingReply> {
    return this.#listing("lt_lobby_put", [room, whole(epoch), whole(ttlMs), whole(maxLen), summary]);
  }

  lobbyRemove(room: string, epoch: number, maxLen: number): Promise<ListingReply> {
    return this.#listing("lt_lobby_remove", [room, whole(epoch), whole(maxLen)]);
  }

  /** Removes listings whose expiry has passed; answers how many went. */
  async lobbySweep(maxLen: number, limit: number): Promise<number> {
    const reply = await this.#fcall("lt_lobby_sweep", lobbyKeys(), [whole(maxLen), whole(limit)]);
    if (reply[0] !== "ok") throw new UnexpectedReply("lt_lobby_sweep", reply);
    return int(reply, 1, "lt_lobby_sweep");
  }

  async lobbySnapshot(maxLen: number): Promise<SnapshotReply> {
    const fn = "lt_lobby_snapshot";
    const reply = await this.#fcall(fn, lobbyKeys(), [whole(maxLen)]);
    if (reply[0] !== "ok") throw new UnexpectedReply(fn, reply);
    const listings = new Map<string, { epoch: number; summary: string }>();
    for (let i = 2; i + 1 < reply.length; i += 2) {
      const room = text(reply, i, fn);
      const listing = parseListing(text(reply, i + 1, fn));
      if (listing === null) throw new UnexpectedReply(fn, reply);
      listings.set(room, listing);
    }
    return { lastEventId: text(reply, 1, fn), listings };
  }

  async #listing(fn: string, args: string[]): Promise<ListingReply> {
    const reply = await this.#fcall(fn, lobbyKeys(), args);
    if (reply[0] === "ok") {
      const id = text(reply, 1, fn);
      return { status: "ok", eventId: id === "" ? null : id };
    }
    if (reply[0] === "stale") return { status: "stale", epoch: int(reply, 1, fn) };
    if (reply[0] === "absent") return { status: "absent" };
    throw new UnexpectedReply(fn, reply);
  }

  async #fcall(fn: string, keys: string[], args: string[]): Promise<unknown[]> {
    const reply = await this.#redis.call("FCALL", [fn, keys.length, ...keys, ...args]);
    if (!Array.isArray(reply)) throw new UnexpectedReply(fn, reply);
    return reply;
  }
}

/** `<epoch>|<summary>` as lt_lobby_put stores it. */
export function parseListing(value: string): { epoch: number; summary: string } | null {
  const bar = value.indexOf("|");
  if (bar <= 0 || !/^\d+$/.test(value.slice(0, bar))) return null;
  return { epoch: Number(value.slice(0, bar)), summary: value.slice(bar + 1) };
}

function lobbyKeys(): string[] {
  return [LOBBY_KEYS.z, LOBBY_KEYS.h, LOBBY_KEYS.ev];
}

function flatten(fields: Record<string, string>): string[] {
  return Object.entries(fields).flat();
}

function whole(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`expected a whole number, got ${value}`);
  }
  return String(value);
}

function int(reply: unknown[], index: number, fn: string): number {
  const value = reply[index];
  if (typeof value !== "number") throw new UnexpectedReply(fn, reply);
  return value;
}

function text(reply: unknown[], index: number, fn: string): string {
  const value = reply[index];
  if (typeof value !== "string") throw new UnexpectedReply(fn, reply);
  return value;
}
