// A recording WebSocket test client: keeps every frame it received (batches unwrapped) and waits for events.

export interface Envelope {
  event: string;
  data?: Record<string, unknown>;
  error?: { code: string; message: string; details?: Record<string, unknown> };
  room_id?: string;
  seq?: number;
  id?: string | number;
  timestamp?: number;
}

interface Waiter {
  match: (message: Envelope) => boolean;
  resolve: (message: Envelope) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class TestClient {
  readonly socket: WebSocket;
  /** Every message received, in order, with `message_batch` frames unwrapped. */
  readonly received: Envelope[] = [];
  /** Raw frames as received (for leak checks on the exact bytes). */
  readonly frames: string[] = [];
  readonly closed: Promise<CloseEvent>;
  #cursor = 0;
  #waiters: Waiter[] = [];
  #answerPings: boolean;

  private constructor(socket: WebSocket, answerPings: boolean) {
    this.socket = socket;
    this.#answerPings = answerPings;
    this.closed = new Promise((resolve) => socket.addEventListener("close", (e) => resolve(e)));
    socket.addEventListener("message", (event) => this.#onFrame(String(event.data)));
    this.closed.then(() => {
      for (const waiter of this.#waiters.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error("socket closed while waiting"));
      }
    });
  }

  static async connect(url: string, options: { answerPings?: boolean } = {}): Promise<TestClient> {
    const socket = new WebSocket(url);
    const client = new TestClient(socket, options.answerPings ?? true);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)), { once: true });
    });
    return client;
  }

  send(event: string, data?: unknown, id?: string | number): void {
    this.socket.send(JSON.stringify({ event, data, id }));
  }

  sendRaw(frame: string | Uint8Array): void {
    this.socket.send(frame);
  }

  /** The next not-yet-consumed message matching `event` (and `where`), waiting up to `timeoutMs`. */
  next(
    event: string,
    where: (message: Envelope) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<Envelope> {
    const match = (m: Envelope) => m.event === event && where(m);
    for (let i = this.#cursor; i < this.received.length; i++) {
      const message = this.received[i]!;
      if (match(message)) {
        this.#cursor = i + 1;
        return Promise.resolve(message);
      }
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: (message) => {
          this.#cursor = this.received.indexOf(message) + 1;
          resolve(message);
        },
        reject,
        timer: setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          const seen = this.received.slice(-8).map((m) => m.event).join(", ");
          reject(new Error(`timed out waiting for ${event}; last seen: ${seen}`));
        }, timeoutMs),
      };
      this.#waiters.push(waiter);
    });
  }

  /** The next `error` envelope, waiting up to `timeoutMs`. */
  nextError(timeoutMs = 5_000): Promise<Envelope> {
    return this.next("error", () => true, timeoutMs);
  }

  /** Sends `ping` and waits for its `pong`: proof the connection still answers. */
  async roundTrip(): Promise<void> {
    const id = `rt-${crypto.randomUUID().slice(0, 8)}`;
    this.send("ping", {}, id);
    await this.next("pong", (m) => m.id === id);
  }

  async close(code = 1000): Promise<void> {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(code);
    }
    await this.closed;
  }

  #onFrame(frame: string): void {
    this.frames.push(frame);
    const message = JSON.parse(frame) as Envelope;
    const inner = message.event === "message_batch"
      ? (message.data?.messages as Envelope[] | undefined) ?? []
      : [message];
    for (const m of inner) {
      if (m.event === "ping" && this.#answerPings && this.socket.readyState === WebSocket.OPEN) {
        this.socket.send(JSON.stringify({ event: "pong", data: {} }));
      }
      this.received.push(m);
      const waiter = this.#waiters.find((w) => w.match(m));
      if (waiter !== undefined) {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(m);
      }
    }
  }
}
