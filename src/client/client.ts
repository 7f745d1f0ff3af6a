// A typed client for one channel (a room or the lobby): keeps the session token, reconnects with backoff and
// jitter, resumes with `last_seq`, drops replayed duplicates and follows redirects. Reads no host global at import.

import type { RequestId } from "../protocol/client_messages.ts";
import { backoffDelay, type BackoffOptions, DEFAULT_BACKOFF } from "./backoff.ts";
import type {
  Channel,
  ChannelMessage,
  EventData,
  EventMessage,
  EventName,
  LobbyChannel,
  RedirectData,
  ReplyingRequest,
  ReplyOf,
  RequestArgs,
  RequestName,
  RoomChannel,
  SendArgs,
} from "./channel.ts";
import { type ClientStatus, RequestError, shouldReconnect, type StopCause } from "./client_status.ts";
import { type Incoming, isError, unwrap } from "./envelopes.ts";
import { Listeners } from "./listeners.ts";
import { DEFAULT_LIVENESS, Liveness, type LivenessOptions } from "./liveness.ts";
import { Session } from "./session.ts";
import {
  type ClientTimers,
  hostTimers,
  hostWebSocket,
  ReadyState,
  type WebSocketConstructor,
  type WebSocketLike,
} from "./socket_port.ts";
import { memoryTokenStore, type TokenStore } from "./token_store.ts";

export type { RequestOptions } from "./channel.ts";
export type { LivenessOptions } from "./liveness.ts";

export interface ClientOptions {
  /** Reconnect when the socket closes (default true). Off, the client stops at the first close. */
  reconnect?: boolean;
  backoff?: Partial<BackoffOptions>;
  /** Give up after this many reconnects in a row without a stable connection (default: never). */
  maxAttempts?: number;
  /** A connection open this long counts as stable: the backoff starts from the beginning again. */
  stableAfterMs?: number;
  /** Which close codes are worth a reconnect; default `shouldReconnect` (all but 4001, 1008, 4029). */
  shouldReconnect?: (code: number) => boolean;
  /** Where session tokens are kept, by room id; share one store between the lobby and room clients. */
  tokens?: TokenStore;
  /** How long `request()` and `waitFor()` wait by default. */
  requestTimeoutMs?: number;
  /** Answer the server's heartbeat `ping` with `pong` (default true). */
  answerPings?: boolean;
  /** Detect a dead connection the socket does not report (default 25 s idle, 10 s for an answer); `false`: off. */
  liveness?: LivenessOptions | false;
  /** On a gap in `seq` outside a resume, ask for a fresh `game_state` (default true). */
  resyncOnGap?: boolean;
  /** The WebSocket to use; default the host's `globalThis.WebSocket`. */
  WebSocket?: WebSocketConstructor;
  timers?: ClientTimers;
  /** Jitter source in [0, 1); default `Math.random`. */
  random?: () => number;
  /** Prefix of generated request ids. */
  idPrefix?: string;
}

/** How the client ended: the last close code and reason, and why it did not reconnect. */
export interface ClientClosed {
  code: number;
  reason: string;
  cause: StopCause;
}

/** A seq gap: events `expected` … `received - 1` were not seen. */
export interface SeqGap {
  expected: number;
  received: number;
}

interface Pending {
  resolve: (message: Incoming) => void;
  reject: (error: RequestError) => void;
  timer: unknown;
}

/** Redirects followed at once in a row; beyond that they wait like reconnects, so a loop cannot spin. */
const QUICK_REDIRECTS = 3;
/** How long `close()` waits for the server's closing handshake before it stops anyway. */
const CLOSE_HANDSHAKE_MS = 3_000;
/** Close code the client uses when it drops a connection itself (the 4000s are the application's). */
const CLIENT_DROP_CODE = 4000;
/** Close code of a redirect (the server's `CloseCode.REDIRECT`); the client drops the socket itself first. */
const REDIRECT_CODE = 4010;
/** What the client reports for a connection it dropped because the server went silent. */
const ABNORMAL = 1006;

export class Client<C extends Channel> {
  /** The channel URL without session query parameters. */
  readonly url: string;
  /** The room this client speaks to, or null on the lobby. */
  readonly roomId: string | null;

  #WebSocket: WebSocketConstructor;
  #timers: ClientTimers;
  #random: () => number;
  #backoff: BackoffOptions;
  #reconnect: boolean;
  #maxAttempts: number;
  #stableAfterMs: number;
  #shouldReconnect: (code: number) => boolean;
  #requestTimeoutMs: number;
  #answerPings: boolean;
  #livenessOptions: LivenessOptions | false;
  #resyncOnGap: boolean;
  #idPrefix: string;

  /** The URL exactly as given, used as is for the first connection (tests send odd queries on purpose). */
  #firstUrl: string | null;
  #socket: WebSocketLike | null = null;
  #status: ClientStatus = { state: "idle" };
  #session: Session;
  #attempt = 0;
  #retryTimer: unknown = null;
  #openedAt: number | null = null;
  #stopping = false;
  #stopped = false;
  #closeTimer: unknown = null;
  #redirectUrl: string | null = null;
  #redirecting = false;
  #redirects = 0;
  #nextId = 0;
  #pending = new Map<RequestId, Pending>();
  #liveness: Liveness | null = null;
  #opened: Promise<void> | null = null;
  #settleOpened: { resolve: () => void; reject: (error: Error) => void } | null = null;
  #resolveClosed: (closed: ClientClosed) => void = () => {};

  #onMessage = new Listeners<[ChannelMessage<C>]>();
  #onEvent = new Map<string, Listeners<[unknown, unknown]>>();
  #onStatus = new Listeners<[ClientStatus]>();
  #onGap = new Listeners<[SeqGap]>();
  #onFrame = new Listeners<[string, readonly Incoming[]]>();

  /** Settles once, when the client has stopped for good. */
  readonly closed: Promise<ClientClosed>;

  constructor(url: string, options: ClientOptions = {}) {
    const parsed = new URL(url);
    if (parsed.protocol === "http:") parsed.protocol = "ws:";
    if (parsed.protocol === "https:") parsed.protocol = "wss:";
    this.#firstUrl = parsed.href;
    const token = parsed.searchParams.get("token");
    const lastSeq = Number(parsed.searchParams.get("last_seq") ?? NaN);
    parsed.searchParams.delete("token");
    parsed.searchParams.delete("last_seq");
    this.url = parsed.href;
    const last = parsed.pathname.split("/").filter((s) => s !== "").at(-1);
    this.roomId = last === undefined || last === "lobby" ? null : decodeURIComponent(last);

    this.#WebSocket = options.WebSocket ?? hostWebSocket();
    this.#timers = options.timers ?? hostTimers();
    this.#random = options.random ?? Math.random;
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.#reconnect = options.reconnect ?? true;
    this.#maxAttempts = options.maxAttempts ?? Infinity;
    this.#stableAfterMs = options.stableAfterMs ?? 10_000;
    this.#shouldReconnect = options.shouldReconnect ?? shouldReconnect;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#answerPings = options.answerPings ?? true;
    this.#livenessOptions = options.liveness === undefined ? DEFAULT_LIVENESS : options.liveness;
    this.#resyncOnGap = options.resyncOnGap ?? true;
    this.#idPrefix = options.idPrefix ?? "c-";

    const seen = Number.isSafeInteger(lastSeq) && lastSeq >= 0 ? lastSeq : null;
    this.#session = new Session(this.roomId, options.tokens ?? memoryTokenStore(), token, seen);
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
  }

  get status(): ClientStatus {
    return this.#status;
  }

  /** The session token this client reconnects with, if it holds a seat. */
  get token(): string | null {
    return this.#session.token;
  }

  /** The last room broadcast `seq` delivered (what a reconnect resumes after), or null. */
  get lastSeq(): number | null {
    return this.#session.lastSeq;
  }

  /** Replayed broadcasts dropped because their `seq` was already delivered. */
  get duplicates(): number {
    return this.#session.duplicates;
  }

  /** Starts connecting; resolves when the first socket opens, rejects if the client stops before that. */
  connect(): Promise<void> {
    if (this.#opened !== null) return this.#opened;
    this.#opened = new Promise((resolve, reject) => (this.#settleOpened = { resolve, reject }));
    if (this.#stopped) {
      this.#settleOpened?.reject(new Error(`client for ${this.url} is closed`));
    } else this.#open();
    return this.#opened;
  }

  /** Calls `handler` for every `event` delivered (for `error`: the error body). Returns an unsubscribe. */
  on<K extends EventName<C>>(
    event: K,
    handler: (data: EventData<C, K>, message: EventMessage<C, K>) => void,
  ): () => void {
    let listeners = this.#onEvent.get(event);
    if (listeners === undefined) this.#onEvent.set(event, listeners = new Listeners());
    return listeners.add(handler as (data: unknown, message: unknown) => void);
  }

  /** Every delivered envelope, in order: batches unwrapped, replayed duplicates dropped. */
  onMessage(handler: (message: ChannelMessage<C>) => void): () => void {
    return this.#onMessage.add(handler);
  }

  onStatus(handler: (status: ClientStatus) => void): () => void {
    return this.#onStatus.add(handler);
  }

  /** A broadcast arrived after a hole in `seq` (outside a resume, the client also asks for a fresh state). */
  onGap(handler: (gap: SeqGap) => void): () => void {
    return this.#onGap.add(handler);
  }

  /** Every text frame as it arrived and the envelopes in it, before any de-duplication (tests, benchmarks). */
  onFrame(handler: (frame: string, messages: readonly Incoming[]) => void): () => void {
    return this.#onFrame.add(handler);
  }

  /** A fresh request id, for `send()` calls whose error should be recognisable. */
  nextId(): string {
    this.#nextId += 1;
    return `${this.#idPrefix}${this.#nextId}`;
  }

  /** Sends one message if the socket is open; false when it is not (nothing is queued while offline). */
  send<K extends RequestName<C>>(event: K, ...args: SendArgs<C, K>): boolean {
    const [data, id] = args;
    return this.#write(JSON.stringify({ event, data: data ?? {}, id }));
  }

  /** Sends a frame exactly as given (tests of the server's input checks). */
  sendRaw(frame: string | Uint8Array): boolean {
    return this.#write(frame);
  }

  /**
   * Sends a request with a fresh id and resolves with its direct reply; rejects with a `RequestError`: the
   * server's error for that id, `TIMEOUT`, `NOT_CONNECTED`, or `DISCONNECTED` (the socket closed first, so
   * whether the server acted on it is unknown).
   */
  request<K extends ReplyingRequest<C>>(event: K, ...args: RequestArgs<C, K>): Promise<ReplyOf<C, K>> {
    const [data = {}, options = {}] = args;
    const id = this.nextId();
    return new Promise((resolve, reject) => {
      if (!this.#write(JSON.stringify({ event, data, id }))) {
        return reject(new RequestError("NOT_CONNECTED", `Not connected; ${event} was not sent`, id));
      }
      const timer = this.#timers.setTimeout(() => {
        this.#pending.delete(id);
        reject(new RequestError("TIMEOUT", `No reply to ${event} (${id})`, id));
      }, options.timeoutMs ?? this.#requestTimeoutMs);
      this.#pending.set(id, { resolve: resolve as (message: Incoming) => void, reject, timer });
    });
  }

  /** The next delivered `event` for which `where` holds; rejects on timeout or when the client stops. */
  waitFor<K extends EventName<C>>(
    event: K,
    where: (message: EventMessage<C, K>) => boolean = () => true,
    timeoutMs = this.#requestTimeoutMs,
  ): Promise<EventMessage<C, K>> {
    return new Promise((resolve, reject) => {
      if (this.#stopped) return reject(new Error(`client is closed; ${event} will not arrive`));
      const done = () => {
        this.#timers.clearTimeout(timer);
        unsubscribe();
        stopWatching();
      };
      const unsubscribe = this.on(event, (_data, message) => {
        if (!where(message)) return;
        done();
        resolve(message);
      });
      const stopWatching = this.onStatus((status) => {
        if (status.state !== "closed") return;
        done();
        reject(new Error(`client closed (${status.cause}) while waiting for ${event}`));
      });
      const timer = this.#timers.setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${event}`));
      }, timeoutMs);
    });
  }

  /** Every delivered envelope as an async iterator; it ends when the client stops. */
  messages(): AsyncIterableIterator<ChannelMessage<C>> {
    const queue: ChannelMessage<C>[] = [];
    let wake: (() => void) | null = null;
    let ended = this.#stopped;
    const unsubscribe = this.onMessage((message) => {
      queue.push(message);
      wake?.();
    });
    const end = () => {
      ended = true;
      unsubscribe();
      stopWatching();
      wake?.();
    };
    const stopWatching = this.onStatus((status) => {
      if (status.state === "closed") end();
    });
    const iterator: AsyncIterableIterator<ChannelMessage<C>> = {
      next: async () => {
        while (queue.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        const value = queue.shift();
        return value === undefined ? { done: true, value: undefined } : { done: false, value };
      },
      return: () => {
        end();
        queue.length = 0;
        return Promise.resolve({ done: true, value: undefined });
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /**
   * Skips the rest of a backoff wait and reconnects now; does nothing unless the client is waiting to
   * reconnect. For hints the client cannot see itself, such as the browser's `online` event.
   */
  reconnectNow(): void {
    if (this.#retryTimer === null || this.#stopped || this.#stopping) return;
    this.#clearRetry();
    this.#open();
  }

  /** Stops for good: no more reconnects; the socket closes with `code`. Pending requests fail. */
  close(code = 1000, reason = ""): Promise<ClientClosed> {
    if (this.#stopped || this.#stopping) return this.closed;
    this.#stopping = true;
    this.#clearRetry();
    const socket = this.#socket;
    if (socket === null) {
      this.#stop(code, reason, "closed");
      return this.closed;
    }
    // Waiting for the close handshake lets the caller know the server saw the close; a dead peer never
    // answers, so the wait is bounded.
    this.#closeTimer = this.#timers.setTimeout(() => {
      this.#closeTimer = null;
      if (this.#socket === socket) this.#closedSocket(code, reason);
    }, CLOSE_HANDSHAKE_MS);
    try {
      socket.close(code, reason);
    } catch {
      this.#closedSocket(code, reason); // An invalid code or a socket already gone: stop now.
    }
    return this.closed;
  }

  // ---- connection lifecycle ----------------------------------------------------------------------------------

  #open(): void {
    this.#retryTimer = null;
    const url = this.#connectUrl();
    this.#setStatus({ state: "connecting", attempt: this.#attempt });
    if (this.#stopped) return; // A status handler called close().
    let socket: WebSocketLike;
    try {
      socket = new this.#WebSocket(url);
    } catch (error) {
      // The host refused to even start (bad URL, no permission): retrying cannot help.
      this.#stop(ABNORMAL, error instanceof Error ? error.message : String(error), "gave_up");
      return;
    }
    this.#socket = socket;
    // Events of a socket the client has let go of (closed, dropped, redirected) are ignored, not detached:
    // the guard is simpler than bookkeeping, and a closed socket fires nothing for long.
    socket.addEventListener("open", () => {
      if (this.#socket === socket) this.#onOpen(socket);
    });
    socket.addEventListener("message", (event) => {
      if (this.#socket === socket && typeof event.data === "string") this.#frame(socket, event.data);
    });
    socket.addEventListener("close", (event) => {
      // Deno reports a refused connection as code 0; browsers say 1006. One name for one situation.
      const code = event.code >= 1000 ? event.code : ABNORMAL;
      if (this.#socket === socket) this.#closedSocket(code, event.reason);
    });
    // Every failure is followed by a close event, which is where it is handled.
  }

  /** The URL of the next attempt: as given the first time, then the redirect target or the channel, resuming. */
  #connectUrl(): string {
    const first = this.#firstUrl;
    if (first === null) return this.#session.prepareReconnect(this.#redirectUrl ?? this.url);
    this.#firstUrl = null;
    const token = this.#session.token;
    const url = new URL(first);
    if (token !== null && !url.searchParams.has("token")) url.searchParams.set("token", token);
    return url.href;
  }

  #onOpen(socket: WebSocketLike): void {
    this.#openedAt = this.#timers.now();
    this.#session.opened();
    this.#setStatus({ state: "open" });
    this.#settleOpened?.resolve();
    this.#settleOpened = null;
    this.#stopLiveness();
    if (this.#livenessOptions !== false) {
      this.#liveness = new Liveness(
        this.#livenessOptions,
        this.#timers,
        () => this.#write('{"event":"ping","data":{}}'),
        () => {
          if (this.#socket === socket) this.#drop(socket, ABNORMAL, "no answer from the server");
        },
      );
      this.#liveness.start();
    }
  }

  #closedSocket(code: number, reason: string): void {
    this.#socket = null;
    this.#stopLiveness();
    const lived = this.#openedAt === null ? 0 : this.#timers.now() - this.#openedAt;
    this.#openedAt = null;
    this.#failPending("DISCONNECTED", `connection closed (${code})`);
    if (this.#stopping) return this.#stop(code, reason, "closed");
    if (!this.#reconnect) return this.#stop(code, reason, "disconnected");
    if (!this.#shouldReconnect(code)) {
      return this.#stop(code, reason, code === 4001 ? "session_replaced" : "refused");
    }
    if (lived >= this.#stableAfterMs) this.#attempt = 0;
    let delayMs = 0;
    if (this.#redirecting && this.#redirects <= QUICK_REDIRECTS) {
      this.#redirecting = false;
    } else {
      // After a failure go back to the channel's own URL: the node a redirect named may be the one that died.
      if (!this.#redirecting) this.#redirectUrl = null;
      this.#redirecting = false;
      if (this.#attempt >= this.#maxAttempts) return this.#stop(code, reason, "gave_up");
      delayMs = backoffDelay(this.#attempt, this.#backoff, this.#random);
      this.#attempt += 1;
    }
    // Armed before the status goes out, so a `close()` from a status handler finds it and cancels it.
    this.#retryTimer = this.#timers.setTimeout(() => this.#open(), delayMs);
    this.#setStatus({ state: "reconnecting", attempt: this.#attempt, delayMs, code, reason });
  }

  /** Drops a socket the client no longer wants (silent server, redirect), as if it had closed with `code`. */
  #drop(socket: WebSocketLike, code: number, reason: string): void {
    try {
      socket.close(CLIENT_DROP_CODE, reason);
    } catch {
      // Already closing or closed: the client lets go of it next, and ignores anything it still fires.
    }
    this.#closedSocket(code, reason);
  }

  #stop(code: number, reason: string, cause: StopCause): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#clearRetry();
    this.#stopLiveness();
    if (this.#closeTimer !== null) this.#timers.clearTimeout(this.#closeTimer);
    this.#closeTimer = null;
    this.#failPending("DISCONNECTED", `client closed (${cause})`);
    const why = reason === "" ? `${code}` : `${code} ${reason}`;
    this.#settleOpened?.reject(new Error(`cannot connect to ${this.url}: ${cause} (${why})`));
    this.#settleOpened = null;
    this.#setStatus({ state: "closed", code, reason, cause });
    this.#resolveClosed({ code, reason, cause });
  }

  #setStatus(status: ClientStatus): void {
    this.#status = status;
    this.#onStatus.emit(status);
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) this.#timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  #failPending(code: "DISCONNECTED", message: string): void {
    for (const [id, pending] of this.#pending) {
      this.#timers.clearTimeout(pending.timer);
      pending.reject(new RequestError(code, message, id));
    }
    this.#pending.clear();
  }

  #write(frame: string | Uint8Array): boolean {
    const socket = this.#socket;
    if (socket === null || socket.readyState !== ReadyState.OPEN) return false;
    try {
      socket.send(frame);
      return true;
    } catch {
      return false; // The socket closed under us; its close event follows and drives the reconnect.
    }
  }

  #stopLiveness(): void {
    this.#liveness?.stop();
    this.#liveness = null;
  }

  // ---- inbound -------------------------------------------------------------------------------------------------

  #frame(socket: WebSocketLike, frame: string): void {
    this.#liveness?.frame();
    const messages = unwrap(frame);
    this.#onFrame.emit(frame, messages);
    for (const message of messages) {
      if (this.#socket !== socket || this.#stopping) return;
      this.#handle(socket, message);
    }
  }

  #handle(socket: WebSocketLike, message: Incoming): void {
    if (message.event === "ping" && this.#answerPings) this.#write('{"event":"pong","data":{}}');
    if (!isError(message) && typeof message.seq === "number") {
      const verdict = this.#session.accept(message.seq);
      if (verdict.kind === "duplicate") return;
      if (verdict.kind === "gap") {
        this.#onGap.emit({ expected: verdict.expected, received: verdict.received });
        if (this.#resyncOnGap && !this.#session.catchingUp && this.roomId !== null) this.#resync();
      }
    }
    this.#session.learn(message);
    this.#track(socket, message);
    this.#settle(message);
    this.#onMessage.emit(message as ChannelMessage<C>);
    this.#onEvent.get(message.event)?.emit(isError(message) ? message.error : message.data, message);
  }

  /** What the connection itself takes from a message: the welcome ends a redirect chain; a redirect moves it. */
  #track(socket: WebSocketLike, message: Incoming): void {
    if (message.event === "connected" || message.event === "room_list") this.#redirects = 0;
    // A client that does not reconnect has nowhere to go: it leaves the closing to the server (4010).
    if (message.event === "redirect" && !isError(message) && this.#reconnect) {
      this.#followRedirect(socket, message.data as RedirectData);
    }
  }

  #settle(message: Incoming): void {
    if (message.id === undefined) return;
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    this.#pending.delete(message.id);
    this.#timers.clearTimeout(pending.timer);
    if (isError(message)) {
      const { code, message: text, details } = message.error;
      pending.reject(new RequestError(code, text, message.id, details));
    } else pending.resolve(message);
  }

  #resync(): void {
    this.#session.catchingUp = true;
    this.#write(JSON.stringify({ event: "get_state", data: {}, id: this.nextId() }));
  }

  #followRedirect(socket: WebSocketLike, data: RedirectData): void {
    let target: URL;
    try {
      target = new URL(data.url ?? data.path ?? "", this.url);
    } catch {
      return; // A redirect we cannot read: stay, and let the server's close drive a normal reconnect.
    }
    if (target.protocol === "http:") target.protocol = "ws:";
    if (target.protocol === "https:") target.protocol = "wss:";
    target.searchParams.delete("token");
    target.searchParams.delete("last_seq");
    this.#redirectUrl = target.href;
    this.#redirecting = true;
    this.#redirects += 1;
    // Reported as the 4010 the server closes with next: a caller sees one code for "moved to another node".
    this.#drop(socket, REDIRECT_CODE, "redirected");
  }
}

/** `ws(s)://host/ws/{channel}` from a page origin (`http(s)://host`) or a server base URL. */
export function channelUrl(base: string, channel: string): string {
  return new URL(`/ws/${encodeURIComponent(channel)}`, base).href.replace(/^http/, "ws");
}

/** A client for room `roomId` on the server at `base` (an origin such as `location.origin`, or `ws://host:port`). */
export function roomClient(base: string, roomId: string, options?: ClientOptions): Client<RoomChannel> {
  return new Client<RoomChannel>(channelUrl(base, roomId), options);
}

/** A client for the lobby of the server at `base`. */
export function lobbyClient(base: string, options?: ClientOptions): Client<LobbyChannel> {
  return new Client<LobbyChannel>(channelUrl(base, "lobby"), options);
}
