// Follows a room's broadcast `seq` stream: spots duplicates (replays of what was seen) and gaps. Pure.

/** What one sequenced event means for a client that has seen everything up to `last`. */
export type SeqVerdict =
  | { kind: "next" }
  | { kind: "duplicate" }
  | { kind: "gap"; expected: number; received: number };

export class SeqTracker {
  #last: number | null = null;

  /** The last `seq` delivered, or null before the first one (or after a `reset`). */
  get last(): number | null {
    return this.#last;
  }

  /**
   * Judges `seq` and, unless it is a duplicate, takes it as the new last. A gap is still taken: the event is
   * real, only what came before it is missing.
   */
  accept(seq: number): SeqVerdict {
    const last = this.#last;
    if (last !== null && seq <= last) return { kind: "duplicate" };
    this.#last = seq;
    if (last !== null && seq !== last + 1) return { kind: "gap", expected: last + 1, received: seq };
    return { kind: "next" };
  }

  /** A snapshot (`game_state.room.seq`) covers everything up to `seq`: the stream continues from there. */
  snapshot(seq: number): void {
    this.#last = seq;
  }

  /** A new stream (a room recreated, or a connection with nothing to resume): forget what was seen. */
  reset(): void {
    this.#last = null;
  }
}
