// The ports kept in this process's memory: for tests, benchmarks and a server run without a data directory.
// Same contract as the SQLite store (the conformance suite checks both); nothing survives the process.

import type {
  AcquireResult,
  AppendResult,
  FinishedGame,
  GamePage,
  Grant,
  Json,
  LogEntry,
  RoomLog,
  RoomMeta,
  RoomRecord,
  Store,
  StoredEntry,
} from "./ports.ts";
import { pageOfGames } from "./game_pages.ts";

/** An entry as kept: its data as JSON text, which is the copy the contract asks for (see `append`). */
interface KeptEntry {
  actionId: string;
  at: number;
  eventSeq: number;
  seq: number;
  json: string;
}

interface MemoryRoom {
  meta: RoomMeta;
  entries: KeptEntry[];
  actionIds: Map<string, number>;
  epoch: number;
  token: string | null;
  finished: boolean;
}

/** Builds a store whose data lives in plain maps. Every answer is a resolved promise, as a real store's is. */
export function memoryStore(): Store {
  const rooms = new Map<string, MemoryRoom>();
  const games = new Map<string, FinishedGame>();
  let tokens = 0;

  /** The checks every write makes, in the order the RoomLog contract gives. */
  const check = (grant: Grant): { room: MemoryRoom } | { rejected: AppendResult } => {
    const room = rooms.get(grant.roomId);
    if (room === undefined) return { rejected: { kind: "not_found" } };
    if (room.finished) return { rejected: { kind: "finished" } };
    if (room.epoch !== grant.epoch || room.token !== grant.token) {
      return { rejected: { kind: "fenced", epoch: room.epoch } };
    }
    return { room };
  };

  const record = (room: MemoryRoom): RoomRecord => ({
    meta: room.meta,
    head: room.entries.length,
    finished: room.finished,
  });

  const log: RoomLog = {
    create(meta) {
      const existing = rooms.get(meta.roomId);
      if (existing !== undefined) return Promise.resolve({ created: false, head: existing.entries.length });
      rooms.set(meta.roomId, {
        meta: structuredClone(meta),
        entries: [],
        actionIds: new Map(),
        epoch: 0,
        token: null,
        finished: false,
      });
      return Promise.resolve({ created: true, head: 0 });
    },

    append(grant: Grant, expectSeq: number, entry: LogEntry): Promise<AppendResult> {
      const checked = check(grant);
      if ("rejected" in checked) return Promise.resolve(checked.rejected);
      const { room } = checked;
      const earlier = room.actionIds.get(entry.actionId);
      if (earlier !== undefined) return Promise.resolve({ kind: "duplicate", seq: earlier });
      if (expectSeq !== room.entries.length + 1) {
        return Promise.resolve({ kind: "conflict", head: room.entries.length });
      }
      // A copy, so a caller changing its object later cannot rewrite history: the data's JSON text, as the
      // SQLite store keeps it, parsed again only when read. structuredClone cost a third of the server's CPU
      // per chat in the transport benchmark (every chat is an entry), and a JSON round trip at every append
      // plus the object tree it kept still about a sixth; a read (a restart, a takeover) is rare.
      room.entries.push({
        actionId: entry.actionId,
        at: entry.at,
        eventSeq: entry.eventSeq,
        seq: expectSeq,
        json: JSON.stringify(entry.data),
      });
      room.actionIds.set(entry.actionId, expectSeq);
      return Promise.resolve({ kind: "ok", seq: expectSeq });
    },

    read(roomId, after, limit) {
      const entries = rooms.get(roomId)?.entries ?? [];
      const from = Math.max(0, after);
      return Promise.resolve(
        entries.slice(from, from + limit).map((kept): StoredEntry => ({
          actionId: kept.actionId,
          at: kept.at,
          eventSeq: kept.eventSeq,
          data: JSON.parse(kept.json) as Json,
          seq: kept.seq,
        })),
      );
    },

    head(roomId) {
      return Promise.resolve(rooms.get(roomId)?.entries.length ?? null);
    },

    room(roomId) {
      const room = rooms.get(roomId);
      return Promise.resolve(room === undefined ? null : record(room));
    },

    unfinished() {
      const open = [...rooms.values()].filter((r) => !r.finished).map(record);
      open.sort((a, b) => a.meta.createdAt - b.meta.createdAt);
      return Promise.resolve(open);
    },

    finish(grant) {
      const checked = check(grant);
      if ("rejected" in checked) return Promise.resolve(checked.rejected);
      checked.room.finished = true;
      return Promise.resolve({ kind: "ok", seq: checked.room.entries.length });
    },
  };

  return {
    kind: "memory",
    log,
    ownership: {
      acquire(roomId, _owner): Promise<AcquireResult> {
        const room = rooms.get(roomId);
        if (room === undefined || room.finished) return Promise.resolve({ kind: "not_found" });
        room.epoch += 1;
        room.token = `m${++tokens}`;
        return Promise.resolve({
          kind: "granted",
          grant: { roomId, token: room.token, epoch: room.epoch, head: room.entries.length },
        });
      },
      renew(grant) {
        const room = rooms.get(grant.roomId);
        return Promise.resolve(
          room !== undefined && room.epoch === grant.epoch && room.token === grant.token,
        );
      },
      release(grant) {
        const room = rooms.get(grant.roomId);
        if (room !== undefined && room.epoch === grant.epoch) room.token = null;
        return Promise.resolve();
      },
    },
    archive: {
      put(game) {
        if (!games.has(game.gameId)) games.set(game.gameId, structuredClone(game));
        return Promise.resolve();
      },
      list(limit, cursor): Promise<GamePage> {
        return Promise.resolve(pageOfGames([...games.values()], limit, cursor));
      },
      get(gameId) {
        const game = games.get(gameId);
        return Promise.resolve(game === undefined ? null : structuredClone(game));
      },
    },
    close: () => Promise.resolve(),
  };
}
