// Test doubles for the net layer: a recording Transport, a recording PubSub, and small builders.

import { Connection } from "../../src/net/connection.ts";
import { Gateway } from "../../src/net/gateway.ts";
import { DEFAULT_LIMITS, type NetLimits } from "../../src/net/limits.ts";
import { TokenBucket } from "../../src/net/rate_limiter.ts";
import type { PubSub, Transport } from "../../src/net/transport.ts";
import { FakeClock } from "../../src/rooms/clock.ts";
import { RoomDirectory } from "../../src/rooms/room_directory.ts";
import type { StoreJournals } from "../../src/rooms/room_journal.ts";
import { NO_DELAYS, type RoomSettings } from "../../src/rooms/settings.ts";

/** A decoded server frame, loosely typed for assertions. */
export interface Frame {
  event: string;
  data?: Record<string, unknown>;
  error?: { code: string; message: string; details: Record<string, unknown>; timestamp: number };
  room_id?: string;
  seq?: number;
  id?: string | number;
  timestamp: number;
}

/** Records everything the server does to one socket; `buffered` plays the runtime's send buffer. */
export class FakeTransport implements Transport {
  readonly sent: string[] = [];
  readonly closes: { code: number; reason: string }[] = [];
  readonly subscriptions: string[] = [];
  buffered = 0;
  throwOnSend = false;

  send(frame: string, _compress: boolean): void {
    if (this.throwOnSend) throw new Error("socket is gone");
    this.sent.push(frame);
  }

  close(code: number, reason: string): void {
    this.closes.push({ code, reason });
  }

  bufferedAmount(): number {
    return this.buffered;
  }

  subscribe(topic: string): void {
    this.subscriptions.push(topic);
  }

  unsubscribe(topic: string): void {
    const at = this.subscriptions.indexOf(topic);
    if (at >= 0) this.subscriptions.splice(at, 1);
  }

  get frames(): Frame[] {
    return this.sent.map((text) => JSON.parse(text) as Frame);
  }

  /** Every message in order, with `message_batch` frames unwrapped into the messages they carry. */
  get messages(): Frame[] {
    return this.frames.flatMap((frame) =>
      frame.event === "message_batch" ? (frame.data?.messages as Frame[]) : [frame]
    );
  }

  /** Frames of one event, in order. */
  events(event: string): Frame[] {
    return this.frames.filter((frame) => frame.event === event);
  }

  /** The `error` frames' codes, in order. */
  get errorCodes(): string[] {
    return this.events("error").map((frame) => frame.error?.code ?? "");
  }

  get lastCloseCode(): number | undefined {
    return this.closes.at(-1)?.code;
  }

  last(): Frame {
    const text = this.sent.at(-1);
    if (text === undefined) throw new Error("nothing was sent");
    return JSON.parse(text) as Frame;
  }

  clear(): void {
    this.sent.length = 0;
  }
}

/** A transport without pub/sub, as the Deno adapter provides. */
export class PlainTransport implements Transport {
  readonly inner = new FakeTransport();
  send(frame: string, compress: boolean): void {
    this.inner.send(frame, compress);
  }
  close(code: number, reason: string): void {
    this.inner.close(code, reason);
  }
  bufferedAmount(): number {
    return this.inner.bufferedAmount();
  }
}

/** A native fan-out that records each publish instead of delivering. */
export class FakePubSub implements PubSub {
  readonly published: { topic: string; frame: string }[] = [];
  publish(topic: string, frame: string, _compress: boolean): void {
    this.published.push({ topic, frame });
  }
}

let nextConnection = 1;

export interface ConnectionSpec {
  channel?: string;
  address?: string;
  now?: number;
  transport?: FakeTransport;
  queued?: boolean;
  sendBufferLimit?: number;
}

/** A connection on a fake transport, not registered anywhere yet. */
export function makeConnection(
  spec: ConnectionSpec = {},
): { connection: Connection; transport: FakeTransport } {
  const transport = spec.transport ?? new FakeTransport();
  const now = spec.now ?? 0;
  const connection = new Connection({
    id: `t${nextConnection++}`,
    channel: spec.channel ?? "room1",
    address: spec.address ?? "10.0.0.1",
    transport,
    now,
    sendBufferLimit: spec.sendBufferLimit ?? 1024 * 1024,
    compressMin: 1024,
    bucket: new TokenBucket(20, 40, now),
  });
  connection.queued = spec.queued ?? false;
  return { connection, transport };
}

export interface Harness {
  clock: FakeClock;
  gateway: Gateway;
  limits: NetLimits;
  /** Opens a socket on a channel; the connection is null when the gateway turned it away. */
  connect(channel: string, options?: { address?: string; token?: string; lastSeq?: string }): Client;
}

/** One fake socket attached to the gateway. */
export interface Client {
  transport: FakeTransport;
  connection: ReturnType<Gateway["open"]>;
  /** Sends a frame (an object is JSON-encoded) as the runtime's message event would. */
  send(frame: unknown): void;
  sendRaw(data: string | ArrayBuffer | Uint8Array): void;
  /** The runtime's close event. */
  close(): void;
}

/** The connection the gateway made for this socket; throws if the gateway turned it away. */
export function connectionOf(client: Client): Connection {
  if (client.connection === null) throw new Error("the gateway turned this socket away");
  return client.connection;
}

/** A gateway on a fake clock with a real room directory (stored through `journals`, if given), wired as main.ts wires them. */
export function makeGateway(
  overrides: Partial<NetLimits> = {},
  options: {
    pubsub?: PubSub | null;
    roomDefaults?: Partial<RoomSettings>;
    journals?: StoreJournals;
    /** Cluster mode: where another node serves a room it owns. */
    ownerUrl?: (owner: string, roomId: string) => Promise<string | null>;
    /** Spreads first pings (see GatewayOptions); absent, every first ping comes one whole interval in. */
    pingPhase?: () => number;
  } = {},
): Harness {
  const clock = new FakeClock();
  const limits: NetLimits = { ...DEFAULT_LIMITS, ...overrides };
  const gateway = new Gateway({
    clock,
    limits,
    pubsub: options.pubsub ?? null,
    ...(options.ownerUrl !== undefined ? { ownerUrl: options.ownerUrl } : {}),
    ...(options.pingPhase !== undefined ? { pingPhase: options.pingPhase } : {}),
    directory: (delivery) =>
      new RoomDirectory({
        clock,
        output: delivery,
        lobby: delivery,
        defaults: options.roomDefaults ?? NO_DELAYS,
        seed: () => 42,
        ...(options.journals !== undefined ? { journals: options.journals } : {}),
      }),
  });
  return {
    clock,
    gateway,
    limits,
    connect(channel, connectOptions = {}) {
      const transport = new FakeTransport();
      const query = { token: connectOptions.token, lastSeq: connectOptions.lastSeq };
      const connection = gateway.open(transport, channel, connectOptions.address ?? "10.0.0.1", query);
      return {
        transport,
        connection,
        send(frame) {
          if (connection === null) throw new Error("the gateway turned this socket away");
          gateway.message(connection, typeof frame === "string" ? frame : JSON.stringify(frame));
        },
        sendRaw(data) {
          if (connection === null) throw new Error("the gateway turned this socket away");
          gateway.message(connection, data);
        },
        close() {
          if (connection !== null) gateway.closed(connection);
        },
      };
    },
  };
}
