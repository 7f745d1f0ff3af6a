// The recent broadcasts of each room, kept as the frames that went out, so a returning player can be replayed
// what it missed. Bounded per room in events and bytes; a room's history goes with the room.

import { TextShelf } from "../store/text_shelf.ts";
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
 * One room's window: the kept frames joined into one text per `CHUNK` events, and per event its length (to
 * cut it out again) and its UTF-8 size (for the byte bound). A full chunk's text goes to the shelf, outside the
 * JavaScript heap; only the chunk being filled is strings. Kept as one string and one small object per event,
 * a full history (1,000 events in each of 250 rooms in bench:transport's `rooms`) was half a million
 * long-lived cells the collector walked again and again; kept as joined strings, its 37 MB still set how much
 * the collector let the server allocate between collections (see text_shelf.ts).
 */
/** A full chunk: the key of its text on the shelf, or the text itself when the shelf cannot hold it. */
type Sealed = number | string;

class Window {
  #shelf: TextShelf;
  /** Full chunks, oldest first; the first may start with events already dropped. */
  sealed: Sealed[] = [];
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

  constructor(shelf: TextShelf) {
    this.#shelf = shelf;
  }

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
      const text = this.open.join("");
      this.sealed.push(TextShelf.canHold(text) ? this.#shelf.put(text) : text);
      this.open = [];
    }
  }

  /** Drops the `count` oldest events. */
  drop(count: number): void {
    if (count >= this.count) {
      for (const chunk of this.sealed) this.#release(chunk);
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
        this.#release(this.sealed.shift()!);
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
    let text = "";
    let textOf = -1;
    for (let i = 0; i < this.count; i++) {
      const length = this.lengths[this.head + i]!;
      if (i >= from) {
        if (chunk < this.sealed.length) {
          if (textOf !== chunk) {
            const sealed = this.sealed[chunk]!;
            text = typeof sealed === "string" ? sealed : this.#shelf.get(sealed);
            textOf = chunk;
          }
          out.push(text.slice(offset, offset + length));
        } else out.push(this.open[inChunk]!);
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

  #release(chunk: Sealed): void {
    if (typeof chunk === "number") this.#shelf.remove(chunk);
  }
}

export class BoundedEventHistory implements EventHistory {
  #bounds: HistoryBounds;
  #rooms = new Map<string, Window>();
  /** Every room's full chunks, outside the JavaScript heap. */
  #shelf = new TextShelf();
  #bytes = 0;
  #events = 0;

  constructor(bounds: HistoryBounds) {
    this.#bounds = bounds;
  }

  record(roomId: string, events: readonly RecordedEvent[]): void {
    if (events.length === 0 || this.#bounds.maxEvents === 0) return;
    let window = this.#rooms.get(roomId);
    if (window === undefined) {
      window = new Window(this.#shelf);
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
