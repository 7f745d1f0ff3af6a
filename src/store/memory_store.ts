// The ports kept in this process's memory: for tests, benchmarks and a server run without a data directory.
// Same contract as the SQLite store (the conformance suite checks both) unless told to keep only a window of
// each log (`keptEntries`); nothing survives the process.

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
import { answered, StoreError } from "./ports.ts";
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
  /** Seq of the last entry appended (entries dropped from the window still count). */
  head: number;
  /** The kept window: `entries[start..]`, oldest first, ending at `head`. */
  entries: KeptEntry[];
  start: number;
  /** Action ids of the kept entries, with their seqs. */
  actionIds: Map<string, number>;
  epoch: number;
  token: string | null;
  finished: boolean;
}

export interface MemoryStoreOptions {
  /**
   * How many of each log's newest entries are kept (default: all of them, the contract every store keeps).
   * Older ones are dropped: their seqs still count in the head, an action id among them is no longer answered
   * `duplicate`, and `read()` from before the kept window rejects with a StoreError rather than return a log
   * with a hole in it. For a server that never reads its logs back (see main.ts); a finished log then keeps
   * none, since it takes no more appends.
   */
  keptEntries?: number;
}

/**
 * Builds a store whose data lives in plain maps. Every answer is a resolved promise, as a real store's is;
 * an append's is also readable at once (`knownAnswer`).
 */
export function memoryStore(options: MemoryStoreOptions = {}): Store {
  const kept = options.keptEntries ?? Infinity;
  const rooms = new Map<string, MemoryRoom>();
  const games = new Map<string, FinishedGame>();
  let tokens = 0;

  /** Drops the oldest kept entries beyond the window, compacting the array once most of it is dropped. */
  const trim = (room: MemoryRoom): void => {
    while (room.entries.length - room.start > kept) {
      room.actionIds.delete(room.entries[room.start]!.actionId);
      room.start += 1;
    }
    if (room.start > 64 && room.start * 2 > room.entries.length) {
      room.entries = room.entries.slice(room.start);
      room.start = 0;
    }
  };

  /** The checks every write makes after finding its room, in the contract's order: a refusal, or null. */
  const refusal = (room: MemoryRoom, grant: Grant): AppendResult | null => {
    if (room.finished) return { kind: "finished" };
    if (room.epoch !== grant.epoch || room.token !== grant.token) {
      return { kind: "fenced", epoch: room.epoch };
    }
    return null;
  };

  const record = (room: MemoryRoom): RoomRecord => ({
    meta: room.meta,
    head: room.head,
    finished: room.finished,
  });

  const log: RoomLog = {
    create(meta) {
      const existing = rooms.get(meta.roomId);
      if (existing !== undefined) return Promise.resolve({ created: false, head: existing.head });
      rooms.set(meta.roomId, {
        meta: structuredClone(meta),
        head: 0,
        entries: [],
        start: 0,
        actionIds: new Map(),
        epoch: 0,
        token: null,
        finished: false,
      });
      return Promise.resolve({ created: true, head: 0 });
    },

    // Answered before it returns (`answered`): the room above goes on at once, with no promise hop per chat.
    append(grant: Grant, expectSeq: number, entry: LogEntry): Promise<AppendResult> {
      const room = rooms.get(grant.roomId);
      if (room === undefined) return answered({ kind: "not_found" });
      const refused = refusal(room, grant);
      if (refused !== null) return answered(refused);
      // Looked up only when some id is kept: a store keeping no entries never reads an action id (each is built
      // by concatenation, and the lookup would flatten and hash it on every chat).
      const earlier = room.actionIds.size === 0 ? undefined : room.actionIds.get(entry.actionId);
      if (earlier !== undefined) return answered({ kind: "duplicate", seq: earlier });
      if (expectSeq !== room.head + 1) return answered({ kind: "conflict", head: room.head });
      room.head = expectSeq;
      if (kept > 0) {
        // A copy, so a caller changing its object later cannot rewrite history: the data's JSON text, as the
        // SQLite store keeps it, parsed again only when read. structuredClone cost a third of the server's
        // CPU per chat in the transport benchmark (every chat is an entry), and a JSON round trip at every
        // append plus the object tree it kept still about a sixth; a read (a restart, a takeover) is rare.
        room.entries.push({
          actionId: entry.actionId,
          at: entry.at,
          eventSeq: entry.eventSeq,
          seq: expectSeq,
          json: JSON.stringify(entry.data),
        });
        room.actionIds.set(entry.actionId, expectSeq);
        if (kept !== Infinity) trim(room);
      }
      return answered({ kind: "ok", seq: expectSeq });
    },

    read(roomId, after, limit) {
      const room = rooms.get(roomId);
      if (room === undefined) return Promise.resolve([]);
      const first = room.head - (room.entries.length - room.start) + 1;
      const from = Math.max(0, after);
      if (from + 1 < first && from < room.head) {
        return Promise.reject(
          new StoreError(
            `room ${roomId}: this memory store keeps the last ${kept} entries of a log; ` +
              `entries ${from + 1} to ${first - 1} are gone`,
          ),
        );
      }
      const at = room.start + (from + 1 - first);
      return Promise.resolve(
        room.entries.slice(at, at + limit).map((entry): StoredEntry => ({
          actionId: entry.actionId,
          at: entry.at,
          eventSeq: entry.eventSeq,
          data: JSON.parse(entry.json) as Json,
          seq: entry.seq,
        })),
      );
    },

    head(roomId) {
      return Promise.resolve(rooms.get(roomId)?.head ?? null);
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
      const room = rooms.get(grant.roomId);
      if (room === undefined) return Promise.resolve({ kind: "not_found" });
      const refused = refusal(room, grant);
      if (refused !== null) return Promise.resolve(refused);
      room.finished = true;
      if (kept !== Infinity) {
        room.entries = [];
        room.start = 0;
        room.actionIds.clear();
      }
      return Promise.resolve({ kind: "ok", seq: room.head });
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
          grant: { roomId, token: room.token, epoch: room.epoch, head: room.head },
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
