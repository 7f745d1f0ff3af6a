// The RoomLog port on Redis: each room's log is a stream with entry ids <seq>-0, written only through the
// atomic lt_log_append Function; metadata and head live in the room's meta hash.

import type { Redis } from "ioredis";
import type {
  AppendResult,
  Grant,
  Json,
  LogEntry,
  RoomLog,
  RoomMeta,
  RoomRecord,
  StoredEntry,
} from "./ports.ts";
import { guarded } from "./redis_failure.ts";
import type { AppendReply, RedisFunctions } from "./redis_functions.ts";
import { roomKeys, ROOMS_KEY } from "./redis_keys.ts";

/** How many rooms `unfinished()` reads per round trip. */
const PAGE = 500;

export class RedisRoomLog implements RoomLog {
  readonly #redis: Redis;
  readonly #fns: RedisFunctions;

  constructor(redis: Redis, fns: RedisFunctions) {
    this.#redis = redis;
    this.#fns = fns;
  }

  create(meta: RoomMeta): Promise<{ created: boolean; head: number }> {
    return guarded("create", async () => {
      // Indexed first: a crash between the two leaves an index entry without a room, which readers skip,
      // rather than a room nobody can find.
      await this.#redis.zadd(ROOMS_KEY, "NX", meta.createdAt, meta.roomId);
      const reply = await this.#fns.roomCreate(meta.roomId, meta.createdAt, JSON.stringify(meta.data));
      return reply.status === "created" ? { created: true, head: 0 } : { created: false, head: reply.head };
    });
  }

  append(grant: Grant, expectSeq: number, entry: LogEntry): Promise<AppendResult> {
    return guarded("append", async () =>
      result(
        await this.#fns.logAppend({
          room: grant.roomId,
          token: grant.token,
          epoch: grant.epoch,
          seq: expectSeq,
          actionId: entry.actionId,
          fields: {
            a: entry.actionId,
            at: String(entry.at),
            ev: String(entry.eventSeq),
            d: JSON.stringify(entry.data),
          },
        }),
      ));
  }

  read(roomId: string, after: number, limit: number): Promise<StoredEntry[]> {
    return guarded("read", async () => {
      if (limit <= 0) return [];
      const rows = await this.#redis.xrange(
        roomKeys(roomId).log,
        `(${Math.max(0, after)}-0`,
        "+",
        "COUNT",
        limit,
      );
      return rows.map(([id, fields]) => parseEntry(roomId, id, fields));
    });
  }

  head(roomId: string): Promise<number | null> {
    return guarded("head", async () => {
      const seq = await this.#redis.hget(roomKeys(roomId).meta, "seq");
      return seq === null ? null : Number(seq);
    });
  }

  room(roomId: string): Promise<RoomRecord | null> {
    return guarded("room", async () => {
      const [created, data, seq, status] = await this.#redis.hmget(
        roomKeys(roomId).meta,
        "created",
        "data",
        "seq",
        "status",
      );
      return record(roomId, created ?? null, data ?? null, seq ?? null, status ?? null);
    });
  }

  unfinished(): Promise<RoomRecord[]> {
    return guarded("unfinished", async () => {
      const open: RoomRecord[] = [];
      for (let start = 0;; start += PAGE) {
        const ids = await this.#redis.zrange(ROOMS_KEY, String(start), String(start + PAGE - 1));
        if (ids.length === 0) break;
        const pipeline = this.#redis.pipeline();
        for (const id of ids) pipeline.hmget(roomKeys(id).meta, "created", "data", "seq", "status");
        const replies = (await pipeline.exec()) ?? [];
        ids.forEach((id, i) => {
          const [error, values] = replies[i] ?? [new Error("no reply"), null];
          if (error) throw error;
          const [created, data, seq, status] = values as (string | null)[];
          const room = record(id, created ?? null, data ?? null, seq ?? null, status ?? null);
          if (room !== null && !room.finished) open.push(room);
        });
        if (ids.length < PAGE) break;
      }
      return open;
    });
  }

  finish(grant: Grant): Promise<AppendResult> {
    return guarded("finish", async () => {
      const reply = await this.#fns.roomFinish(grant.roomId, grant.token, grant.epoch);
      // The meta hash already says finished; the index entry only saves later scans a lookup.
      if (reply.status === "ok" || reply.status === "finished") {
        await this.#redis.zrem(ROOMS_KEY, grant.roomId);
      }
      return result(reply);
    });
  }
}

function result(reply: AppendReply): AppendResult {
  switch (reply.status) {
    case "ok":
      return { kind: "ok", seq: reply.seq };
    case "fenced":
      return { kind: "fenced", epoch: reply.epoch };
    case "duplicate":
      return { kind: "duplicate", seq: reply.seq };
    case "conflict":
      return { kind: "conflict", head: reply.head };
    case "finished":
      return { kind: "finished" };
    case "not_found":
      return { kind: "not_found" };
  }
}

function record(
  roomId: string,
  created: string | null,
  data: string | null,
  seq: string | null,
  status: string | null,
): RoomRecord | null {
  if (created === null || data === null || seq === null || status === null) return null;
  return {
    meta: { roomId, createdAt: Number(created), data: JSON.parse(data) as Json },
    head: Number(seq),
    finished: status === "finished",
  };
}

function parseEntry(roomId: string, id: string, fields: string[]): StoredEntry {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i]!, fields[i + 1]!);
  const actionId = values.get("a");
  const at = values.get("at");
  const eventSeq = values.get("ev");
  const data = values.get("d");
  if (actionId === undefined || at === undefined || eventSeq === undefined || data === undefined) {
    throw new Error(`room ${roomId}: log entry ${id} is missing a field`);
  }
  return {
    seq: Number(id.slice(0, id.indexOf("-"))),
    actionId,
    at: Number(at),
    eventSeq: Number(eventSeq),
    data: JSON.parse(data) as Json,
  };
}
