// One WebSocket connection: who it is, where it is, its lifecycle state and counters. Owns no timers.

import type { Transport } from "./transport.ts";
import { TokenBucket } from "./rate_limiter.ts";

/** The lifecycle of the design document: connected → authenticated → active ⇄ inactive → disconnected. */
export type ConnectionState = "connected" | "authenticated" | "active" | "inactive" | "disconnected";

export interface ConnectionCounters {
  messagesIn: number;
  readonly messagesOut: number;
  bytesIn: number;
  readonly bytesOut: number;
  /** Times this connection took a seat back with a session token. */
  reconnects: number;
}

/**
 * What a channel's native publishes handed every member: one tally per channel, bumped once per publish, so
 * a broadcast costs nothing per member. Each member books the difference since it joined.
 */
export class ChannelTally {
  /** The channel's pub/sub topic, made once rather than at every publish. */
  readonly topic: string;
  frames = 0;
  bytes = 0;
  /** Bytes published since the members' send buffers were last checked (see Broadcaster). */
  unchecked = 0;

  constructor(topic: string) {
    this.topic = topic;
  }
}

/** A connection's counters: its own sends, plus what its channel's tally gained while it was a member. */
class Counters implements ConnectionCounters {
  messagesIn = 0;
  bytesIn = 0;
  reconnects = 0;
  sentMessages = 0;
  sentBytes = 0;
  tally: ChannelTally | null = null;
  tallyFrames = 0;
  tallyBytes = 0;

  get messagesOut(): number {
    return this.sentMessages + (this.tally === null ? 0 : this.tally.frames - this.tallyFrames);
  }

  get bytesOut(): number {
    return this.sentBytes + (this.tally === null ? 0 : this.tally.bytes - this.tallyBytes);
  }
}

export interface ConnectionOptions {
  id: string;
  /** `lobby`, or the room id of `/ws/{room_id}`. */
  channel: string;
  address: string;
  transport: Transport;
  now: number;
  /** Bytes the runtime may hold for this socket before it is a slow consumer. */
  sendBufferLimit: number;
  /** Frames of at least this many characters are sent compressed where the client offered it. */
  compressMin: number;
  bucket: TokenBucket;
}

export class Connection {
  readonly id: string;
  readonly channel: string;
  readonly address: string;
  readonly connectedAt: number;
  readonly #counters = new Counters();
  readonly bucket: TokenBucket;
  state: ConnectionState = "connected";
  /** The member this connection speaks for, once it joined or presented a session token. */
  playerName: string | null = null;
  lastActivity: number;
  lastPingAt: number;
  /** Waiting for a place in a full room: not in the room's broadcast set yet. */
  queued = false;
  /** Frames refused by the rate limiter since the client last let its bucket fill up. */
  strikes = 0;
  /** When the last RATE_LIMITED error went out, so a flood gets one a second, not one per frame. */
  rateLimitedAt = Number.NEGATIVE_INFINITY;
  /** A `timeout_warning` went out and no frame came since. */
  warned = false;
  /** When this connection last resumed a session (a replay can be large, so resumes are spaced out). */
  resumedAt = Number.NEGATIVE_INFINITY;
  /** The code the server closed this socket with, once it did. */
  closeCode: number | null = null;
  #transport: Transport;
  #sendBufferLimit: number;
  #compressMin: number;
  #onSlow: ((connection: Connection) => void) | null = null;

  constructor(options: ConnectionOptions) {
    this.id = options.id;
    this.channel = options.channel;
    this.address = options.address;
    this.connectedAt = options.now;
    this.lastActivity = options.now;
    this.lastPingAt = options.now;
    this.#transport = options.transport;
    this.#sendBufferLimit = options.sendBufferLimit;
    this.#compressMin = options.compressMin;
    this.bucket = options.bucket;
  }

  get isOpen(): boolean {
    return this.state !== "disconnected";
  }

  get counters(): ConnectionCounters {
    return this.#counters;
  }

  get transport(): Transport {
    return this.#transport;
  }

  /** Called once when the send buffer overflows; the gateway closes the socket with 4008. */
  onSlowConsumer(handler: (connection: Connection) => void): void {
    this.#onSlow = handler;
  }

  /** Sends one encoded frame. Returns false if the socket is gone or failed; never throws. */
  send(frame: string): boolean {
    if (!this.isOpen) return false;
    try {
      this.#transport.send(frame, frame.length >= this.#compressMin);
    } catch (error) {
      // A socket that throws on send is already broken; closing it is the only useful reaction, and the
      // runtime's close event then removes it from the registry.
      console.warn(`[net] send failed on ${this.id}: ${String(error)}`);
      this.close(1011, "send failed");
      return false;
    }
    this.countOut(frame.length);
    return true;
  }

  /** Books a frame sent to this socket alone, and checks its buffer. */
  countOut(length: number): void {
    this.#counters.sentMessages += 1;
    this.#counters.sentBytes += length;
    this.checkBuffer();
  }

  /** Joined its channel's broadcast set: from now on the channel's publishes count as sent to it. */
  joinTally(tally: ChannelTally): void {
    this.leaveTally();
    this.#counters.tally = tally;
    this.#counters.tallyFrames = tally.frames;
    this.#counters.tallyBytes = tally.bytes;
  }

  /** Left the broadcast set: what the channel published meanwhile is booked for good. */
  leaveTally(): void {
    const counters = this.#counters;
    if (counters.tally === null) return;
    counters.sentMessages = counters.messagesOut;
    counters.sentBytes = counters.bytesOut;
    counters.tally = null;
  }

  /** A client that stops reading must not make the server hold unbounded memory for it. */
  checkBuffer(): void {
    if (!this.isOpen || this.#onSlow === null) return;
    if (this.#transport.bufferedAmount() > this.#sendBufferLimit) {
      const handler = this.#onSlow;
      this.#onSlow = null;
      handler(this);
    }
  }

  countIn(length: number, now: number): void {
    this.#counters.messagesIn += 1;
    this.#counters.bytesIn += length;
    this.lastActivity = now;
    this.warned = false;
    if (this.state === "inactive") this.state = this.playerName === null ? "connected" : "active";
    else if (this.state === "authenticated") this.state = "active";
  }

  authenticate(playerName: string): void {
    this.playerName = playerName;
    if (this.isOpen) this.state = "authenticated";
  }

  deauthenticate(): void {
    this.playerName = null;
    if (this.isOpen) this.state = "connected";
  }

  close(code: number, reason: string): void {
    if (!this.isOpen) return;
    this.closeCode ??= code;
    try {
      this.#transport.close(code, reason);
    } catch (error) {
      // The socket is already gone; the close event (or its absence) is handled by the runtime adapter.
      console.warn(`[net] close failed on ${this.id}: ${String(error)}`);
    }
  }
}
