// Where sockets meet the server: admission (address and room caps, queue), every inbound frame's checks
// (size, type, rate), routing, heartbeats and idle closes, and cleanup on close or error.

import { CloseCode, ErrorCode } from "../protocol/codes.ts";
import { lobbyEvents, type RequestId, roomEvents } from "../protocol/client_messages.ts";
import { isRoomId } from "../protocol/fields.ts";
import { encodeError, encodeEvent } from "../protocol/server_messages.ts";
import type { Clock, TimerId } from "../rooms/clock.ts";
import type { RoomDirectory } from "../rooms/room_directory.ts";
import { Broadcaster } from "./broadcaster.ts";
import { Connection } from "./connection.ts";
import { ConnectionRegistry } from "./connection_registry.ts";
import { Delivery } from "./delivery.ts";
import type { NetLimits } from "./limits.ts";
import { utf8Length } from "./limits.ts";
import { lobbyHandlers } from "./lobby_handlers.ts";
import { TokenBucket } from "./rate_limiter.ts";
import { RoomQueue } from "./room_queue.ts";
import { roomHandlers } from "./room_handlers.ts";
import { type Failure, type Replies, Router } from "./router.ts";
import { LOBBY_TOPIC, type PubSub, roomTopic, type Transport } from "./transport.ts";

export interface GatewayOptions {
  clock: Clock;
  limits: NetLimits;
  pubsub: PubSub | null;
  /** Builds the room directory around the delivery the gateway owns. */
  directory: (delivery: Delivery) => RoomDirectory;
  /** Cluster mode: the URL of another node's socket path for a room it owns (null when unknown). */
  ownerUrl?: (owner: string, roomId: string) => Promise<string | null>;
}

/** The query a socket connected with. */
export interface ConnectQuery {
  token?: string;
}

export class Gateway implements Replies {
  readonly registry = new ConnectionRegistry();
  readonly directory: RoomDirectory;
  readonly broadcaster: Broadcaster;
  readonly queue = new RoomQueue();
  #clock: Clock;
  #limits: NetLimits;
  #lobbyRouter: Router<typeof lobbyEvents>;
  #roomRouter: Router<typeof roomEvents>;
  #heartbeat: TimerId | null = null;
  #pendingTokens = new Map<string, string>();
  #nextId = 1;
  #closing = false;

  constructor(options: GatewayOptions) {
    this.#clock = options.clock;
    this.#limits = options.limits;
    this.broadcaster = new Broadcaster(this.registry, options.pubsub, options.limits.compressMinBytes);
    const delivery = new Delivery(this.broadcaster, this.registry, options.clock);
    this.directory = options.directory(delivery);
    this.#lobbyRouter = new Router(lobbyEvents, lobbyHandlers(this.directory), this);
    this.#roomRouter = new Router(
      roomEvents,
      roomHandlers({
        directory: this.directory,
        registry: this.registry,
        ...(options.ownerUrl !== undefined
          ? { ownerUrl: options.ownerUrl, redirect: (connection, url) => this.#redirect(connection, url) }
          : {}),
      }),
      this,
    );
  }

  /** Whether a path segment names a channel: `lobby` or a valid room id. */
  static isChannel(channel: string): boolean {
    return channel === "lobby" || isRoomId(channel);
  }

  /** Starts the heartbeat sweep: pings, idle warnings and closes, send-buffer checks. */
  start(): void {
    if (this.#heartbeat !== null) return;
    const every = Math.max(10, Math.min(this.#limits.heartbeatMs, this.#limits.idleWarningMs / 2, 5_000));
    this.#heartbeat = this.#clock.setInterval(() => this.sweep(), every);
  }

  /** A socket finished its handshake. Returns the connection, or null if it was turned away (and closed). */
  open(transport: Transport, channel: string, address: string, query: ConnectQuery = {}): Connection | null {
    const now = this.#clock.now();
    if (this.#closing) {
      transport.close(CloseCode.GOING_AWAY, "server shutting down");
      return null;
    }
    if (this.registry.countForAddress(address) >= this.#limits.maxConnectionsPerAddress) {
      transport.close(CloseCode.TOO_MANY_CONNECTIONS, "too many connections from this address");
      return null;
    }
    const connection = new Connection({
      id: `c${(this.#nextId++).toString(36)}-${crypto.randomUUID().slice(0, 8)}`,
      channel,
      address,
      transport,
      now,
      sendBufferLimit: this.#limits.sendBufferBytes,
      compressMin: this.#limits.compressMinBytes,
      bucket: new TokenBucket(this.#limits.ratePerSecond, this.#limits.rateBurst, now),
    });
    connection.onSlowConsumer((slow) => this.drop(slow, CloseCode.SLOW_CONSUMER, "slow consumer"));
    const isRoom = channel !== "lobby";
    connection.queued = isRoom && this.registry.countInChannel(channel) >= this.#limits.maxConnectionsPerRoom;
    this.registry.add(connection);
    if (connection.queued) {
      if (query.token !== undefined) this.#pendingTokens.set(connection.id, query.token);
      const position = this.queue.enqueue(connection);
      this.#send(connection, "queued", { position, room_id: channel });
      return connection;
    }
    this.#welcome(connection, query.token);
    return connection;
  }

  /** One inbound frame. Binary frames, oversized frames and floods are answered, never routed. */
  message(connection: Connection, data: string | ArrayBufferLike | ArrayBufferView | Blob): void {
    if (!connection.isOpen) return;
    const now = this.#clock.now();
    const size = typeof data === "string"
      ? utf8Length(data, this.#limits.maxFrameBytes)
      : data instanceof Blob
      ? data.size
      : data.byteLength;
    connection.countIn(size, now);
    if (size > this.#limits.hardFrameBytes) {
      this.drop(connection, CloseCode.MESSAGE_TOO_BIG, "frame too large");
      return;
    }
    if (!connection.bucket.take(now)) {
      this.#refuseOverRate(connection, now);
      return;
    }
    // Strikes are forgiven only once the client slowed down enough for its bucket to fill up again, so a
    // client that keeps sending at twice the rate is still closed, however many of its frames get through.
    if (connection.bucket.tokens >= connection.bucket.capacity - 1) connection.strikes = 0;
    if (size > this.#limits.maxFrameBytes) {
      this.error(connection, {
        code: ErrorCode.MESSAGE_TOO_LARGE,
        message: `Messages are limited to ${this.#limits.maxFrameBytes} bytes`,
        details: { limit: this.#limits.maxFrameBytes, size },
      }, undefined);
      return;
    }
    if (typeof data !== "string") {
      this.error(connection, {
        code: ErrorCode.INVALID_DATA,
        message: "Binary frames are not supported: send JSON text",
      }, undefined);
      return;
    }
    if (connection.queued) {
      this.#whileQueued(connection, data, now);
      return;
    }
    if (connection.channel === "lobby") this.#lobbyRouter.route(connection, data, now);
    else this.#roomRouter.route(connection, data, now);
  }

  /** A frame over the rate: dropped, answered with RATE_LIMITED at most once a second, closed on abuse. */
  #refuseOverRate(connection: Connection, now: number): void {
    connection.strikes += 1;
    if (connection.strikes >= this.#limits.abuseStrikes) {
      this.drop(connection, CloseCode.POLICY_VIOLATION, "rate limit exceeded");
      return;
    }
    if (now - connection.rateLimitedAt >= 1_000) {
      connection.rateLimitedAt = now;
      this.error(connection, {
        code: ErrorCode.RATE_LIMITED,
        message: `Too many messages: at most ${this.#limits.ratePerSecond} per second`,
      }, undefined);
    }
  }

  /** The runtime says the socket closed (or errored). Idempotent: close and error may both arrive. */
  closed(connection: Connection): void {
    const wasQueued = connection.queued;
    const playerName = connection.playerName;
    if (!this.registry.remove(connection, this.#clock.now())) return;
    this.#pendingTokens.delete(connection.id);
    // Shutting down: rooms are about to go too, so telling them (and so everyone else) would only be noise.
    if (this.#closing) return;
    if (wasQueued) {
      this.queue.remove(connection);
      this.#renumberQueue(connection.channel);
      return;
    }
    if (connection.channel === "lobby") return;
    if (playerName !== null) this.directory.get(connection.channel)?.disconnected(playerName);
    this.#admitNext(connection.channel);
  }

  /** Closes a connection with a code and forgets it at once, without waiting for the runtime's close event. */
  drop(connection: Connection, code: number, reason: string): void {
    connection.close(code, reason);
    this.closed(connection);
  }

  /** The heartbeat: ping the quiet, warn the silent, close the idle, catch slow consumers. */
  sweep(): void {
    const now = this.#clock.now();
    for (const connection of [...this.registry.all()]) {
      const silent = now - connection.lastActivity;
      if (silent >= this.#limits.idleTimeoutMs) {
        this.drop(connection, CloseCode.IDLE_TIMEOUT, "idle timeout");
        continue;
      }
      if (!connection.warned && silent >= this.#limits.idleTimeoutMs - this.#limits.idleWarningMs) {
        connection.warned = true;
        connection.state = "inactive";
        this.#send(connection, "timeout_warning", {
          seconds_left: Math.ceil((this.#limits.idleTimeoutMs - silent) / 1000),
        });
      }
      if (now - connection.lastPingAt >= this.#limits.heartbeatMs) {
        connection.lastPingAt = now;
        this.#send(connection, "ping", { timestamp: now });
      }
      connection.checkBuffer();
    }
  }

  /** Graceful shutdown: refuse newcomers, close every socket with 1001, clear every timer. */
  shutdown(): void {
    this.#closing = true;
    if (this.#heartbeat !== null) {
      this.#clock.clearInterval(this.#heartbeat);
      this.#heartbeat = null;
    }
    for (const connection of [...this.registry.all()]) {
      this.drop(connection, CloseCode.GOING_AWAY, "server shutting down");
    }
    this.directory.dispose();
  }

  // ---- Replies (used by the routers) ---------------------------------------------------------------------

  reply(connection: Connection, event: string, data: unknown, id: RequestId | undefined): void {
    connection.send(
      encodeEvent(event, data, { roomId: connection.channel, id, timestamp: this.#clock.now() }),
    );
  }

  error(connection: Connection, failure: Failure, id: RequestId | undefined): void {
    connection.send(encodeError(failure, { id, timestamp: this.#clock.now() }));
  }

  // ---- internals -----------------------------------------------------------------------------------------

  /** Cluster mode: the room lives on another node; the socket hears where, then is closed with 4010. */
  #redirect(connection: Connection, url: string): void {
    this.#send(connection, "redirect", { room_id: connection.channel, url });
    connection.close(CloseCode.REDIRECT, "this room is served by another node");
  }

  #send(connection: Connection, event: string, data: unknown): void {
    this.reply(connection, event, data, undefined);
  }

  /** First words to an admitted connection: the room list, or `connected` and a token reconnect. */
  #welcome(connection: Connection, token: string | undefined): void {
    connection.transport.subscribe?.(
      connection.channel === "lobby" ? LOBBY_TOPIC : roomTopic(connection.channel),
    );
    if (connection.channel === "lobby") {
      this.#send(connection, "room_list", { rooms: this.directory.publicSummaries() });
      return;
    }
    const room = this.directory.get(connection.channel);
    const member = token === undefined ? undefined : room?.memberByToken(token);
    this.#send(connection, "connected", {
      connection_id: connection.id,
      room_id: connection.channel,
      player_name: member?.name ?? null,
    });
    if (token === undefined) return;
    if (room === undefined || member === undefined) {
      this.error(connection, {
        code: ErrorCode.AUTHENTICATION_FAILED,
        message: "Unknown or expired session token; you are connected as a visitor",
      }, undefined);
      return;
    }
    const previous = this.registry.bindPlayer(connection, member.name);
    if (previous !== null) {
      this.drop(previous, CloseCode.SESSION_REPLACED, "session replaced by a newer connection");
    }
    connection.counters.reconnects += 1;
    // The room answers with `game_state` as it stands after the reconnect, then the hand and any prompt.
    room.reconnect(member.name);
  }

  #whileQueued(connection: Connection, text: string, now: number): void {
    // Only keep-alives are served in the waiting line; everything else waits for a place.
    const message = this.#roomRouter.parse(connection, text);
    if (message === null) return;
    if (message.event === "ping" || message.event === "pong") {
      this.#roomRouter.dispatch(connection, message, now);
      return;
    }
    const position = this.queue.waiting(connection.channel).indexOf(connection) + 1;
    this.error(connection, {
      code: ErrorCode.ROOM_FULL,
      message: `The room is full; you are number ${position} in the queue`,
      details: { position },
    }, message.id);
  }

  #admitNext(roomId: string): void {
    while (this.registry.countInChannel(roomId) < this.#limits.maxConnectionsPerRoom) {
      const next = this.queue.shift(roomId);
      if (next === undefined) break;
      if (!next.isOpen) continue;
      this.registry.admit(next);
      this.#send(next, "queue_processed", { room_id: roomId });
      const token = this.#pendingTokens.get(next.id);
      this.#pendingTokens.delete(next.id);
      this.#welcome(next, token);
    }
    this.#renumberQueue(roomId);
  }

  #renumberQueue(roomId: string): void {
    this.queue.waiting(roomId).forEach((connection, index) => {
      this.#send(connection, "queued", { position: index + 1, room_id: roomId });
    });
  }
}
