// A room's accepted commands in order: those stored, and those whose append is still in flight together
// with the output they hold back. Releases each output only once its command is stored, in order. An append
// the store refused drops it and everything accepted after it, and the room rolls back; an append whose fate
// is unknown (the store was unreachable) is sent again, same seq and action id, until the store answers.

import { knownAnswer, NOT_KNOWN, StoreError } from "../store/ports.ts";
import type { TimerId } from "./clock.ts";
import type { TimedCommand } from "./room_command.ts";
import type { RoomJournal } from "./room_journal.ts";

interface Inflight<O> {
  entry: TimedCommand;
  seq: number;
  eventSeq: number;
  /** Kept across retries, so a retry of an append that did land is answered `duplicate`, not stored twice. */
  actionId: string;
  /** Stored, and waiting for the older appends in flight to be answered before its output goes out. */
  answered: boolean;
  output: O;
  settle(stored: boolean): void;
  stored: Promise<boolean>;
}

export interface CommandLogHandlers<O> {
  /** A command is stored: its output may go out now. */
  deliver(output: O): void;
  /** An append failed: the room must go back to the stored commands (`accepted()` now returns just those). */
  lost(entry: TimedCommand, error: unknown): void;
  /** The store is unreachable: appends go out again in `ms` (the room holds its timers until then). */
  waiting?(entry: TimedCommand, error: unknown, ms: number, attempt: number): void;
  /** Appends that had to wait are stored again. */
  recovered?(attempts: number): void;
}

/** The timers retries wait on (the room's base clock, so tests drive them). */
export interface RetryTimers {
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
}

/**
 * First retry quickly (a restart takes Redis away for a moment), then at most once a second: Redis comes back
 * and play goes on within a second, while a long outage costs one small command a second per room.
 */
export const RETRY_FIRST_MS = 100;
export const RETRY_MAX_MS = 1_000;

/**
 * Chats accepted in a row, as a room keeps them in memory for rollbacks: only their number. A chat changes no
 * state; a replay needs from it just the `seq` it took and its place in the count of commands applied.
 */
export interface ChatRun {
  chats: number;
}

/** A command as a rollback replays it: whole, or folded into a run of chats. */
export type KeptCommand = TimedCommand | ChatRun;

export class CommandLog<O> {
  readonly journal: RoomJournal | null;
  #handlers: CommandLogHandlers<O>;
  #timers: RetryTimers | null;
  /** Commands stored for good, as kept in memory (see `#keep`). */
  #entries: KeptCommand[] = [];
  /** How many commands are stored (a run of chats is one kept entry for many). */
  #stored = 0;
  #inflight: Inflight<O>[] = [];
  /** Bumped when a failure discards the appends in flight, so their late answers are ignored. */
  #generation = 0;
  /** Appends are being sent again one at a time, oldest first; new ones queue behind them. */
  #retrying = false;
  #retryTimer: TimerId | null = null;
  #attempts = 0;
  #stopped = false;
  /**
   * Action ids are this log's random prefix and a count: unique in the room's log across owners and restarts
   * (each has its own prefix), without a random UUID per command.
   */
  #idPrefix = `${crypto.randomUUID()}:`;
  #ids = 0;

  constructor(
    journal: RoomJournal | null,
    handlers: CommandLogHandlers<O>,
    timers: RetryTimers | null = null,
  ) {
    this.journal = journal;
    this.#handlers = handlers;
    this.#timers = timers;
  }

  /**
   * Every command accepted so far, stored or in flight, in order: what a rollback after a throw replays. Stored
   * chats come as runs (see `ChatRun`), so a chatty room keeps one entry per run, not one per line.
   */
  accepted(): KeptCommand[] {
    return [
      ...this.#entries.map((e) => "chats" in e ? { chats: e.chats } : e),
      ...this.#inflight.map((i) => i.entry),
    ];
  }

  /** Starts from commands read back from the store. */
  restored(entries: readonly TimedCommand[]): void {
    this.#entries = [];
    this.#stored = 0;
    for (const entry of entries) this.#keep(entry);
  }

  /**
   * Records an accepted command whose broadcasts left the room's seq at `eventSeq`. Without a journal its
   * output is delivered at once; with one, once the append resolves. True when it was delivered before this
   * returned: the log keeps no reference to `output` then.
   */
  add(entry: TimedCommand, eventSeq: number, output: O): boolean {
    if (this.journal === null) {
      this.#keep(entry);
      this.#handlers.deliver(output);
      return true;
    }
    const seq = this.#stored + this.#inflight.length + 1;
    const actionId = this.#idPrefix + ++this.#ids;
    // Nothing in flight: sent now, and if the store stored it before answering (it keeps its logs in memory),
    // the output goes out before this returns, with no promise in between. Otherwise it waits like any other.
    if (this.#inflight.length === 0 && !this.#retrying) {
      const appended = this.journal.append(seq, entry, eventSeq, actionId);
      if (knownAnswer(appended) !== NOT_KNOWN) {
        this.#keep(entry);
        this.#handlers.deliver(output);
        return true;
      }
      this.#watch(this.#track(entry, seq, eventSeq, actionId, output), appended, false);
      return false;
    }
    const item = this.#track(entry, seq, eventSeq, actionId, output);
    // While earlier appends wait for the store, this one waits behind them: the log takes them in order.
    if (!this.#retrying) this.#send(item, false);
    return false;
  }

  /** A command whose append is in flight, at the end of the line. */
  #track(entry: TimedCommand, seq: number, eventSeq: number, actionId: string, output: O): Inflight<O> {
    let settle: (stored: boolean) => void = () => {};
    const stored = new Promise<boolean>((resolve) => (settle = resolve));
    const item: Inflight<O> = { entry, seq, eventSeq, actionId, answered: false, output, settle, stored };
    this.#inflight.push(item);
    return item;
  }

  /** Null when nothing is in flight; otherwise whether the newest command in flight got stored. */
  settled(): Promise<boolean> | null {
    return this.#inflight.at(-1)?.stored ?? null;
  }

  /**
   * The room is gone from this node (closed, or its lease lost): appends waiting to be sent again are given
   * up (their senders hear SERVER_ERROR; whoever owns the room next reads what the store really has).
   */
  stop(): void {
    this.#stopped = true;
    if (this.#retryTimer !== null) {
      this.#timers?.clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
      this.#abandon();
    }
  }

  /**
   * A stored command, as kept in memory for rollbacks. A chat joins the run of chats before it: its text is in
   * the store, and kept one by one, a chatty room's memory would grow with every line.
   */
  #keep(entry: TimedCommand): void {
    this.#stored += 1;
    if (entry.command.type !== "chat") {
      this.#entries.push(entry);
      return;
    }
    const last = this.#entries.at(-1);
    if (last !== undefined && "chats" in last) last.chats += 1;
    else this.#entries.push({ chats: 1 });
  }

  #send(item: Inflight<O>, retry: boolean): void {
    this.#watch(item, this.journal!.append(item.seq, item.entry, item.eventSeq, item.actionId), retry);
  }

  /** Acts on the answer to `item`'s append when it comes. */
  #watch(item: Inflight<O>, appended: Promise<void>, retry: boolean): void {
    const generation = this.#generation;
    appended.then(
      () => {
        if (generation !== this.#generation) return;
        item.answered = true;
        // The store takes appends in order, but the order their answers' reactions run in depends on every
        // promise between it and here: one that overtakes an older answer waits for it, so members still get
        // events in the order commands were accepted (tests/rooms/journal_order_test.ts pins the journal's side).
        while (this.#inflight[0]?.answered) {
          const done = this.#inflight.shift()!;
          this.#keep(done.entry);
          done.settle(true);
          this.#handlers.deliver(done.output);
        }
        if (retry) this.#retryNext();
      },
      (error) => {
        if (generation !== this.#generation) return;
        this.#generation += 1;
        // A room that stopped here rolls nothing back and retries nothing: it is gone from this node.
        if (this.#stopped) this.#abandon();
        else if (inDoubt(error) && this.#timers !== null) this.#retryLater(item, error);
        else this.#drop(item, error);
      },
    );
  }

  /** Nobody heard of this command or of any accepted after it: drop them all, back to what is stored. */
  #drop(item: Inflight<O>, error: unknown): void {
    const dropped = this.#inflight;
    this.#inflight = [];
    this.#retrying = false;
    this.#attempts = 0;
    this.#handlers.lost(item.entry, error);
    for (const d of dropped) d.settle(false);
  }

  /**
   * The store may or may not have this command, and what was sent after it is as uncertain: keep them all,
   * and once the store answers again send them again from the oldest, with their own seq and action id.
   */
  #retryLater(item: Inflight<O>, error: unknown): void {
    this.#retrying = true;
    const ms = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** this.#attempts);
    this.#attempts += 1;
    this.#handlers.waiting?.(item.entry, error, ms, this.#attempts);
    this.#retryTimer = this.#timers!.setTimeout(() => {
      this.#retryTimer = null;
      this.#retryNext();
    }, ms);
  }

  #retryNext(): void {
    if (this.#stopped) return this.#abandon();
    const next = this.#inflight[0];
    if (next !== undefined) return this.#send(next, true);
    // Everything that waited is stored: back to sending each append as it comes.
    this.#retrying = false;
    this.#handlers.recovered?.(this.#attempts);
    this.#attempts = 0;
  }

  #abandon(): void {
    const dropped = this.#inflight;
    this.#inflight = [];
    this.#generation += 1;
    this.#retrying = false;
    for (const d of dropped) d.settle(false);
  }
}

function inDoubt(error: unknown): boolean {
  return error instanceof StoreError && error.inDoubt;
}
