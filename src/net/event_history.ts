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

/** One room's window: `events[head..]` are kept, oldest first, with contiguous seqs. */
interface Window {
  events: { seq: number; frame: string; bytes: number }[];
  head: number;
  bytes: number;
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
      window = { events: [], head: 0, bytes: 0 };
      this.#rooms.set(roomId, window);
    }
    for (const event of events) {
      const last = window.events.at(-1);
      // A hole would make `since` claim a gap-free replay it cannot give: start the window over instead.
      if (window.head < window.events.length && last !== undefined && event.seq !== last.seq + 1) {
        this.#drop(window, window.events.length - window.head);
      }
      const bytes = utf8Length(event.frame, 0);
      window.events.push({ seq: event.seq, frame: event.frame, bytes });
      window.bytes += bytes;
      this.#bytes += bytes;
      this.#events += 1;
    }
    this.#trim(window);
  }

  since(roomId: string, afterSeq: number): readonly RecordedEvent[] | null {
    const window = this.#rooms.get(roomId);
    if (window === undefined || window.head === window.events.length) return null;
    const first = window.events[window.head]!;
    const last = window.events.at(-1)!;
    if (afterSeq === last.seq) return [];
    if (afterSeq < first.seq - 1 || afterSeq > last.seq) return null;
    const from = window.head + (afterSeq + 1 - first.seq);
    return window.events.slice(from).map(({ seq, frame }) => ({ seq, frame }));
  }

  forget(roomId: string): void {
    const window = this.#rooms.get(roomId);
    if (window === undefined) return;
    this.#drop(window, window.events.length - window.head);
    this.#rooms.delete(roomId);
  }

  /** Totals over every room, for metrics. */
  stats(): HistoryStats {
    return { rooms: this.#rooms.size, events: this.#events, bytes: this.#bytes };
  }

  /** Drops the oldest events until the window fits both bounds. */
  #trim(window: Window): void {
    let excess = 0;
    let bytes = window.bytes;
    let kept = window.events.length - window.head;
    while (kept > 0 && (kept > this.#bounds.maxEvents || bytes > this.#bounds.maxBytes)) {
      bytes -= window.events[window.head + excess]!.bytes;
      excess += 1;
      kept -= 1;
    }
    if (excess > 0) this.#drop(window, excess);
  }

  #drop(window: Window, count: number): void {
    for (let i = 0; i < count; i++) {
      const bytes = window.events[window.head + i]!.bytes;
      window.bytes -= bytes;
      this.#bytes -= bytes;
    }
    this.#events -= count;
    window.head += count;
    if (window.head === window.events.length) {
      window.events = [];
      window.head = 0;
      return;
    }
    // Compact once the dropped prefix outweighs what is kept, so trimming stays O(1) amortised per event.
    if (window.head > 64 && window.head * 2 > window.events.length) {
      window.events = window.events.slice(window.head);
      window.head = 0;
    }
  }
}
