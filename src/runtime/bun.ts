// The Bun runtime (the release binary): Bun.serve with native pub/sub, permessage-deflate and backpressure
// limits, Hono's Bun WebSocket helper, signals. One of the two files that touch runtime globals.

import type { Context, MiddlewareHandler } from "hono";
import { type UpgradeWebSocket, WSContext, type WSEvents } from "hono/ws";
import type { PubSub, Transport } from "../net/transport.ts";
import type { ListenOptions, RunningServer, Runtime } from "./runtime.ts";

/** The slice of Bun's API this file uses (Deno type-checks it, so it cannot rely on Bun's own types). */
interface BunSocket {
  send(data: string, compress?: boolean): number;
  close(code?: number, reason?: string): void;
  getBufferedAmount(): number;
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  readonly readyState: number;
}

interface BunServer {
  readonly hostname: string;
  readonly port: number;
  publish(topic: string, data: string, compress?: boolean): number;
  upgrade(request: Request, options: { data: SocketData }): boolean;
  requestIP(request: Request): { address: string } | null;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}

interface BunGlobal {
  serve(options: Record<string, unknown>): BunServer;
  argv: string[];
  env: Record<string, string | undefined>;
  /** `true`: a synchronous full collection. */
  gc(force: boolean): void;
}

interface NodeProcess {
  on(signal: string, handler: () => void): void;
  exit(code: number): never;
}

const OPEN = 1;

/** What the upgrade below stores on each socket: the app's handlers, and one Hono context made at open. */
interface SocketData {
  events: WSEvents<unknown>;
  context: WSContext<unknown> | null;
}

type AppSocket = BunSocket & { data: SocketData };

/**
 * What a socket's Hono context calls: methods on a prototype, not closures, because a server holds one per
 * idle socket and closures cost a function object each.
 */
class ContextInit {
  readonly raw: AppSocket;

  constructor(raw: AppSocket) {
    this.raw = raw;
  }

  send(source: string | ArrayBuffer | Uint8Array, options?: { compress?: boolean }): void {
    this.raw.send(source as string, options?.compress);
  }

  close(code?: number, reason?: string): void {
    this.raw.close(code, reason);
  }

  get readyState(): 0 | 1 | 2 | 3 {
    return this.raw.readyState as 0 | 1 | 2 | 3;
  }
}

/** The one Hono context of a socket; the app reads `raw` only, so no URL is parsed for it. */
function contextOf(ws: AppSocket): WSContext<unknown> {
  return ws.data.context ??= new WSContext(new ContextInit(ws));
}

/** A socket as the net layer speaks to it; like ContextInit, one small object per socket, no closures. */
class BunTransport implements Transport {
  readonly #socket: BunSocket;

  constructor(socket: BunSocket) {
    this.#socket = socket;
  }

  send(frame: string, compress: boolean): void {
    if (this.#socket.readyState === OPEN) this.#socket.send(frame, compress);
  }

  close(code: number, reason: string): void {
    if (this.#socket.readyState === OPEN) this.#socket.close(code, reason);
  }

  bufferedAmount(): number {
    return this.#socket.getBufferedAmount();
  }

  subscribe(topic: string): void {
    this.#socket.subscribe(topic);
  }

  unsubscribe(topic: string): void {
    this.#socket.unsubscribe(topic);
  }
}

/** Runs one of the app's socket handlers; a throw goes to its `onError`, as with Hono's adapter. */
function run(ws: AppSocket, handler: () => unknown): void {
  try {
    settle(ws, handler());
  } catch (error) {
    fail(ws, error);
  }
}

/** A handler's promise that rejects goes to `onError` too. */
function settle(ws: AppSocket, result: unknown): void {
  if (result instanceof Promise) result.catch((error) => fail(ws, error));
}

function fail(ws: AppSocket, error: unknown): void {
  const events = ws.data.events;
  if (!events.onError) throw error;
  events.onError(Object.assign(new Event("error"), { error }), contextOf(ws));
}

/** The app ignores the open event itself; one instance serves every socket. */
const OPEN_EVENT = new Event("open");

/**
 * Bun's socket handlers, in place of Hono's `hono/bun` ones, which build a fresh WSContext (parsing the URL
 * again) and a fresh event object for every open, frame and close: profiling put that at about a quarter of
 * the server's CPU per chat message and a tenth of a connect. The app's handlers are called as Hono would call
 * them, with one context per socket; frames are handed over as `{ data }`, the only field the app reads.
 */
const handlers = {
  open(ws: AppSocket): void {
    const events = ws.data.events;
    if (events.onOpen) run(ws, () => events.onOpen!(OPEN_EVENT, contextOf(ws)));
  },
  message(ws: AppSocket, message: string | Uint8Array): void {
    const events = ws.data.events;
    if (!events.onMessage) return;
    const data = typeof message === "string" ? message : message.buffer as ArrayBuffer;
    // `run` inlined: this is every inbound frame, and a closure per frame is garbage per frame.
    try {
      settle(ws, events.onMessage({ data } as MessageEvent<string | ArrayBuffer>, contextOf(ws)));
    } catch (error) {
      fail(ws, error);
    }
  },
  close(ws: AppSocket, code: number, reason: string): void {
    const events = ws.data.events;
    if (events.onClose) run(ws, () => events.onClose!({ code, reason } as CloseEvent, contextOf(ws)));
  },
};

/**
 * Hono's `upgradeWebSocket` middleware for this runtime: the app's handlers are made from the request, then
 * Bun upgrades it. Unlike `hono/bun`'s, it keeps no parsed URL and no subprotocol on the socket (the app uses
 * neither). A request Bun will not upgrade goes on to the next handler, as with Hono's.
 */
function upgradeWith(
  serverOf: () => BunServer | null,
): (createEvents: (c: Context) => WSEvents<unknown> | Promise<WSEvents<unknown>>) => MiddlewareHandler {
  return (createEvents) => async (c, next) => {
    const events = await createEvents(c);
    const server = serverOf();
    if (server === null) throw new Error("upgrade before the server started");
    if (server.upgrade(c.req.raw, { data: { events, context: null } })) return new Response(null);
    await next();
  };
}

export function bunRuntime(): Runtime {
  const bun = (globalThis as unknown as { Bun: BunGlobal }).Bun;
  const process = (globalThis as unknown as { process: NodeProcess }).process;
  let server: BunServer | null = null;
  const pubsub: PubSub = {
    publish(topic, frame, compress) {
      if (server === null) throw new Error("publish before the server started");
      server.publish(topic, frame, compress);
    },
  };
  return {
    name: "bun",
    // A compiled binary's argv is [binary, binary-path?, ...]; Bun puts the script path second either way.
    args: bun.argv.slice(2),
    env: (name) => bun.env[name],
    pubsub,
    upgradeWebSocket: upgradeWith(() => server) as unknown as UpgradeWebSocket<unknown>,
    transportOf: (ws: WSContext<unknown>): Transport => new BunTransport(ws.raw as BunSocket),
    directUpgrade: {
      peer: (request, env) => (env as BunServer).requestIP(request)?.address ?? "unknown",
      upgrade: (request, env, events) =>
        (env as BunServer).upgrade(request, { data: { events, context: null } }),
    },
    remoteAddress(c: Context): string {
      return server?.requestIP(c.req.raw)?.address ?? "unknown";
    },
    serve(fetch, options: ListenOptions): RunningServer {
      const limits = options.limits;
      server = bun.serve({
        hostname: options.host,
        port: options.port,
        // Never Bun's development error page: it would show stack traces to clients.
        development: false,
        ...(options.tls ? { tls: { cert: options.tls.cert, key: options.tls.key } } : {}),
        // A backstop only: the app's own limit answers first, with a JSON 413 like every other refusal.
        ...(options.maxBodyBytes ? { maxRequestBodySize: options.maxBodyBytes * 2 + 1024 } : {}),
        fetch,
        websocket: {
          ...handlers,
          perMessageDeflate: true,
          maxPayloadLength: limits.hardFrameBytes,
          // Our own check closes slow consumers with 4008 at sendBufferBytes; this is the hard backstop.
          backpressureLimit: limits.sendBufferBytes * 2,
          closeOnBackpressureLimit: true,
          // Protocol-level pings; Bun's own idle close stays behind the app's 4000 idle close.
          sendPings: true,
          idleTimeout: Math.min(960, Math.ceil(limits.idleTimeoutMs / 1000) + 30),
        },
      });
      const running = server;
      return {
        hostname: running.hostname,
        port: running.port,
        stop: async () => {
          await running.stop(true);
        },
      };
    },
    onShutdownSignal(handler) {
      for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => handler(signal));
    },
    collectGarbage: () => bun.gc(true),
    exit: (code) => process.exit(code),
  };
}
