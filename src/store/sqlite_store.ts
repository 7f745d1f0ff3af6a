// The default store: one SQLite file (WAL) in the data directory, held exclusively by this process.
// With text_shelf.ts, the only module that imports node:sqlite. Appends made before the next timer tick share one
// transaction (group commit) and resolve only after it committed and synced, so nobody hears of an entry before it
// is on disk.
// Every fsync runs off the event loop (sqlite_wal_sync.ts), the WAL's and, after the store's own checkpoints,
// the database file's, so sockets keep being served while the disk works.

import { mkdirSync } from "node:fs";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { decodeCursor, encodeCursor } from "./game_pages.ts";
import type {
  AcquireResult,
  AppendResult,
  FinishedGame,
  GamePage,
  Grant,
  Json,
  LogEntry,
  RoomLog,
  RoomRecord,
  Store,
  StoredEntry,
} from "./ports.ts";
import { StoreError } from "./ports.ts";
import { type SyncFile, WalSync } from "./sqlite_wal_sync.ts";

/**
 * How a write is made durable before it is answered:
 * - "background" (default): SQLite commits without syncing (`synchronous = OFF`) and the store fsyncs the
 *   WAL on an I/O thread, answering each write once an fsync that started after its commit has completed.
 *   The store checkpoints the WAL itself, once every commit is synced, and fsyncs the database file on an I/O
 *   thread before the next commit (which restarts the WAL). Survives a crash of the process and of the
 *   machine, like "inline".
 * - "inline": `synchronous = FULL`, SQLite fsyncs inside every COMMIT, which blocks the event loop meanwhile.
 * - "off": `synchronous = NORMAL` and no fsync before answering: survives `kill -9` but not a power cut or an
 *   OS crash (the last commits may be lost). For measuring what the sync costs; never the default.
 */
export type SqliteSync = "background" | "inline" | "off";

export interface SqliteOptions {
  sync?: SqliteSync;
  /** Replaces the WAL's fsync (tests make it fail or hold it back). */
  syncFile?: SyncFile;
  /** Caps the file's size in pages: how tests make the disk "full" without filling one. */
  maxPageCount?: number;
  /** "background": checkpoint once this many entries and other writes were committed since the last one. */
  checkpointEvery?: number;
}

export const DATABASE_FILE = "liaptui.db";
/**
 * 2: a room's head is `MAX(seq)` of its log; the `rooms.head` column is no longer written (version 1 kept it
 * equal to that, so a version 1 file is read as it is). A version 1 server refuses a version 2 file rather than
 * trust its stale `head` column.
 */
const SCHEMA_VERSION = 2;
/**
 * Writes between two checkpoints in "background" mode: about 3 WAL pages each, so the WAL grows to some
 * 20–25 MiB. A checkpoint copies each page once however often it changed in between, so fewer, larger ones
 * copy less per entry; the copy runs on the event loop (4–7 ms for 2,000 entries over a thousand rooms, under
 * Bun on the 2-core test machine), the database file's fsync after it does not, and commits wait for that.
 */
const CHECKPOINT_EVERY = 2_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rooms (
  room_id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  data TEXT NOT NULL,
  epoch INTEGER NOT NULL DEFAULT 0,
  token TEXT,
  owner TEXT,
  head INTEGER NOT NULL DEFAULT 0, -- schema 1 only: since 2 the head is the log's last seq

  finished INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS log (
  room_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  action_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  event_seq INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (room_id, seq),
  UNIQUE (room_id, action_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS games (
  game_id TEXT PRIMARY KEY,
  room_id TEXT NOT NULL,
  room_name TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  seed INTEGER NOT NULL,
  players TEXT NOT NULL,
  scores TEXT NOT NULL,
  winners TEXT NOT NULL,
  rounds INTEGER NOT NULL,
  actions TEXT NOT NULL,
  settings TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS games_newest ON games (finished_at DESC, game_id DESC);
CREATE INDEX IF NOT EXISTS rooms_open ON rooms (finished, created_at);
`;

/** What the append checks read of a room's row, kept in memory between appends. */
interface RoomState {
  epoch: number;
  token: string | null;
  head: number;
  finished: boolean;
}

interface PendingAppend {
  grant: Grant;
  expectSeq: number;
  entry: LogEntry;
  resolve(result: AppendResult): void;
  reject(error: Error): void;
}

/** A one-line reason from whatever SQLite or the file system threw. */
function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]!;
}

/**
 * Opens (creating if needed) the database in `dataDir` and takes its exclusive lock. Throws StoreError with a
 * one-line message an operator can act on when the folder cannot be created, the file is not a database, or
 * another process holds it.
 */
export function openSqliteStore(dataDir: string, options: SqliteOptions = {}): Store {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw new StoreError(`cannot create the data directory ${dataDir}: ${reason(error)}`);
  }
  const dir = dataDir.replace(/\/+$/, "") || "/";
  const file = `${dir}/${DATABASE_FILE}`;
  const sync = options.sync ?? "background";
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file);
  } catch (error) {
    throw new StoreError(`cannot open ${file}: ${reason(error)}`);
  }
  try {
    // Exclusive locking: the first write takes the file's lock and keeps it until close, so a second server
    // on the same data directory fails here instead of interleaving writes. WAL then needs no shared memory.
    db.exec("PRAGMA busy_timeout = 0; PRAGMA locking_mode = EXCLUSIVE;");
    db.exec("BEGIN EXCLUSIVE; COMMIT;");
  } catch (error) {
    db.close();
    const text = reason(error);
    if (/locked|busy/i.test(text)) {
      throw new StoreError(`${file} is in use by another liaptui process (one server per data directory)`);
    }
    throw new StoreError(`cannot use ${file}: ${text}`);
  }
  try {
    // "background": SQLite syncs nothing and never checkpoints by itself (its checkpoints would fsync the WAL
    // and the database file on the event loop); the store syncs and checkpoints (see sqlite_wal_sync.ts).
    const synchronous = sync === "inline" ? "FULL" : sync === "off" ? "NORMAL" : "OFF";
    db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous};`);
    if (sync === "background") db.exec("PRAGMA wal_autocheckpoint = 0");
    if (options.maxPageCount !== undefined) db.exec(`PRAGMA max_page_count = ${options.maxPageCount}`);
    db.exec(SCHEMA);
    const version = db.prepare("SELECT value FROM settings WHERE key = 'schema'").get()?.value;
    if (version === undefined) {
      db.prepare("INSERT INTO settings (key, value) VALUES ('schema', ?)").run(String(SCHEMA_VERSION));
    } else if (Number(version) === 1) {
      // Version 1 kept `rooms.head` equal to the log's last seq, which is what version 2 reads instead.
      db.prepare("UPDATE settings SET value = ? WHERE key = 'schema'").run(String(SCHEMA_VERSION));
    } else if (Number(version) !== SCHEMA_VERSION) {
      throw new Error(`schema version ${version}, this server reads ${SCHEMA_VERSION}`);
    }
  } catch (error) {
    db.close();
    throw new StoreError(`cannot use ${file}: ${reason(error)}`);
  }
  let wal: WalSync | null = null;
  let store: SqliteStore | null = null;
  try {
    // The schema statements above made SQLite create the WAL file; it lives until the database is closed.
    if (sync === "background") {
      wal = new WalSync(file, dir, () => store?.commitQueued(), options.syncFile);
    }
  } catch (error) {
    db.close();
    throw error;
  }
  store = new SqliteStore(db, file, wal, options.checkpointEvery ?? CHECKPOINT_EVERY);
  return store;
}

class SqliteStore implements Store {
  readonly kind = "sqlite";
  readonly log: RoomLog;
  #db: DatabaseSync;
  #file: string;
  #pending: PendingAppend[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;
  #tokens = 0;
  #statements: Statements;
  /**
   * Rooms' rows as the append checks need them. The file is locked to this process, so only this class writes
   * them: appends update the head here, every other write of a room drops its entry, a failed batch drops all.
   */
  #rooms = new Map<string, RoomState>();
  /** Syncs the WAL off the event loop ("background"); null when SQLite syncs inside COMMIT, or nobody does. */
  #wal: WalSync | null;
  /** Entries and other writes committed since the last checkpoint ("background"), and how many make one due. */
  #uncheckpointed = 0;
  #checkpointEvery: number;

  constructor(db: DatabaseSync, file: string, wal: WalSync | null, checkpointEvery: number) {
    this.#db = db;
    this.#file = file;
    this.#wal = wal;
    this.#checkpointEvery = checkpointEvery;
    this.#statements = prepare(db);
    this.log = this.#roomLog();
  }

  get ownership() {
    return {
      acquire: (roomId: string, owner: string): Promise<AcquireResult> =>
        this.#write(() => {
          this.#rooms.delete(roomId);
          const token = `s${crypto.randomUUID().slice(0, 8)}-${++this.#tokens}`;
          const row = this.#statements.acquire.get(token, owner, roomId);
          if (row === undefined) return { kind: "not_found" } as const;
          const head = Number(this.#statements.head.get(roomId)?.head ?? 0);
          return { kind: "granted", grant: { roomId, token, epoch: Number(row.epoch), head } } as const;
        }),
      renew: (grant: Grant): Promise<boolean> =>
        this.#read(() => {
          const row = this.#statements.room.get(grant.roomId);
          return row !== undefined && Number(row.epoch) === grant.epoch && row.token === grant.token;
        }),
      release: (grant: Grant): Promise<void> =>
        this.#write(() => {
          this.#rooms.delete(grant.roomId);
          this.#statements.release.run(grant.roomId, grant.epoch, grant.token);
        }),
    };
  }

  get archive() {
    return {
      put: (game: FinishedGame): Promise<void> =>
        this.#write(() => {
          this.#statements.putGame.run(
            game.gameId,
            game.roomId,
            game.roomName,
            game.startedAt,
            game.finishedAt,
            game.seed,
            JSON.stringify(game.players),
            JSON.stringify(game.scores),
            JSON.stringify(game.winners),
            game.rounds,
            JSON.stringify(game.actions),
            JSON.stringify(game.settings),
          );
        }),
      list: (limit: number, cursor: string | null): Promise<GamePage> =>
        this.#read(() => {
          const from = cursor === null ? null : decodeCursor(cursor);
          // One row more than asked tells whether another page follows.
          const rows = from === null
            ? this.#statements.firstGames.all(limit + 1)
            : this.#statements.nextGames.all(from.finishedAt, from.finishedAt, from.gameId, limit + 1);
          const games = rows.slice(0, limit).map(gameSummaryOf);
          const last = games.at(-1);
          return { games, next: rows.length > limit && last !== undefined ? encodeCursor(last) : null };
        }),
      get: (gameId: string): Promise<FinishedGame | null> =>
        this.#read(() => {
          const row = this.#statements.getGame.get(gameId);
          if (row === undefined) return null;
          return {
            ...gameSummaryOf(row),
            seed: Number(row.seed),
            actions: JSON.parse(String(row.actions)) as Json,
            settings: JSON.parse(String(row.settings)) as Json,
          };
        }),
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Appends held behind a checkpoint's fsync are committed when it ends (or here, once it has).
    await this.#wal?.holding;
    if (this.#closed) return;
    this.#flush();
    this.#closed = true;
    // Answers every write still waiting for its sync before the file goes.
    await this.#wal?.close();
    try {
      // Closing checkpoints the WAL into the file and deletes it: with FULL, SQLite syncs the file first.
      if (this.#wal !== null) this.#db.exec("PRAGMA synchronous = FULL");
      this.#db.close();
    } catch (error) {
      throw new StoreError(`closing ${this.#file} failed: ${reason(error)}`);
    }
  }

  /**
   * Called by the WAL's sync as each fsync ends: checkpoints when one is due and every commit is on disk
   * (the appends wait for the database file's fsync then), otherwise commits the appends that queued meanwhile.
   */
  commitQueued(): void {
    if (this.#closed) return;
    if (this.#uncheckpointed >= this.#checkpointEvery && this.#wal?.idle === true && this.#checkpoint()) {
      return;
    }
    this.#flush();
  }

  /**
   * Copies the WAL into the database file (on this thread: SQLite cannot do it elsewhere) and has the file
   * fsynced off the event loop. Only once every commit in the WAL is synced: copying pages of a commit not yet
   * on disk could leave the file ahead of a WAL that a power cut cut short. True when commits now wait.
   */
  #checkpoint(): boolean {
    this.#uncheckpointed = 0;
    try {
      this.#db.exec("PRAGMA wal_checkpoint(PASSIVE)");
    } catch {
      // Nothing is lost: every commit is still in the synced WAL, and the next checkpoint copies it again.
      return false;
    }
    return this.#wal?.syncDatabase() === true;
  }

  // ---- internals -----------------------------------------------------------------------------------------

  #roomLog(): RoomLog {
    const st = this.#statements;
    const record = (row: Record<string, unknown>): RoomRecord => ({
      meta: {
        roomId: String(row.room_id),
        createdAt: Number(row.created_at),
        data: JSON.parse(String(row.data)) as Json,
      },
      head: Number(row.head),
      finished: Number(row.finished) === 1,
    });
    return {
      create: (meta) =>
        this.#write(() => {
          this.#rooms.delete(meta.roomId);
          const created = st.createRoom.run(meta.roomId, meta.createdAt, JSON.stringify(meta.data));
          const head = Number(st.room.get(meta.roomId)?.head ?? 0);
          return { created: Number(created.changes) === 1, head };
        }),
      append: (grant, expectSeq, entry) => {
        const refused = this.#refusal();
        if (refused !== null) return Promise.reject(refused);
        return new Promise<AppendResult>((resolve, reject) => {
          this.#pending.push({ grant, expectSeq, entry, resolve, reject });
          // Appends arriving until the next turn of the event loop share one transaction and one fsync. While
          // an fsync is under way they wait for it to end (commitQueued): committed earlier, they would still
          // wait for the next fsync, and each commit costs the event loop its page writes.
          if (this.#wal?.busy !== true) this.#flushTimer ??= setTimeout(() => this.#flush(), 0);
        });
      },
      read: (roomId, after, limit) =>
        this.#read(() =>
          st.read.all(roomId, after, limit).map((row): StoredEntry => ({
            seq: Number(row.seq),
            actionId: String(row.action_id),
            at: Number(row.at),
            eventSeq: Number(row.event_seq),
            data: JSON.parse(String(row.data)) as Json,
          }))
        ),
      head: (roomId) =>
        this.#read(() => {
          const row = st.room.get(roomId);
          return row === undefined ? null : Number(row.head);
        }),
      room: (roomId) =>
        this.#read(() => {
          const row = st.room.get(roomId);
          return row === undefined ? null : record(row);
        }),
      unfinished: () => this.#read(() => st.unfinished.all().map(record)),
      finish: (grant) =>
        this.#write(() => {
          const rejected = this.#check(grant);
          if (rejected !== null) return rejected;
          this.#rooms.delete(grant.roomId);
          st.finish.run(grant.roomId);
          return { kind: "ok", seq: Number(st.room.get(grant.roomId)?.head ?? 0) };
        }),
    };
  }

  /** Runs a synchronous read as a promise, turning any SQLite failure into a StoreError. */
  #read<T>(step: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new StoreError(`${this.#file} is closed`));
    try {
      return Promise.resolve(step());
    } catch (error) {
      return Promise.reject(new StoreError(`${this.#file}: ${reason(error)}`));
    }
  }

  /** Runs a write (its own transaction) and answers once it is durable. */
  #write<T>(step: () => T): Promise<T> {
    // After a checkpoint no commit may start before the database file is synced: it restarts the WAL.
    const holding = this.#wal?.holding;
    if (holding) return holding.then(() => this.#write(step));
    const refused = this.#refusal();
    if (refused !== null) return Promise.reject(refused);
    let value: T;
    try {
      value = step();
      this.#uncheckpointed += 1;
    } catch (error) {
      return Promise.reject(new StoreError(`${this.#file}: ${reason(error)}`));
    }
    return this.#wal === null ? Promise.resolve(value) : this.#wal.afterCommit().then(() => value);
  }

  /** Why no write may start now (closed, or a failed sync left the file's state unknown), or null. */
  #refusal(): StoreError | null {
    if (this.#closed) return new StoreError(`${this.#file} is closed`);
    return this.#wal?.broken ?? null;
  }

  /** A room's row as the checks need it, from memory or read once; null when there is no such room. */
  #room(roomId: string): RoomState | null {
    const known = this.#rooms.get(roomId);
    if (known !== undefined) return known;
    const row = this.#statements.room.get(roomId);
    if (row === undefined) return null;
    const state = {
      epoch: Number(row.epoch),
      token: row.token === null ? null : String(row.token),
      head: Number(row.head),
      finished: Number(row.finished) === 1,
    };
    this.#rooms.set(roomId, state);
    return state;
  }

  /** Existence, finished and fencing checks shared by append and finish; null when the write may go on. */
  #check(grant: Grant): AppendResult | null {
    const room = this.#room(grant.roomId);
    if (room === null) return { kind: "not_found" };
    if (room.finished) return { kind: "finished" };
    if (room.epoch !== grant.epoch || room.token !== grant.token) {
      return { kind: "fenced", epoch: room.epoch };
    }
    return null;
  }

  /** Commits every append queued so far in one transaction, then answers each; on failure rejects them all. */
  #flush(): void {
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    // The database file's fsync after a checkpoint is under way: committing now would restart the WAL before
    // the file holds its pages for sure. The appends stay queued; `commitQueued` runs once it completes.
    if (this.#wal?.holding) return;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    const refused = this.#wal?.broken ?? null;
    if (refused !== null) {
      for (const pending of batch) pending.reject(refused);
      return;
    }
    const results: AppendResult[] = [];
    try {
      this.#db.exec("BEGIN IMMEDIATE");
      for (const { grant, expectSeq, entry } of batch) results.push(this.#appendOne(grant, expectSeq, entry));
      this.#db.exec("COMMIT");
      this.#uncheckpointed += batch.length;
    } catch (error) {
      // Heads counted in memory for this batch were never stored: read them again when next needed.
      this.#rooms.clear();
      try {
        if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      } catch {
        // The rollback failing too changes nothing for the callers: every append of the batch is reported
        // as failed below, and the writers rebuild their rooms from what the log really holds.
      }
      const failure = new StoreError(`writing to ${this.#file} failed: ${reason(error)}`);
      for (const pending of batch) pending.reject(failure);
      return;
    }
    const answer = () => batch.forEach((pending, i) => pending.resolve(results[i]!));
    if (this.#wal === null) answer();
    else this.#wal.afterCommit().then(answer, (error: Error) => batch.forEach((p) => p.reject(error)));
  }

  #appendOne(grant: Grant, expectSeq: number, entry: LogEntry): AppendResult {
    const st = this.#statements;
    const rejected = this.#check(grant);
    if (rejected !== null) return rejected;
    const room = this.#room(grant.roomId)!;
    // A repeated action id is a duplicate whatever its seq; only the rare append that is not the next one
    // needs the lookup first, and for the next one the UNIQUE index answers (the insert is ignored).
    const duplicate = () => {
      const earlier = st.actionSeq.get(grant.roomId, entry.actionId);
      return earlier === undefined ? null : { kind: "duplicate", seq: Number(earlier.seq) } as const;
    };
    if (expectSeq !== room.head + 1) return duplicate() ?? { kind: "conflict", head: room.head };
    const values: SQLInputValue[] = [
      grant.roomId,
      expectSeq,
      entry.actionId,
      entry.at,
      entry.eventSeq,
      JSON.stringify(entry.data),
    ];
    if (Number(st.insert.run(...values).changes) === 0) {
      return duplicate() ?? { kind: "conflict", head: room.head };
    }
    room.head = expectSeq;
    return { kind: "ok", seq: expectSeq };
  }
}

function gameSummaryOf(row: Record<string, unknown>): GamePage["games"][number] {
  return {
    gameId: String(row.game_id),
    roomId: String(row.room_id),
    roomName: String(row.room_name),
    startedAt: Number(row.started_at),
    finishedAt: Number(row.finished_at),
    players: JSON.parse(String(row.players)) as string[],
    scores: JSON.parse(String(row.scores)) as number[],
    winners: JSON.parse(String(row.winners)) as string[],
    rounds: Number(row.rounds),
  };
}

/**
 * A room's head: its log's last seq, found at the end of the log's primary key. Not kept in the `rooms` row:
 * writing it there cost every append a second page (the row's) in the WAL.
 */
const HEAD = "(SELECT COALESCE(MAX(seq), 0) FROM log WHERE log.room_id = rooms.room_id) AS head";

/** Every statement the store runs, prepared once. */
function prepare(db: DatabaseSync) {
  const s = (sql: string): StatementSync => db.prepare(sql);
  return {
    createRoom: s("INSERT OR IGNORE INTO rooms (room_id, created_at, data) VALUES (?, ?, ?)"),
    room: s(`SELECT room_id, created_at, data, epoch, token, ${HEAD}, finished FROM rooms WHERE room_id = ?`),
    head: s("SELECT COALESCE(MAX(seq), 0) AS head FROM log WHERE room_id = ?"),
    unfinished: s(
      `SELECT room_id, created_at, data, ${HEAD}, finished FROM rooms WHERE finished = 0 ` +
        "ORDER BY created_at, room_id",
    ),
    actionSeq: s("SELECT seq FROM log WHERE room_id = ? AND action_id = ?"),
    insert: s(
      "INSERT OR IGNORE INTO log (room_id, seq, action_id, at, event_seq, data) VALUES (?, ?, ?, ?, ?, ?)",
    ),
    read: s(
      "SELECT seq, action_id, at, event_seq, data FROM log WHERE room_id = ? AND seq > ? ORDER BY seq LIMIT ?",
    ),
    acquire: s(
      "UPDATE rooms SET epoch = epoch + 1, token = ?, owner = ? WHERE room_id = ? AND finished = 0 " +
        "RETURNING epoch",
    ),
    release: s("UPDATE rooms SET token = NULL WHERE room_id = ? AND epoch = ? AND token = ?"),
    finish: s("UPDATE rooms SET finished = 1 WHERE room_id = ?"),
    putGame: s(
      "INSERT OR IGNORE INTO games (game_id, room_id, room_name, started_at, finished_at, seed, players, " +
        "scores, winners, rounds, actions, settings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    getGame: s("SELECT * FROM games WHERE game_id = ?"),
    firstGames: s(
      "SELECT game_id, room_id, room_name, started_at, finished_at, players, scores, winners, rounds " +
        "FROM games ORDER BY finished_at DESC, game_id DESC LIMIT ?",
    ),
    nextGames: s(
      "SELECT game_id, room_id, room_name, started_at, finished_at, players, scores, winners, rounds " +
        "FROM games WHERE finished_at < ? OR (finished_at = ? AND game_id < ?) " +
        "ORDER BY finished_at DESC, game_id DESC LIMIT ?",
    ),
  };
}

type Statements = ReturnType<typeof prepare>;
