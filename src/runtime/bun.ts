// The Bun runtime (the release binary): Bun.serve with native pub/sub, permessage-deflate and backpressure
// limits, Hono's Bun WebSocket helper, signals. One of the two files that touch runtime globals.

import type { Context } from "hono";
import { upgradeWebSocket, websocket } from "hono/bun";
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

/** What Hono's Bun upgrade stores on each socket, plus the context we keep for its frames. */
interface HonoSocketData {
  events: WSEvents<unknown>;
  url: URL;
  protocol: string;
  context?: WSContext<unknown>;
}

type HonoSocket = BunSocket & { data: HonoSocketData };

/** One Hono context per socket, made on its first frame (Hono's own adapter makes one per event). */
function contextOf(ws: HonoSocket): WSContext<unknown> {
  return ws.data.context ??= new WSContext({
    send: (source, options) => ws.send(source as string, options?.compress),
    raw: ws,
    get readyState() {
      return ws.readyState as 0 | 1 | 2 | 3;
    },
    url: ws.data.url,
    protocol: ws.data.protocol,
    close: (code, reason) => ws.close(code, reason),
  });
}

/**
 * Frames straight to the app's `onMessage`: Hono's Bun adapter builds a MessageEvent and a WSContext (parsing
 * the URL again) for every frame, which profiling showed as about a quarter of the server's CPU per chat
 * message. The app reads `event.data` only; errors go to `onError` as with Hono's adapter.
 */
function onFrame(ws: HonoSocket, message: string | Uint8Array): void {
  const events = ws.data.events;
  if (!events.onMessage) return;
  const data = typeof message === "string" ? message : message.buffer as ArrayBuffer;
  try {
    events.onMessage({ data } as MessageEvent<string | ArrayBuffer>, contextOf(ws));
  } catch (error) {
    if (!events.onError) throw error;
    events.onError(Object.assign(new Event("error"), { error }), contextOf(ws));
  }
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
    upgradeWebSocket: upgradeWebSocket as unknown as UpgradeWebSocket<unknown>,
    transportOf(ws: WSContext<unknown>): Transport {
      const socket = ws.raw as BunSocket;
      return {
        send: (frame, compress) => {
          if (socket.readyState === OPEN) socket.send(frame, compress);
        },
        close: (code, reason) => {
          if (socket.readyState === OPEN) socket.close(code, reason);
        },
        bufferedAmount: () => socket.getBufferedAmount(),
        subscribe: (topic) => socket.subscribe(topic),
        unsubscribe: (topic) => socket.unsubscribe(topic),
      };
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
          ...websocket,
          message: onFrame,
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
