// Where sockets meet the server: admission (address and room caps, queue), token resumes, every inbound
// frame's checks (size, type, rate), routing, heartbeats and idle closes, and cleanup on close or error.

import { CloseCode, ErrorCode } from "../protocol/codes.ts";
import {
  type ClientMessage,
  lobbyEvents,
  parseLastSeqQuery,
  type RequestId,
  type RoomEvents,
  roomEvents,
} from "../protocol/client_messages.ts";
import { isRoomId } from "../protocol/fields.ts";
import { encodeError, encodeEvent } from "../protocol/server_messages.ts";
import type { Clock, TimerId } from "../rooms/clock.ts";
import type { RoomDirectory } from "../rooms/room_directory.ts";
import { Broadcaster } from "./broadcaster.ts";
import { Connection } from "./connection.ts";
import { ConnectionRegistry } from "./connection_registry.ts";
import { Delivery } from "./delivery.ts";
import { BoundedEventHistory, type EventHistory } from "./event_history.ts";
import type { NetLimits } from "./limits.ts";
import { utf8Length } from "./limits.ts";
import { lobbyHandlers } from "./lobby_handlers.ts";
import { consoleLogger, type Logger } from "./logger.ts";
import { Metrics } from "./metrics.ts";
import { TokenBucket } from "./rate_limiter.ts";
import { RoomQueue } from "./room_queue.ts";
import { RoomQuota } from "./room_quota.ts";
import { roomHandlers } from "./room_handlers.ts";
import {
  answerOutcome,
  bugFailure,
  type Failure,
  type HandlerOutcome,
  type Replies,
  Router,
} from "./router.ts";
import { type ResumeCounters, SessionResume } from "./session_resume.ts";
import { channelTopic, type PubSub, roomTopic, type Transport } from "./transport.ts";

/** The metrics label of frames refused before they were parsed, or that did not parse. */
const INVALID = "invalid";

export interface GatewayOptions {
  clock: Clock;
  limits: NetLimits;
  pubsub: PubSub | null;
  /** Builds the room directory around the delivery the gateway owns. */
  directory: (delivery: Delivery) => RoomDirectory;
  /** Where room broadcasts are kept for resume; by default in memory, bounded by `limits.resumeBuffer*`. */
  history?: EventHistory;
  metrics?: Metrics;
  log?: Logger;
  /** Cluster mode: the URL of another node's socket path for a room it owns (null when unknown). */
  ownerUrl?: (owner: string, roomId: string) => Promise<string | null>;
  /**
   * How far into its first heartbeat interval a connection's first ping comes, as a fraction in [0, 1) drawn
   * per connection (the server passes `Math.random`; absent: one whole interval, for exact-timing tests).
   * Sockets that connect together would otherwise be pinged in the same sweep for as long as they live: at
   * 1,000 tables, 4,000 pings in one turn of the event loop, delaying everything queued behind them.
   */
  pingPhase?: () => number;
}

/** The query a socket connected with. */
export interface ConnectQuery {
  token?: string;
  /** `?last_seq=` as it came; parsed and checked here, like a `resume` message's `last_seq`. */
  lastSeq?: string;
}

/** A connection may resume once a second at most: each replay can be up to half a send buffer. */
const RESUME_COOLDOWN_MS = 1_000;

/** How long after a drop whose save failed it is reported to the room again. */
const DROP_RETRY_MS = 1_000;

export class Gateway implements Replies {
  // Statistics outlive their last connection only for the lobby and open rooms, so sockets to made-up room
  // ids leave nothing behind.
  readonly registry = new ConnectionRegistry((channel) =>
    channel === "lobby" || this.directory?.get(channel) !== undefined
  );
  readonly directory: RoomDirectory;
  readonly broadcaster: Broadcaster;
  readonly queue = new RoomQueue();
  readonly history: EventHistory;
  readonly sessions: SessionResume;
  readonly metrics: Metrics;
  readonly quota: RoomQuota;
  #delivery: Delivery;
  #log: Logger;
  #clock: Clock;
  #limits: NetLimits;
  #lobbyRouter: Router<typeof lobbyEvents>;
  #roomRouter: Router<typeof roomEvents>;
  #heartbeat: TimerId | null = null;
  /** What queued sockets connected with, used once they are admitted. */
  #pendingQueries = new Map<string, ConnectQuery>();
  #nextId = 1;
  #closing = false;
  #pingPhase: (() => number) | null;
  /** Drops to report to their rooms again (their save failed): cleared at shutdown. */
  #dropRetries = new Set<TimerId>();

  constructor(options: GatewayOptions) {
    this.#clock = options.clock;
    this.#limits = options.limits;
    this.#pingPhase = options.pingPhase ?? null;
    this.metrics = options.metrics ?? new Metrics();
    this.#log = options.log ?? consoleLogger;
    this.quota = new RoomQuota(options.limits.maxRoomsPerAddress);
    this.broadcaster = new Broadcaster(
      this.registry,
      options.pubsub,
      options.limits.compressMinBytes,
      options.limits.sendBufferBytes,
    );
    this.history = options.history ?? new BoundedEventHistory({
      maxEvents: options.limits.resumeBufferEvents,
      maxBytes: options.limits.resumeBufferBytes,
    });
    this.#delivery = new Delivery(this.broadcaster, this.registry, options.clock, {
      history: this.history,
      metrics: this.metrics,
      roomClosed: (roomId) => this.quota.closed(roomId),
    });
    this.directory = options.directory(this.#delivery);
    this.sessions = new SessionResume({
      directory: this.directory,
      registry: this.registry,
      history: this.history,
      clock: options.clock,
      replies: this,
      drop: (connection, code, reason) => this.drop(connection, code, reason),
      dropped: (roomId, name) => this.#dropped(roomId, name),
      maxReplayBytes: Math.min(options.limits.resumeBufferBytes, options.limits.sendBufferBytes / 2),
      cooldownMs: RESUME_COOLDOWN_MS,
    });
    this.#lobbyRouter = new Router(lobbyEvents, lobbyHandlers(this.directory, this.quota), this, this.#log);
    this.#roomRouter = new Router(
      roomEvents,
      roomHandlers({
        directory: this.directory,
        registry: this.registry,
        sessions: this.sessions,
        dropped: (roomId, name) => this.#dropped(roomId, name),
        quota: this.quota,
        ...(options.ownerUrl !== undefined
          ? { ownerUrl: options.ownerUrl, redirect: (connection, url) => this.#redirect(connection, url) }
          : {}),
      }),
      this,
      this.#log,
    );
  }

  /** How resumes ended since start (recovered, snapshots, refused, replayed events), for metrics. */
  get resumeCounters(): Readonly<ResumeCounters> {
    return this.sessions.counters;
  }

  /** Whether a path segment names a channel: `lobby` or a valid room id. */
  static isChannel(channel: string): boolean {
    return channel === "lobby" || isRoomId(channel);
  }

  /** Whether new sockets are let in (false once shutdown began). */
  get accepting(): boolean {
    return !this.#closing;
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
      this.#refuse(transport, "shutting_down", CloseCode.GOING_AWAY, "server shutting down");
      return null;
    }
    if (this.registry.countForAddress(address) >= this.#limits.maxConnectionsPerAddress) {
      this.#refuse(
        transport,
        "address_limit",
        CloseCode.TOO_MANY_CONNECTIONS,
        "too many connections from this address",
      );
      // Debug only: a client hammering the cap must not be able to flood the log too.
      this.#log.debug("connection refused: address limit", { address, channel });
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
    connection.onSlowConsumer(this.#slowConsumer);
    // As if pinged that long ago: the first ping comes sooner, every later one a whole interval after the last.
    if (this.#pingPhase !== null) {
      connection.lastPingAt -= Math.floor(this.#pingPhase() * this.#limits.heartbeatMs);
    }
    const isRoom = channel !== "lobby";
    this.metrics.opened(isRoom ? "room" : "lobby");
    this.#log.debug("connection opened", { connection: connection.id, room: channel, address });
    // A member coming back with its token never waits behind visitors: members are few (four seats and the
    // room's spectator cap), and a seat whose player is stuck in a queue would be played by a bot.
    connection.queued = isRoom &&
      this.registry.countInChannel(channel) >= this.#limits.maxConnectionsPerRoom &&
      !this.sessions.isMemberToken(channel, query.token);
    this.registry.add(connection);
    this.metrics.peakConnections = Math.max(this.metrics.peakConnections, this.registry.size);
    if (connection.queued) {
      if (query.token !== undefined) this.#pendingQueries.set(connection.id, query);
      const position = this.queue.enqueue(connection);
      this.#send(connection, "queued", { position, room_id: channel });
      return connection;
    }
    this.#welcome(connection, query);
    return connection;
  }

  /** One inbound frame. Binary frames, oversized frames and floods are answered, never routed. */
  message(connection: Connection, data: string | ArrayBufferLike | ArrayBufferView | Blob): void {
    if (!connection.isOpen) return;
    const now = this.#clock.now();
    // Exact even for short frames (no `atLeast` shortcut): the size feeds the byte counters as well as the limits.
    const size = typeof data === "string"
      ? utf8Length(data, 0)
      : data instanceof Blob
      ? data.size
      : data.byteLength;
    connection.countIn(size, now);
    this.metrics.received(this.#handle(connection, data, size, now), size);
  }

  /** Checks and routes one frame; returns the event it carried, or `invalid` if it never got that far. */
  #handle(
    connection: Connection,
    data: string | ArrayBufferLike | ArrayBufferView | Blob,
    size: number,
    now: number,
  ): string {
    if (size > this.#limits.hardFrameBytes) {
      this.drop(connection, CloseCode.MESSAGE_TOO_BIG, "frame too large");
      return INVALID;
    }
    if (!connection.bucket.take(now)) {
      this.#refuseOverRate(connection, now);
      return INVALID;
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
      return INVALID;
    }
    if (typeof data !== "string") {
      this.error(connection, {
        code: ErrorCode.INVALID_DATA,
        message: "Binary frames are not supported: send JSON text",
      }, undefined);
      return INVALID;
    }
    if (connection.queued) return this.#whileQueued(connection, data, now);
    if (connection.channel === "lobby") {
      const message = this.#lobbyRouter.parse(connection, data);
      if (message === null) return INVALID;
      this.#lobbyRouter.dispatch(connection, message, now);
      return message.event;
    }
    const message = this.#roomRouter.parse(connection, data);
    if (message === null) return INVALID;
    this.#roomRouter.dispatch(connection, message, now);
    return message.event;
  }

  /** A frame over the rate: dropped, answered with RATE_LIMITED at most once a second, closed on abuse. */
  #refuseOverRate(connection: Connection, now: number): void {
    this.metrics.rateLimited += 1;
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
  closed(connection: Connection, code?: number): void {
    const wasQueued = connection.queued;
    const playerName = connection.playerName;
    if (!this.registry.remove(connection, this.#clock.now())) return;
    this.#pendingQueries.delete(connection.id);
    // The server's own close code when it closed the socket; else what the runtime saw (1005: none given).
    const closeCode = connection.closeCode ?? code ?? 1005;
    this.metrics.closed(closeCode);
    this.metrics.closedDurationMs += this.#clock.now() - connection.connectedAt;
    this.#log.debug("connection closed", {
      connection: connection.id,
      room: connection.channel,
      code: closeCode,
    });
    // Shutting down: rooms are about to go too, so telling them (and so everyone else) would only be noise.
    if (this.#closing) return;
    if (wasQueued) {
      this.queue.remove(connection);
      this.#renumberQueue(connection.channel);
      return;
    }
    if (connection.channel === "lobby") return;
    if (playerName !== null) this.#dropped(connection.channel, playerName);
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

  /** One handler for every connection (a closure each would be one more object per idle socket). */
  #slowConsumer = (slow: Connection): void => {
    this.metrics.slowConsumerCloses += 1;
    this.#log.warn("slow consumer closed", {
      connection: slow.id,
      room: slow.channel,
      address: slow.address,
    });
    this.drop(slow, CloseCode.SLOW_CONSUMER, "slow consumer");
  };

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
    for (const retry of this.#dropRetries) this.#clock.clearTimeout(retry);
    this.#dropRetries.clear();
    this.directory.dispose();
  }

  // ---- Replies (used by the routers) ---------------------------------------------------------------------

  reply(connection: Connection, event: string, data: unknown, id: RequestId | undefined): void {
    const frame = encodeEvent(event, data, { roomId: connection.channel, id, timestamp: this.#clock.now() });
    if (connection.send(frame)) this.metrics.sent(event, frame.length);
  }

  error(connection: Connection, failure: Failure, id: RequestId | undefined): void {
    this.metrics.errors.inc(failure.code);
    const frame = encodeError(failure, { id, timestamp: this.#clock.now() });
    if (connection.send(frame)) this.metrics.sent("error", frame.length);
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

  #refuse(transport: Transport, reason: string, code: number, text: string): void {
    this.metrics.connectionsRefused.inc(reason);
    this.metrics.closed(code);
    transport.close(code, text);
  }

  /** First words to an admitted connection: the room list, or `connected` and a token resume. */
  #welcome(connection: Connection, query: ConnectQuery): void {
    connection.transport.subscribe?.(channelTopic(connection.channel));
    if (connection.channel === "lobby") {
      this.#send(connection, "room_list", { rooms: this.directory.publicSummaries() });
      return;
    }
    if (query.token === undefined) {
      this.#connected(connection, null);
      return;
    }
    // `?token=T&last_seq=N` is `resume {session_token: T, last_seq: N}` sent before anything else.
    const lastSeq = parseLastSeqQuery(query.lastSeq);
    const plan = lastSeq.ok ? this.sessions.prepare(connection, query.token, lastSeq.lastSeq) : lastSeq.error;
    if ("code" in plan) {
      this.#connected(connection, null);
      this.error(connection, plan, undefined);
      return;
    }
    this.#connected(connection, plan.member.name);
    this.#answer(connection, this.sessions.apply(connection, plan, undefined), undefined);
  }

  /**
   * Answers a resume the gateway ran itself (not through a router) with its failure, now or once stored. Its
   * `connected` named the member before the return was saved: when the return fails, a second `connected`
   * says what the socket is now, an unseated visitor, so no client goes on believing the first.
   */
  #answer(connection: Connection, outcome: HandlerOutcome, id: RequestId | undefined): void {
    answerOutcome(
      outcome,
      (failure) => {
        this.error(connection, failure, id);
        if (connection.isOpen && connection.playerName === null) this.#connected(connection, null);
      },
      (error) =>
        bugFailure(this.#log, "resume bug", { room: connection.channel, connection: connection.id }, error),
    );
  }

  #connected(connection: Connection, playerName: string | null): void {
    this.#send(connection, "connected", {
      connection_id: connection.id,
      room_id: connection.channel,
      player_name: playerName,
    });
  }

  /**
   * Tells a room that no socket speaks for one of its members any more. A drop whose save fails is rolled back
   * like any action, and the room would then hold the member as connected, with no socket, for good: no grace,
   * no bot for the seat, a room that never closes. So once the room has settled, a drop it did not keep is
   * reported again (after a pause, as the store may still be failing), until it is kept or the member is back.
   */
  #dropped(roomId: string, name: string): void {
    const room = this.directory.get(roomId);
    // Back on another socket meanwhile (a retry comes a second later): nothing to report.
    if (room === undefined || this.registry.player(roomId, name) !== undefined) return;
    room.disconnected(name);
    const pending = room.stored();
    if (pending === null) return;
    const settled = () => {
      const member = room.member(name);
      const kept = this.#closing || this.directory.get(roomId) !== room || member === undefined ||
        member.isBot || !member.connected || this.registry.player(roomId, name) !== undefined;
      if (kept) return;
      const retry = this.#clock.setTimeout(() => {
        this.#dropRetries.delete(retry);
        if (!this.#closing) this.#dropped(roomId, name);
      }, DROP_RETRY_MS);
      this.#dropRetries.add(retry);
    };
    pending.then(settled, settled);
  }

  #whileQueued(connection: Connection, text: string, now: number): string {
    // Only keep-alives are served in the waiting line; everything else waits for a place.
    const message = this.#roomRouter.parse(connection, text);
    if (message === null) return INVALID;
    if (message.event === "ping" || message.event === "pong") {
      this.#roomRouter.dispatch(connection, message, now);
      return message.event;
    }
    if (message.event === "resume") {
      this.#resumeFromQueue(connection, message);
      return message.event;
    }
    const position = this.queue.waiting(connection.channel).indexOf(connection) + 1;
    this.error(connection, {
      code: ErrorCode.ROOM_FULL,
      message: `The room is full; you are number ${position} in the queue`,
      details: { position },
    }, message.id);
    return message.event;
  }

  /** A member's `resume` takes it out of the queue at once (see `open`); a bad one leaves it waiting. */
  #resumeFromQueue(connection: Connection, message: ClientMessage<RoomEvents> & { event: "resume" }): void {
    const plan = this.sessions.prepare(connection, message.data.session_token, message.data.last_seq);
    if ("code" in plan) {
      this.error(connection, plan, message.id);
      return;
    }
    this.queue.remove(connection);
    this.#pendingQueries.delete(connection.id);
    this.registry.admit(connection);
    this.#send(connection, "queue_processed", { room_id: connection.channel });
    connection.transport.subscribe?.(roomTopic(connection.channel));
    this.#connected(connection, plan.member.name);
    this.#answer(connection, this.sessions.apply(connection, plan, message.id), message.id);
    this.#renumberQueue(connection.channel);
  }

  /**
   * Fills free places from the queue once every delivery under way has gone out. A close inside a fan-out
   * (a slow consumer) lands here; admitted at once, the newcomer would get broadcasts older than its
   * `connected` (and, were it resuming, get them twice: in its replay and live).
   */
  #admitNext(roomId: string): void {
    this.#delivery.defer(() => this.#admitNow(roomId));
  }

  #admitNow(roomId: string): void {
    while (this.registry.countInChannel(roomId) < this.#limits.maxConnectionsPerRoom) {
      const next = this.queue.shift(roomId);
      if (next === undefined) break;
      if (!next.isOpen) continue;
      this.registry.admit(next);
      this.#send(next, "queue_processed", { room_id: roomId });
      const query = this.#pendingQueries.get(next.id) ?? {};
      this.#pendingQueries.delete(next.id);
      this.#welcome(next, query);
    }
    this.#renumberQueue(roomId);
  }

  #renumberQueue(roomId: string): void {
    this.queue.waiting(roomId).forEach((connection, index) => {
      this.#send(connection, "queued", { position: index + 1, room_id: roomId });
    });
  }
}
