// The Deno runtime: Deno.serve, Hono's Deno WebSocket helper, signals. One of the two files that touch
// runtime globals.

import type { Context } from "hono";
import { upgradeWebSocket } from "hono/deno";
import type { UpgradeWebSocket, WSContext, WSEvents } from "hono/ws";
import type { Transport } from "../net/transport.ts";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { ListenOptions, RunningServer, Runtime } from "./runtime.ts";

function socketOf(ws: WSContext<unknown>): WebSocket {
  return ws.raw as WebSocket;
}

export function denoRuntime(): Runtime {
  let idleTimeoutSeconds = 120;
  // Deno pings at the protocol level after this much silence and closes sockets that never pong. A getter,
  // because Hono spreads these options at each upgrade and the limit is only known once `serve` runs.
  const upgradeOptions = {
    get idleTimeout() {
      return idleTimeoutSeconds;
    },
  };
  const upgrade = (createEvents: (c: Context) => WSEvents<unknown> | Promise<WSEvents<unknown>>) =>
    upgradeWebSocket(createEvents as (c: Context) => WSEvents<WebSocket>, upgradeOptions);
  return {
    name: "deno",
    args: Deno.args,
    env: (name) => Deno.env.get(name),
    // Deno has no native pub/sub; room fan-out is a loop over sockets that sends one shared string.
    pubsub: null,
    upgradeWebSocket: upgrade as unknown as UpgradeWebSocket<unknown>,
    transportOf(ws): Transport {
      const socket = socketOf(ws);
      return {
        // Deno's server sockets do not negotiate permessage-deflate, so `compress` has nothing to ask for.
        send: (frame) => {
          if (socket.readyState === WebSocket.OPEN) socket.send(frame);
        },
        close: (code, reason) => {
          if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) {
            socket.close(code, reason);
          }
        },
        bufferedAmount: () => socket.bufferedAmount,
      };
    },
    remoteAddress(c: Context): string {
      const info = c.env as Deno.ServeHandlerInfo<Deno.NetAddr> | undefined;
      return info?.remoteAddr?.hostname ?? "unknown";
    },
    serve(fetch, options: ListenOptions): RunningServer {
      idleTimeoutSeconds = Math.ceil(options.limits.idleTimeoutMs / 1000) + 30;
      const listen = { hostname: options.host, port: options.port, onListen: () => {} };
      const handler = (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => fetch(request, info);
      const server = options.tls
        ? Deno.serve({ ...listen, cert: options.tls.cert, key: options.tls.key }, handler)
        : Deno.serve(listen, handler);
      return {
        hostname: server.addr.hostname,
        port: server.addr.port,
        stop: () => server.shutdown(),
      };
    },
    onShutdownSignal(handler) {
      for (const signal of ["SIGINT", "SIGTERM"] as const) {
        Deno.addSignalListener(signal, () => handler(signal));
      }
    },
    exit: (code) => Deno.exit(code),
    collectGarbage: () => {
      gc ??= v8Gc();
      gc();
    },
  };
}

let gc: (() => void) | null = null;

/**
 * V8's gc(): global under `--v8-flags=--expose-gc`; otherwise the flag, set late, exposes it in contexts made
 * after it, so a server started without the flag can still collect when its operator asks.
 */
function v8Gc(): () => void {
  const global = (globalThis as { gc?: () => void }).gc;
  if (global !== undefined) return global;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}
