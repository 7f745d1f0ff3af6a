// The recent broadcasts of each room, kept as the frames that went out, so a returning player can be replayed
// what it missed. Bounded per room in events and bytes; a room's history goes with the room.

import { utf8Length } from "./limits.ts";

/** One room broadcast as it went on the wire: its `seq` and its encoded envelope. */
export interface RecordedEvent {
  readonly seq: number;
  readonly frame: string;
}

/**
 * What resume needs from a history. The in-memory one below is the default; a durable store can rebuild one
 * after a restart by recording each room's recent events again (in seq order) before sockets come back.
 */
export interface EventHistory {
  /** Appends a room's broadcasts, in seq order. A seq that does not follow the last kept one starts over. */
  record(roomId: string, events: readonly RecordedEvent[]): void;
  /**
   * Every kept event with `seq > afterSeq`, in order and without a gap, or null when the event right after
   * `afterSeq` is no longer (or was never) kept. An empty answer means nothing was recorded after it.
   */
  since(roomId: string, afterSeq: number): readonly RecordedEvent[] | null;
  /** The room is gone: its events are dropped. */
  forget(roomId: string): void;
  /** Totals over every room, for metrics. */
  stats(): HistoryStats;
}

export interface HistoryBounds {
  /** Events kept per room at most. */
  maxEvents: number;
  /** UTF-8 bytes of kept frames per room at most. */
  maxBytes: number;
}

export interface HistoryStats {
  rooms: number;
  events: number;
  bytes: number;
}

/** Frames joined into one string per chunk of this many events. */
const CHUNK = 64;

/**
 * One room's window: the kept frames joined into one string per `CHUNK` events, and per event its length (to
 * cut it out again) and its UTF-8 size (for the byte bound). Kept one string and one small object per event, a
 * full history (1,000 events in each of 250 rooms in bench:transport's `rooms`) was half a million long-lived
 * cells in the server's heap, which the collector walked again and again and whose size set how much it let
 * the server allocate between collections.
 */
class Window {
  /** Joined frames of full chunks, oldest first; the first may start with events already dropped. */
  sealed: string[] = [];
  /** Frames of the chunk being filled. */
  open: string[] = [];
  /** Per kept event from `head` on, oldest first: UTF-16 length and UTF-8 size of its frame. */
  lengths: number[] = [];
  sizes: number[] = [];
  head = 0;
  /** Seq of the oldest kept event. */
  firstSeq = 0;
  /** Events, and their characters, dropped from the front of `sealed[0]`. */
  lead = 0;
  leadChars = 0;
  bytes = 0;

  get count(): number {
    return this.lengths.length - this.head;
  }

  push(seq: number, frame: string, size: number): void {
    if (this.count === 0) this.firstSeq = seq;
    this.open.push(frame);
    this.lengths.push(frame.length);
    this.sizes.push(size);
    this.bytes += size;
    if (this.open.length === CHUNK) {
      this.sealed.push(this.open.join(""));
      this.open = [];
    }
  }

  /** Drops the `count` oldest events. */
  drop(count: number): void {
    if (count >= this.count) {
      this.sealed = [];
      this.open = [];
      this.lengths = [];
      this.sizes = [];
      this.head =
        this.lead =
        this.leadChars =
        this.bytes =
          0;
      return;
    }
    for (let i = 0; i < count; i++) {
      const at = this.head + i;
      this.bytes -= this.sizes[at]!;
      this.lead += 1;
      this.leadChars += this.lengths[at]!;
      if (this.lead === CHUNK) {
        this.sealed.shift();
        this.lead = this.leadChars = 0;
      }
    }
    this.head += count;
    this.firstSeq += count;
    // Compact once the dropped prefix outweighs what is kept, so trimming stays O(1) amortised per event.
    if (this.head > CHUNK && this.head * 2 > this.lengths.length) {
      this.lengths = this.lengths.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }

  /** The frames of the kept events from the `from`-th on. */
  frames(from: number): string[] {
    const out: string[] = [];
    let chunk = 0;
    let inChunk = this.lead;
    let offset = this.leadChars;
    for (let i = 0; i < this.count; i++) {
      const length = this.lengths[this.head + i]!;
      if (i >= from) {
        const text = chunk < this.sealed.length ? this.sealed[chunk]! : null;
        out.push(text === null ? this.open[inChunk]! : text.slice(offset, offset + length));
      }
      offset += length;
      inChunk += 1;
      if (inChunk === CHUNK) {
        chunk += 1;
        inChunk = 0;
        offset = 0;
      }
    }
    return out;
  }
}

export class BoundedEventHistory implements EventHistory {
  #bounds: HistoryBounds;
  #rooms = new Map<string, Window>();
  #bytes = 0;
  #events = 0;

  constructor(bounds: HistoryBounds) {
    this.#bounds = bounds;
  }

  record(roomId: string, events: readonly RecordedEvent[]): void {
    if (events.length === 0 || this.#bounds.maxEvents === 0) return;
    let window = this.#rooms.get(roomId);
    if (window === undefined) {
      window = new Window();
      this.#rooms.set(roomId, window);
    }
    for (const event of events) {
      // A hole would make `since` claim a gap-free replay it cannot give: start the window over instead.
      if (window.count > 0 && event.seq !== window.firstSeq + window.count) this.#drop(window, window.count);
      const size = utf8Length(event.frame, 0);
      // The oldest go first, so the window never holds more than either bound allows.
      let excess = Math.max(0, window.count + 1 - this.#bounds.maxEvents);
      let bytes = window.bytes + size;
      for (let i = 0; i < excess; i++) bytes -= window.sizes[window.head + i]!;
      while (excess < window.count && bytes > this.#bounds.maxBytes) {
        bytes -= window.sizes[window.head + excess]!;
        excess += 1;
      }
      this.#drop(window, excess);
      // A frame larger than the byte bound on its own is not kept (and has taken every older one with it).
      if (size > this.#bounds.maxBytes) continue;
      window.push(event.seq, event.frame, size);
      this.#bytes += size;
      this.#events += 1;
    }
  }

  since(roomId: string, afterSeq: number): readonly RecordedEvent[] | null {
    const window = this.#rooms.get(roomId);
    if (window === undefined || window.count === 0) return null;
    const first = window.firstSeq;
    const last = first + window.count - 1;
    if (afterSeq === last) return [];
    if (afterSeq < first - 1 || afterSeq > last) return null;
    return window.frames(afterSeq + 1 - first).map((frame, i) => ({ seq: afterSeq + 1 + i, frame }));
  }

  forget(roomId: string): void {
    const window = this.#rooms.get(roomId);
    if (window === undefined) return;
    this.#drop(window, window.count);
    this.#rooms.delete(roomId);
  }

  /** Totals over every room, for metrics. */
  stats(): HistoryStats {
    return { rooms: this.#rooms.size, events: this.#events, bytes: this.#bytes };
  }

  #drop(window: Window, count: number): void {
    if (count === 0) return;
    const before = window.bytes;
    window.drop(count);
    this.#bytes -= before - window.bytes;
    this.#events -= count;
  }
}
