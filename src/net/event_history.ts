// The recent broadcasts of each room, kept as the frames that went out, so a returning player can be replayed
// what it missed. Bounded per room in events and bytes; a room's history goes with the room.

import { Buffer } from "node:buffer";
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
  /**
   * Appends a room's broadcasts, in seq order. A seq that does not follow the last kept one starts over.
   * Never throws: it runs inside delivery, before the frame goes out, and a room whose events could not all be
   * kept has its history dropped (a resume then gets a whole state, never a replay with a hole).
   */
  record(roomId: string, events: readonly RecordedEvent[]): void;
  /** `record` of one event, without the list (every chat is one). */
  recordOne(roomId: string, seq: number, frame: string): void;
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

/** Events per chunk at most. */
const CHUNK = 64;
/** Bytes of one slab: about 55 chat frames of bench:transport's `rooms` per shelf insert. */
const SLAB = 8192;
/** Free slabs kept, beyond which a returned one is left to the collector (2 MiB). */
const POOL_LIMIT = 256;

/**
 * Byte slabs shared by every busy room's chunk in progress, reused once a chunk is on the shelf: after its
 * first seconds a busy server takes every slab from here and touches no fresh pages for them.
 */
class SlabPool {
  #free: Buffer[] = [];

  /** A `Buffer`, whose `write` takes an offset: a view per frame to encode into was one more object a chat. */
  take(): Buffer {
    return this.#free.pop() ?? Buffer.alloc(SLAB);
  }

  give(slab: Buffer): void {
    if (this.#free.length < POOL_LIMIT) this.#free.push(slab);
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * One room's window of kept events, in chunks. Until the room first fills a chunk, the chunk in progress is
 * the frames themselves (an idle room's few events take no slab); from then on it is their UTF-8 bytes in a
 * pooled slab. A full chunk (64 events, or a full slab) goes to the shelf, outside the JavaScript heap, as
 * bytes with its frames' sizes as its note. A frame too large for a slab, or not well-formed UTF-16, goes to
 * the shelf alone, as text. Of a full chunk only the first one's sizes are read back (to trim the window from
 * the front), and its bytes only for a resume.
 *
 * Why: kept as strings (one per event, then joined per 64 events), a full history (1,000 events in each of 250
 * rooms in bench:transport's `rooms`) counted 37 MB as live heap, which sets how much JavaScriptCore lets the
 * server allocate between collections, and every kept frame outlived a young collection or several, leaving
 * old garbage that only a full collection frees (src/store/text_shelf.ts).
 */
class Window {
  #shelf: TextShelf;
  #pool: SlabPool;
  /** Shelf keys of full chunks, oldest first, and their event counts; the first may have dropped events. */
  sealed: number[] = [];
  sealedCounts: number[] = [];
  /**
   * The chunk in progress: its frames' sizes, and the frames themselves until the window first fills a chunk
   * (an idle room's few events cost no slab), then their bytes in a slab and how many of them are used.
   */
  #openSizes: number[] = [];
  #frames: string[] = [];
  #busy = false;
  #slab: Buffer | null = null;
  #fill = 0;
  /** UTF-8 sizes of the first full chunk's events, once read from its note. */
  #leadSizes: number[] | null = null;
  /** Events dropped from the front of the first chunk (`sealed[0]`, or the one in progress). */
  lead = 0;
  count = 0;
  /** Seq of the oldest kept event. */
  firstSeq = 0;
  bytes = 0;

  constructor(shelf: TextShelf, pool: SlabPool) {
    this.#shelf = shelf;
    this.#pool = pool;
  }

  /** Keeps a frame of `size` UTF-8 bytes (`utf8Length`, which for well-formed text is its encoding's length). */
  push(seq: number, frame: string, size: number): void {
    if (this.count === 0) this.firstSeq = seq;
    this.count += 1;
    this.bytes += size;
    if (size > SLAB || !frame.isWellFormed()) {
      this.#seal();
      this.#sealed(this.#shelf.putText(frame, String(size)), [size]);
      return;
    }
    if (!this.#busy) {
      this.#frames.push(frame);
      this.#openSizes.push(size);
      if (this.#openSizes.length === CHUNK) this.#seal();
      return;
    }
    if (this.#slab !== null && this.#fill + size > SLAB) this.#seal();
    this.#slab ??= this.#pool.take();
    this.#slab!.write(frame, this.#fill, size, "utf8");
    this.#fill += size;
    this.#openSizes.push(size);
    if (this.#openSizes.length === CHUNK) this.#seal();
  }

  /** UTF-8 size of the oldest kept event (the window must not be empty). */
  get oldestSize(): number {
    if (this.sealed.length === 0) return this.#openSizes[this.lead]!;
    this.#leadSizes ??= this.#shelf.note(this.sealed[0]!).split(",").map(Number);
    return this.#leadSizes[this.lead]!;
  }

  /** Drops the oldest kept event. */
  dropOldest(): void {
    if (this.count === 1) return this.clear();
    this.bytes -= this.oldestSize;
    this.count -= 1;
    this.firstSeq += 1;
    this.lead += 1;
    if (this.sealed.length > 0 && this.lead === this.sealedCounts[0]) {
      this.#shelf.remove(this.sealed.shift()!);
      this.sealedCounts.shift();
      this.#leadSizes = null;
      this.lead = 0;
    }
  }

  /** Drops every kept event. */
  clear(): void {
    for (const key of this.sealed) this.#shelf.remove(key);
    if (this.#slab !== null) this.#pool.give(this.#slab);
    this.sealed = [];
    this.sealedCounts = [];
    this.#slab = null;
    this.#fill = 0;
    this.#openSizes = [];
    this.#frames = [];
    this.#leadSizes = null;
    this.lead = this.count = this.bytes = 0;
  }

  /** The frames of the kept events from the `from`-th on. */
  frames(from: number): string[] {
    const out: string[] = [];
    let at = 0;
    for (let c = 0; c < this.sealed.length; c++) {
      const first = c === 0 ? this.lead : 0;
      const events = this.sealedCounts[c]!;
      if (at + events - first <= from) {
        at += events - first;
        continue;
      }
      const key = this.sealed[c]!;
      const body = this.#shelf.read(key);
      if (typeof body === "string") {
        out.push(body);
        at += 1;
        continue;
      }
      at = decodeFrames(body, this.#shelf.note(key).split(",").map(Number), first, from - at, out, at);
    }
    const first = this.sealed.length === 0 ? this.lead : 0;
    if (this.#slab !== null) decodeFrames(this.#slab, this.#openSizes, first, from - at, out, at);
    for (let k = first; k < this.#frames.length; k++) {
      if (at++ >= from) out.push(this.#frames[k]!);
    }
    return out;
  }

  /** The chunk in progress goes to the shelf as bytes, and its slab back to the pool. */
  #seal(): void {
    if (this.#openSizes.length === 0) return;
    const bytes = this.#slab === null
      ? encoder.encode(this.#frames.join(""))
      : this.#slab.subarray(0, this.#fill);
    this.#sealed(this.#shelf.putBytes(bytes, this.#openSizes.join(",")), this.#openSizes);
    if (this.#slab !== null) this.#pool.give(this.#slab);
    this.#slab = null;
    this.#fill = 0;
    this.#openSizes = [];
    this.#frames = [];
  }

  #sealed(key: number, sizes: number[]): void {
    // From the first full chunk on the room is busy: its frames go straight into slabs, and die young.
    this.#busy = true;
    if (this.sealed.length === 0) this.#leadSizes = sizes;
    this.sealed.push(key);
    this.sealedCounts.push(sizes.length);
  }
}

/**
 * Decodes the frames of a chunk's bytes from its `first`-th on, skipping `skip` more of them, onto `out`;
 * answers `at` plus the frames it went past.
 */
function decodeFrames(
  bytes: Uint8Array,
  sizes: readonly number[],
  first: number,
  skip: number,
  out: string[],
  at: number,
): number {
  let offset = 0;
  for (let k = 0; k < sizes.length; k++) {
    const size = sizes[k]!;
    if (k >= first) {
      if (k - first >= skip) out.push(decoder.decode(bytes.subarray(offset, offset + size)));
      at += 1;
    }
    offset += size;
  }
  return at;
}

export class BoundedEventHistory implements EventHistory {
  #bounds: HistoryBounds;
  #rooms = new Map<string, Window>();
  /** Every room's full chunks, outside the JavaScript heap, and the slabs of the chunks in progress. */
  #shelf: TextShelf;
  #pool = new SlabPool();

  /** `shelf`: where full chunks go (a test seam: one that fails). */
  constructor(bounds: HistoryBounds, shelf: TextShelf = new TextShelf()) {
    this.#bounds = bounds;
    this.#shelf = shelf;
  }

  record(roomId: string, events: readonly RecordedEvent[]): void {
    if (events.length === 0 || this.#bounds.maxEvents === 0) return;
    const window = this.#window(roomId);
    try {
      for (const event of events) this.#push(window, event.seq, event.frame);
    } catch (error) {
      this.#lost(roomId, window, error);
    }
  }

  recordOne(roomId: string, seq: number, frame: string): void {
    if (this.#bounds.maxEvents === 0) return;
    const window = this.#window(roomId);
    try {
      this.#push(window, seq, frame);
    } catch (error) {
      this.#lost(roomId, window, error);
    }
  }

  /**
   * Keeping an event failed part way (the shelf could not store a chunk): what the window counts may no longer
   * be what it holds, so it is dropped whole. The frame still goes out; a resume from before it gets a whole
   * state, and the room's history starts over with its next event.
   */
  #lost(roomId: string, window: Window, error: unknown): void {
    console.error(`[net] room ${roomId}: its resume history could not keep an event; it starts over`, error);
    this.#rooms.delete(roomId);
    try {
      window.clear();
    } catch {
      // The shelf is failing: its rows for this window stay behind, but nothing refers to them any more.
    }
  }

  #window(roomId: string): Window {
    let window = this.#rooms.get(roomId);
    if (window === undefined) {
      window = new Window(this.#shelf, this.#pool);
      this.#rooms.set(roomId, window);
    }
    return window;
  }

  #push(window: Window, seq: number, frame: string): void {
    // A hole would make `since` claim a gap-free replay it cannot give: start the window over instead.
    if (window.count > 0 && seq !== window.firstSeq + window.count) this.#drop(window, window.count);
    const size = utf8Length(frame, 0);
    // The oldest go first, so the window never holds more than either bound allows. A frame larger than the
    // byte bound on its own takes every older one with it and is not kept either.
    while (
      window.count > 0 &&
      (window.count + 1 > this.#bounds.maxEvents || window.bytes + size > this.#bounds.maxBytes)
    ) this.#drop(window, 1);
    if (size > this.#bounds.maxBytes) return;
    window.push(seq, frame, size);
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
    // Summed when asked (/metrics), so a window dropped after a failure can never leave the totals off.
    let events = 0, bytes = 0;
    for (const window of this.#rooms.values()) {
      events += window.count;
      bytes += window.bytes;
    }
    return { rooms: this.#rooms.size, events, bytes };
  }

  #drop(window: Window, count: number): void {
    if (count === 0) return;
    if (count >= window.count) window.clear();
    else for (let i = 0; i < count; i++) window.dropOldest();
  }
}
