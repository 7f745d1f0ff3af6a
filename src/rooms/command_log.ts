// A room's accepted commands in order: those stored, and those whose append is still in flight together
// with the output they hold back. Releases each output only once its command is stored, in order; when an
// append fails, drops it and everything accepted after it and asks the room to roll back.

import type { TimedCommand } from "./room_command.ts";
import type { RoomJournal } from "./room_journal.ts";

interface Inflight<O> {
  entry: TimedCommand;
  output: O;
  settle(stored: boolean): void;
  stored: Promise<boolean>;
}

export interface CommandLogHandlers<O> {
  /** A command is stored: its output may go out now. */
  deliver(output: O): void;
  /** An append failed: the room must go back to the stored commands (`accepted()` now returns just those). */
  lost(entry: TimedCommand, error: unknown): void;
}

export class CommandLog<O> {
  readonly journal: RoomJournal | null;
  #handlers: CommandLogHandlers<O>;
  /** Commands stored for good, as kept in memory (see `lean`). */
  #entries: TimedCommand[] = [];
  #inflight: Inflight<O>[] = [];
  /** Bumped when a failure discards the appends in flight, so their late answers are ignored. */
  #generation = 0;

  constructor(journal: RoomJournal | null, handlers: CommandLogHandlers<O>) {
    this.journal = journal;
    this.#handlers = handlers;
  }

  /** Every command accepted so far, stored or in flight, in order: what a rollback after a throw replays. */
  accepted(): TimedCommand[] {
    return [...this.#entries, ...this.#inflight.map((i) => i.entry)];
  }

  /** Starts from commands read back from the store. */
  restored(entries: readonly TimedCommand[]): void {
    this.#entries = entries.map(lean);
  }

  /**
   * Records an accepted command whose broadcasts left the room's seq at `eventSeq`. Without a journal its
   * output is delivered at once; with one, once the append resolves.
   */
  add(entry: TimedCommand, eventSeq: number, output: O): void {
    if (this.journal === null) {
      this.#entries.push(lean(entry));
      this.#handlers.deliver(output);
      return;
    }
    let settle: (stored: boolean) => void = () => {};
    const stored = new Promise<boolean>((resolve) => (settle = resolve));
    const seq = this.#entries.length + this.#inflight.length + 1;
    this.#inflight.push({ entry, output, settle, stored });
    const generation = this.#generation;
    this.journal.append(seq, entry, eventSeq).then(
      () => {
        if (generation !== this.#generation) return;
        // Appends answer in the order they were made, so this is the oldest in flight.
        this.#inflight.shift();
        this.#entries.push(lean(entry));
        settle(true);
        this.#handlers.deliver(output);
      },
      (error) => {
        if (generation !== this.#generation) return;
        // Nobody heard of this command or of any accepted after it: drop them all, back to what is stored.
        const dropped = this.#inflight;
        this.#inflight = [];
        this.#generation += 1;
        this.#handlers.lost(entry, error);
        for (const item of dropped) item.settle(false);
      },
    );
  }

  /** Null when nothing is in flight; otherwise whether the newest command in flight got stored. */
  settled(): Promise<boolean> | null {
    return this.#inflight.at(-1)?.stored ?? null;
  }
}

/**
 * An entry as the room keeps it in memory for rollbacks: a chat's text changes no state, only `seq`, so it is
 * dropped there (the store keeps it), or a chatty room's memory would grow with every line.
 */
function lean(entry: TimedCommand): TimedCommand {
  return entry.command.type === "chat" ? { at: entry.at, command: { ...entry.command, message: "" } } : entry;
}
