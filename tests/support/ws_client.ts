// A recording WebSocket test client: keeps every frame it received (batches unwrapped) and waits for events.
// Built on the project's client (src/client) with reconnecting, liveness pings and resyncs off, so the
// server sees exactly what a test sends: the client answers heartbeat pings and nothing else on its own.

import type { Channel, LobbyChannel, RoomChannel } from "../../src/client/channel.ts";
import { Client } from "../../src/client/client.ts";

export interface Envelope {
  event: string;
  data?: Record<string, unknown>;
  error?: { code: string; message: string; details?: Record<string, unknown> };
  room_id?: string;
  seq?: number;
  id?: string | number;
  timestamp?: number;
}

/** Either channel: a test client connects to the lobby and to rooms alike. */
interface AnyChannel extends Channel {
  events: RoomChannel["events"] & LobbyChannel["events"];
  requests: RoomChannel["requests"] & LobbyChannel["requests"];
  replies: RoomChannel["replies"] & LobbyChannel["replies"];
}

/** How the socket ended: the close code and reason. */
export interface Closed {
  code: number;
  reason: string;
}

interface Waiter {
  match: (message: Envelope) => boolean;
  resolve: (message: Envelope) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class TestClient {
  /** The typed client underneath, for tests that want its view (token, lastSeq, duplicates). */
  readonly client: Client<AnyChannel>;
  /** Every message received, in order, with `message_batch` frames unwrapped (duplicates included). */
  readonly received: Envelope[] = [];
  /** Raw frames as received (for leak checks on the exact bytes). */
  readonly frames: string[] = [];
  readonly closed: Promise<Closed>;
  #cursor = 0;
  #waiters: Waiter[] = [];

  private constructor(client: Client<AnyChannel>) {
    this.client = client;
    client.onFrame((frame, messages) => {
      this.frames.push(frame);
      for (const message of messages) this.#record(message as Envelope);
    });
    this.closed = client.closed.then(({ code, reason }) => ({ code, reason }));
    this.closed.then(() => {
      for (const waiter of this.#waiters.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error("socket closed while waiting"));
      }
    });
  }

  /** Opens `url` exactly as given (query included) and resolves once the socket is open. */
  static async connect(url: string, options: { answerPings?: boolean } = {}): Promise<TestClient> {
    const client = new Client<AnyChannel>(url, {
      reconnect: false,
      liveness: false,
      resyncOnGap: false,
      answerPings: options.answerPings ?? true,
    });
    const test = new TestClient(client);
    try {
      await client.connect();
    } catch {
      throw new Error(`cannot connect to ${url}`);
    }
    return test;
  }

  send(event: string, data?: unknown, id?: string | number): void {
    this.client.sendRaw(JSON.stringify({ event, data, id }));
  }

  sendRaw(frame: string | Uint8Array): void {
    this.client.sendRaw(frame);
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

  /** Closes with `code` and resolves once the close handshake is done. */
  async close(code = 1000): Promise<void> {
    await this.client.close(code);
  }

  #record(message: Envelope): void {
    this.received.push(message);
    const waiter = this.#waiters.find((w) => w.match(message));
    if (waiter !== undefined) {
      this.#waiters = this.#waiters.filter((w) => w !== waiter);
      clearTimeout(waiter.timer);
      waiter.resolve(message);
    }
  }
}
