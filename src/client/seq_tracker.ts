// Follows a room's broadcast `seq` stream: spots duplicates (replays of what was seen) and gaps. Pure.

/** What one sequenced event means for a client that has seen everything up to `last`. */
export type SeqVerdict =
  | { kind: "next" }
  | { kind: "duplicate" }
  /** Seq 1 again: the room was recreated; everything seen before belongs to the old one. */
  | { kind: "restart" }
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
    // Seq 1 opens a room's stream and is never replayed (a resume asks for events after a seq it saw, which is
    // at least 1). Seen again, it is a new room under the same id, e.g. for a visitor who stayed on the
    // channel while the room closed and someone opened it again: a new stream, not a duplicate.
    if (seq === 1 && last !== null) {
      this.#last = 1;
      return { kind: "restart" };
    }
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
