// The server's counters: plain numbers and per-label maps bumped on the hot path (no allocation per
// message), read by the /metrics route. Gauges that can be computed on demand are not kept here.

import { CloseCode } from "../protocol/codes.ts";

/** A counter split by one label. Label values must come from a bounded set (event names, codes). */
export class LabeledCounter {
  /** A cell per label, so a bump is one map lookup (every frame in and out bumps two counters). */
  readonly #values = new Map<string, { n: number }>();

  inc(label: string, by = 1): void {
    const cell = this.#values.get(label);
    if (cell === undefined) this.#values.set(label, { n: by });
    else cell.n += by;
  }

  get(label: string): number {
    return this.#values.get(label)?.n ?? 0;
  }

  *entries(): IterableIterator<[string, number]> {
    for (const [label, cell] of this.#values) yield [label, cell.n];
  }
}

/**
 * A histogram over fixed upper bounds (Prometheus `le`), counted per bucket and made cumulative only when
 * read, so an observation is one comparison loop and two additions.
 */
export class Histogram {
  readonly bounds: readonly number[];
  readonly #counts: number[];
  sum = 0;
  count = 0;

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.#counts = new Array(bounds.length).fill(0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count += 1;
    for (let i = 0; i < this.bounds.length; i++) {
      if (value <= this.bounds[i]!) {
        this.#counts[i]! += 1;
        return;
      }
    }
  }

  /** Observations at or under each bound, in bound order (the `+Inf` bucket is `count`). */
  cumulative(): number[] {
    let running = 0;
    return this.#counts.map((n) => (running += n));
  }
}

/** How a store append ended: its result kind, or `error` when the store failed (I/O, Redis unreachable). */
export const APPEND_RESULTS = [
  "ok",
  "fenced",
  "conflict",
  "duplicate",
  "finished",
  "not_found",
  "error",
] as const;
export type AppendOutcome = typeof APPEND_RESULTS[number];

/** Seconds: from a local SQLite commit (sub-millisecond) to an fsync-bound Redis under load (a second). */
const APPEND_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Close codes a client may pick are many; anything the server does not know is counted as `other`. Every code
 * the server itself closes with (`CloseCode`, the cluster's 4010 redirect included) has its own label.
 */
const KNOWN_CLOSE_CODES = new Set<number>([
  // What a client or the runtime reports: protocol error, unsupported data, no code, abnormal, invalid payload.
  1002,
  1003,
  1005,
  1006,
  1007,
  ...Object.values(CloseCode),
]);

export class Metrics {
  readonly connectionsOpened = new LabeledCounter();
  readonly connectionsClosed = new LabeledCounter();
  /**
   * Sockets turned away at the door, by reason (`address_limit`, `origin`, `shutting_down`; in cluster mode
   * `redirect` to the room's owner and `unavailable` when no node can serve it just now).
   */
  readonly connectionsRefused = new LabeledCounter();
  readonly messagesIn = new LabeledCounter();
  readonly bytesIn = new LabeledCounter();
  readonly messagesOut = new LabeledCounter();
  readonly bytesOut = new LabeledCounter();
  readonly errors = new LabeledCounter();
  rateLimited = 0;
  slowConsumerCloses = 0;
  gamesStarted = 0;
  gamesFinished = 0;
  /** Most sockets open at once since the start. */
  peakConnections = 0;
  /** Summed lifetime of closed sockets, for the average the admin stats show. */
  closedDurationMs = 0;
  broadcasts = 0;
  broadcastRecipients = 0;
  /** Room log appends by outcome; every outcome starts at 0 so a scrape shows the series before the first. */
  readonly appends = new LabeledCounter();
  readonly appendSeconds = new Histogram(APPEND_BUCKETS);
  /** Leases granted for rooms that had an earlier holder (cluster mode: a room taken over from a node). */
  takeovers = 0;
  /** Leases this node lost while serving the room, by reason (`taken`, `unreachable`: self-fenced). */
  readonly leasesLost = new LabeledCounter();

  constructor() {
    for (const outcome of APPEND_RESULTS) this.appends.inc(outcome, 0);
    for (const reason of ["taken", "unreachable"]) this.leasesLost.inc(reason, 0);
  }

  opened(endpoint: "lobby" | "room"): void {
    this.connectionsOpened.inc(endpoint);
  }

  closed(code: number): void {
    this.connectionsClosed.inc(KNOWN_CLOSE_CODES.has(code) ? String(code) : "other");
  }

  received(event: string, bytes: number): void {
    this.messagesIn.inc(event);
    this.bytesIn.inc(event, bytes);
  }

  /** `copies` sockets were handed the same `bytes`-long frame for `event`. */
  sent(event: string, bytes: number, copies = 1): void {
    if (copies === 0) return;
    this.messagesOut.inc(event, copies);
    this.bytesOut.inc(event, bytes * copies);
  }

  /** A room log append settled with `outcome` after `seconds`. */
  appended(outcome: AppendOutcome, seconds: number): void {
    this.appends.inc(outcome);
    this.appendSeconds.observe(seconds);
  }

  /** One room or lobby broadcast reached `recipients` sockets. */
  fannedOut(recipients: number): void {
    this.broadcasts += 1;
    this.broadcastRecipients += recipients;
  }
}
