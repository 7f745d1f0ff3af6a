// The server's counters: plain numbers and per-label maps bumped on the hot path (no allocation per
// message), read by the /metrics route. Gauges that can be computed on demand are not kept here.

/** A counter split by one label. Label values must come from a bounded set (event names, codes). */
export class LabeledCounter {
  readonly #values = new Map<string, number>();

  inc(label: string, by = 1): void {
    this.#values.set(label, (this.#values.get(label) ?? 0) + by);
  }

  get(label: string): number {
    return this.#values.get(label) ?? 0;
  }

  entries(): IterableIterator<[string, number]> {
    return this.#values.entries();
  }
}

/** Close codes a client may pick are many; anything the server does not know is counted as `other`. */
const KNOWN_CLOSE_CODES = new Set([
  1000,
  1001,
  1002,
  1003,
  1005,
  1006,
  1007,
  1008,
  1009,
  1011,
  4000,
  4001,
  4003,
  4008,
  4029,
]);

export class Metrics {
  readonly connectionsOpened = new LabeledCounter();
  readonly connectionsClosed = new LabeledCounter();
  /** Sockets turned away at the door, by reason (`address_limit`, `origin`, `shutting_down`). */
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

  /** One room or lobby broadcast reached `recipients` sockets. */
  fannedOut(recipients: number): void {
    this.broadcasts += 1;
    this.broadcastRecipients += recipients;
  }
}
