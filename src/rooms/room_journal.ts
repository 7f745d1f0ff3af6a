// Where a room's accepted commands go before anyone hears of them: the store's room log, behind the ports.
// One journal per room; it creates the room in the store and takes ownership on first use.

import {
  answered,
  type AppendResult,
  type FinishedGame,
  type Grant,
  type Json,
  knownAnswer,
  type LogEntry,
  NOT_KNOWN,
  type RoomLog,
  type Store,
} from "../store/ports.ts";
import { openCurrentLog } from "./log_chain.ts";
import type { TimedCommand } from "./room_command.ts";

/** What the room layer needs from storage; a room without one (unit tests) keeps everything in memory. */
export interface RoomJournal {
  /**
   * The room's id in the store: its public id, or — when that id's earlier rooms are finished (a room id, a
   * name in `/ws/{room_id}`, is reused after its room closed, and a closed log takes no entries) — the id's
   * next generation, `id~2`, `id~3`, … (see log_chain.ts). Known ("" until then) once the room is created
   * and owned, before its first append is stored.
   */
  readonly logId: string;
  /**
   * Stores the room's `seq`-th command durably. Resolves once stored; rejects when it was not (the store
   * failed, or refused: fenced, conflict, finished). Calls may overlap; they are stored and answered in call
   * order (tests/rooms/journal_order_test.ts). An append sent again with the same `actionId` after an
   * unanswered one resolves if the first one landed. An append stored before this returned (the store keeps
   * its logs in memory and nothing was ahead of it) returns a promise `knownAnswer` reads at once.
   */
  append(seq: number, entry: TimedCommand, eventSeq: number, actionId: string): Promise<void>;
  /** Keeps a finished game for the history pages. */
  archive(game: FinishedGame): Promise<void>;
  /** The room is closed for good: its log takes no more entries and it is not rebuilt on restart. */
  finish(): Promise<void>;
}

/** The store answered an append with a refusal (fenced, conflict, finished, …): it surely did not store it. */
export class LogRefused extends Error {
  override readonly name = "LogRefused";
  readonly kind: string;

  constructor(roomId: string, seq: number, kind: string) {
    super(`room ${roomId} log refused entry ${seq}: ${kind}`);
    this.kind = kind;
  }
}

/** The entry a command is stored as. */
function logEntry(entry: TimedCommand, eventSeq: number, actionId: string): LogEntry {
  return { actionId, at: entry.at, eventSeq, data: entry.command as unknown as Json };
}

/** Whether a finished game's settings say its room was not listed in the lobby when the game ended. */
function isPrivate(settings: Json): boolean {
  return typeof settings === "object" && settings !== null && !Array.isArray(settings) &&
    settings.is_public === false;
}

/** Stored by this append, or — a duplicate at this very seq — by an earlier try whose answer never came. */
function isStored(result: AppendResult, seq: number): boolean {
  return result.kind === "ok" || (result.kind === "duplicate" && result.seq === seq);
}

/** Opening data of a room in the store (RoomMeta.data). */
export interface RoomOpening {
  /** The public room id (absent in logs written before ids were kept here: then the log id is it). */
  roomId?: string;
  name: string;
  settings: Json;
}

/** Builds journals on one store for one node. */
export class StoreJournals {
  readonly store: Store;
  readonly node: string;

  constructor(store: Store, node = "local") {
    this.store = store;
    this.node = node;
  }

  /**
   * A journal for a new room: the room is created in the store before its first append. `after`: the id's
   * last room is still closing here, and its log is found finished only once that settles.
   */
  forNew(roomId: string, createdAt: number, opening: RoomOpening, after?: Promise<void>): RoomJournal {
    const ready = (async () => {
      await after;
      // The log lives under the room's own id, or — when that id's earlier rooms are finished (a closed log
      // takes no entries) — under its next generation (`id~2`, …), which every node derives the same way.
      const { logId } = await openCurrentLog(this.store.log, roomId, createdAt, { ...opening, roomId });
      return await this.#acquire(logId);
    })();
    return new StoreJournal(this.store, ready);
  }

  /** A journal for a room rebuilt from the store, continuing under `grant`. */
  forRestored(grant: Grant): RoomJournal {
    return new StoreJournal(this.store, Promise.resolve(grant));
  }

  async acquire(roomId: string): Promise<Grant> {
    return await this.#acquire(roomId);
  }

  async #acquire(roomId: string): Promise<Grant> {
    const acquired = await this.store.ownership.acquire(roomId, this.node);
    if (acquired.kind !== "granted") throw new Error(`room ${roomId} could not be owned: ${acquired.kind}`);
    return acquired.grant;
  }
}

/** What an append the store answered at once and stored returns (see `RoomJournal.append`). */
const STORED: Promise<void> = answered(undefined);

class StoreJournal implements RoomJournal {
  logId = "";
  #store: Store;
  #log: RoomLog;
  #grant: Promise<Grant>;
  /** The grant once it arrived: from then on an append goes to the store in the same run as its call. */
  #granted: Grant | null = null;
  /**
   * Appends waiting for the grant or for their store's answer. While any is, a newer append queues behind
   * them, so no answer read at once (`knownAnswer`) can overtake one still on its way.
   */
  #waiting = 0;
  #last: Promise<unknown> = Promise.resolve();

  constructor(store: Store, grant: Promise<Grant>) {
    this.#store = store;
    this.#log = store.log;
    this.#grant = grant.then((granted) => {
      this.logId = granted.roomId;
      this.#granted = granted;
      return granted;
    });
    // A failed creation is reported by every append; it must not also surface as an unhandled rejection.
    this.#grant.catch(() => {});
  }

  /**
   * With the grant known and nothing ahead of it, the append goes to the store at once; a store that answered
   * before returning (in memory) makes this return STORED, which the command log reads without a reaction.
   */
  append(seq: number, entry: TimedCommand, eventSeq: number, actionId: string): Promise<void> {
    const grant = this.#granted;
    if (grant === null || this.#waiting > 0) return this.#queued(seq, entry, eventSeq, actionId);
    let appended: Promise<AppendResult>;
    try {
      appended = this.#log.append(grant, seq, logEntry(entry, eventSeq, actionId));
    } catch (error) {
      return Promise.reject(error);
    }
    const known = knownAnswer(appended);
    if (known !== NOT_KNOWN) {
      // Refused at once: reported like any refusal, as a rejection the command log handles in its reaction.
      return isStored(known, seq) ? STORED : Promise.reject(new LogRefused(grant.roomId, seq, known.kind));
    }
    return this.#waitFor(appended.then((result) => {
      if (!isStored(result, seq)) throw new LogRefused(grant.roomId, seq, result.kind);
    }));
  }

  /** Behind the grant, or behind appends still waiting: sent in call order once those are. */
  #queued(seq: number, entry: TimedCommand, eventSeq: number, actionId: string): Promise<void> {
    return this.#waitFor(this.#grant.then(async (grant) => {
      const result = await this.#log.append(grant, seq, logEntry(entry, eventSeq, actionId));
      if (!isStored(result, seq)) throw new LogRefused(grant.roomId, seq, result.kind);
    }));
  }

  /**
   * Counts `stored` as waiting until it settles. The count drops in a reaction registered before the caller's,
   * so by the time anyone can append again every older answer's reactions are already queued ahead of its own.
   */
  #waitFor(stored: Promise<void>): Promise<void> {
    this.#waiting += 1;
    const settled = (): void => {
      this.#waiting -= 1;
    };
    this.#last = stored.then(settled, settled);
    return stored;
  }

  archive(game: FinishedGame): Promise<void> {
    // The history is public (`/api/games`) and a game's ids name its room: a private room's game kept there
    // would give away the one thing that keeps the room private ("private rooms are never listed").
    if (isPrivate(game.settings)) return Promise.resolve();
    return this.#store.archive.put(game);
  }

  async finish(): Promise<void> {
    // After every append already under way, so none of them is refused as `finished`.
    await this.#last;
    const grant = await this.#grant;
    await this.#log.finish(grant);
    // A finished log takes no entries, so its lease guards nothing: held on, a cluster node would renew it for
    // as long as it runs, one more Redis call per lease period for every game it ever hosted.
    await this.#store.ownership.release(grant);
  }
}
