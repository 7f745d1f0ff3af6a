// The store's ports: what the room layer needs from durable storage, and nothing about how it is kept.
// Every method is async so a networked store (Redis) fits behind the same shapes as embedded SQLite.
// Implementations: store/sqlite_store.ts (default), store/memory_store.ts (tests, benchmarks), and the
// cluster's store/redis_*.ts. One conformance suite (tests/store/conformance.ts) runs against each.

// ---- vocabulary ----------------------------------------------------------------------------------------------
//
// Room log: the ordered list of everything a room accepted (joins, settings, game starts with their seed,
//   moves, timer fires with their times). It is the source of truth: a room is rebuilt by replaying it.
// Log seq (`seq`): an entry's position in its room's log: 1, 2, 3, … with no gaps and no reuse. Assigned by
//   the writer (the room's owner) and checked by the store, never chosen by the store.
// Head: the seq of a room's last entry; 0 for a room with an empty log.
// Event seq (`eventSeq`): the client-visible broadcast `seq` of the protocol. One entry may broadcast several
//   events (or none), so each entry records the room's event seq after it; entry N's broadcasts carried event
//   seqs (eventSeq of entry N-1, eventSeq of entry N]. Replay regenerates those broadcasts exactly.
// Grant: proof of ownership of one room for writing, from `Ownership.acquire`. Its `epoch` fences stale
//   owners: every append checks it.

/** A JSON-serialisable value (what entries and metadata carry; the store never looks inside `data`). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The right to write one room's log, as `Ownership.acquire` granted it. */
export interface Grant {
  readonly roomId: string;
  /** Identifies this holder; opaque. */
  readonly token: string;
  /** Fencing epoch: strictly increases each time the room changes hands. An append under an older epoch is fenced. */
  readonly epoch: number;
  /** The room's head when the grant was given: the new owner's next append uses `head + 1`. */
  readonly head: number;
}

export type AcquireResult =
  | { kind: "granted"; grant: Grant }
  /** Another live holder has the room; `owner` names it when the store knows (a node id). */
  | { kind: "busy"; owner: string | null }
  /** No room with this id was ever created (or it is finished): nothing to own. */
  | { kind: "not_found" };

/**
 * Who may write a room. Single node: always granted, but the epoch still fences a second process opening the
 * same database. Cluster: a lease with a TTL, renewed by its holder.
 */
export interface Ownership {
  /** Takes the room for `owner` (a node id). Bumps the epoch when the room changes hands. */
  acquire(roomId: string, owner: string): Promise<AcquireResult>;
  /** Extends the lease; false means it was lost (stop accepting actions for this room at once). */
  renew(grant: Grant): Promise<boolean>;
  /** Gives the room up; a no-op when the grant is no longer current. */
  release(grant: Grant): Promise<void>;
}

/** What a room is created with: enough, with its log, to rebuild it. */
export interface RoomMeta {
  readonly roomId: string;
  /** Wall time of creation (ms since the epoch). */
  readonly createdAt: number;
  /** The room layer's opening state (name, settings); opaque to the store. */
  readonly data: Json;
}

/** One accepted action, as the room writes it. */
export interface LogEntry {
  /**
   * Unique within the room. Writers make one per action and re-send the same id when they retry, so a retry
   * after a lost reply is recognised (`duplicate`) instead of applied twice.
   */
  readonly actionId: string;
  /** When the room accepted it (ms since the epoch). Replay takes time from here and never reads a clock. */
  readonly at: number;
  /** The room's broadcast (event) seq after this entry; see the vocabulary above. Never decreases. */
  readonly eventSeq: number;
  /** The action itself, as the room layer encodes it; opaque to the store. */
  readonly data: Json;
}

/** An entry as read back: with the log seq it was stored under. */
export interface StoredEntry extends LogEntry {
  readonly seq: number;
}

export type AppendResult =
  /** Stored durably under `seq` (= the expectSeq given). Only now may the room tell anyone about it. */
  | { kind: "ok"; seq: number }
  /** The grant's epoch is no longer the room's: another holder took over. Nothing stored. */
  | { kind: "fenced"; epoch: number }
  /** `expectSeq` was not head + 1. Nothing stored; `head` is the current head. */
  | { kind: "conflict"; head: number }
  /** This actionId is already in the log under `seq`. Nothing stored (the earlier write stands). */
  | { kind: "duplicate"; seq: number }
  /** The room was finished (`finish`): its log takes no more entries. */
  | { kind: "finished" }
  /** No room with this id was created. */
  | { kind: "not_found" };

/** A room as listed for a restart: its metadata and head. */
export interface RoomRecord {
  readonly meta: RoomMeta;
  readonly head: number;
  readonly finished: boolean;
}

/**
 * Each room's append-only log. Checks are made together and atomically per append, in this order: the room
 * exists, is not finished, the grant's epoch is current (fencing), the actionId is new (de-duplication), and
 * `expectSeq === head + 1` (compare-and-set). A rejection stores nothing. A rejected promise means the store
 * failed (I/O, disk full, connection lost): the entry may or may not be stored, so the writer must treat the
 * room as unknown and rebuild it from `read`.
 */
export interface RoomLog {
  /** Creates the room with an empty log if no room has this id; otherwise changes nothing. */
  create(meta: RoomMeta): Promise<{ created: boolean; head: number }>;
  /**
   * Appends one entry at `expectSeq`; see the interface comment for the checks. A store that answers without
   * waiting for anything (the memory store) returns `answered(result)`, whose result a caller may read at once
   * with `knownAnswer`; every caller must also work when the answer is not known yet.
   */
  append(grant: Grant, expectSeq: number, entry: LogEntry): Promise<AppendResult>;
  /** Up to `limit` entries with `seq > after`, in seq order (a page; call again from the last seq). */
  read(roomId: string, after: number, limit: number): Promise<StoredEntry[]>;
  /** The room's head (0 when its log is empty), or null when no such room exists. */
  head(roomId: string): Promise<number | null>;
  /** The room's metadata and head, or null. */
  room(roomId: string): Promise<RoomRecord | null>;
  /** Every room not yet finished, oldest first: what a restarting server rebuilds. */
  unfinished(): Promise<RoomRecord[]>;
  /** Marks the room finished (closed for good); later appends answer `finished`. Fenced like append. */
  finish(grant: Grant): Promise<AppendResult>;
}

/** One row of the lobby: a room's public summary, as its owner last refreshed it. */
export interface LobbyListing {
  readonly roomId: string;
  readonly summary: Json;
}

/**
 * The lobby's shared listing (cluster mode). Listings are leases: the owner refreshes them, and they expire
 * on their own if it stops; nobody removes another owner's listing. Single node keeps the listing in memory.
 */
export interface Lobby {
  put(listing: LobbyListing, ttlMs: number): Promise<void>;
  remove(roomId: string): Promise<void>;
  snapshot(): Promise<{ listings: LobbyListing[]; cursor: string }>;
  /** Changes after `cursor`, with the cursor to continue from. */
  changes(cursor: string): Promise<{ changed: LobbyListing[]; removed: string[]; cursor: string }>;
}

/** Wake-ups between nodes ("room R has new entries"). A hint may be lost; readers fall back to the log. */
export interface Hints {
  notify(topic: string, message: string): Promise<void>;
  /** Subscribes; returns the unsubscribe function. */
  on(topic: string, listener: (message: string) => void): () => void;
}

/** A finished game as kept for history: who played, how it ended, and everything needed to replay it. */
export interface FinishedGame {
  /**
   * `<log room id>-<log seq of the game's start entry>`: unique and stable; `[A-Za-z0-9_~-]` (a reopened room
   * id's log is `<room id>~<n>`, see rooms/log_chain.ts), ≤ 80 chars.
   */
  readonly gameId: string;
  readonly roomId: string;
  readonly roomName: string;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly seed: number;
  /** Seat order. */
  readonly players: readonly string[];
  /** Final scores by seat. */
  readonly scores: readonly number[];
  readonly winners: readonly string[];
  readonly rounds: number;
  /** The engine actions in order (JSON), from `start` to the last move. */
  readonly actions: Json;
  /** The settings the game ran with. */
  readonly settings: Json;
}

/** A page of history, newest first; `next` is the cursor for the following page, or null at the end. */
export interface GamePage {
  readonly games: Omit<FinishedGame, "actions" | "seed" | "settings">[];
  readonly next: string | null;
}

/** Finished games kept for listing and replay. */
export interface GameArchive {
  /** Stores a finished game; storing the same gameId again changes nothing. */
  put(game: FinishedGame): Promise<void>;
  /** Newest first, at most `limit`, continuing after `cursor` (from a previous page's `next`). */
  list(limit: number, cursor: string | null): Promise<GamePage>;
  get(gameId: string): Promise<FinishedGame | null>;
}

/** One opened store: its ports, and how to close it. */
export interface Store {
  /** "sqlite", "memory", "redis": for logs and /healthz. */
  readonly kind: string;
  readonly ownership: Ownership;
  readonly log: RoomLog;
  readonly archive: GameArchive;
  /** Flushes and releases the store (the database file, its lock). Idempotent. */
  close(): Promise<void>;
}

// ---- answers known at once -------------------------------------------------------------------------------------
//
// A chat is an append, and each reaction between the store's answer and the chat's broadcast is a promise hop.
// When the store answered before it returned (it keeps the log in memory), the layers above read the answer
// off the promise and go on in the same run. Only `answered` makes such a promise, and anything derived from
// one (`then`, an async wrapper) is an ordinary promise again, so a wrapper can never pass on a stale answer.

const KNOWN = Symbol("known answer");

/** Marks an answer that is not known yet: wait for the promise. */
export const NOT_KNOWN: unique symbol = Symbol("not known");

/** A promise resolved with `value` that `knownAnswer` can read without waiting for a reaction. */
export function answered<T>(value: T): Promise<T> {
  const promise = Promise.resolve(value) as Promise<T> & { [KNOWN]?: T };
  promise[KNOWN] = value;
  return promise;
}

/** The value of a promise made by `answered`; NOT_KNOWN for any other promise. */
export function knownAnswer<T>(promise: Promise<T>): T | typeof NOT_KNOWN {
  return KNOWN in promise ? (promise as Promise<T> & { [KNOWN]: T })[KNOWN] : NOT_KNOWN;
}

/** Thrown (as a rejected promise) when the store itself fails: I/O, disk full, lock lost, corruption. */
export class StoreError extends Error {
  override readonly name = "StoreError";
  /**
   * The store was unreachable or did not answer (a network store): a write may or may not have happened.
   * Sending the same entry again, same seq and action id, is safe: the log answers `duplicate` if it has it.
   */
  readonly inDoubt: boolean;

  constructor(message: string, options: { inDoubt?: boolean } = {}) {
    super(message);
    this.inDoubt = options.inDoubt ?? false;
  }
}
