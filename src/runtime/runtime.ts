// What the rest of the server needs from a JavaScript runtime. Deno and Bun each implement it in one file.

import type { Context } from "hono";
import type { UpgradeWebSocket, WSContext } from "hono/ws";
import type { DirectUpgrade } from "../http/ws_direct.ts";
import type { NetLimits } from "../net/limits.ts";
import type { PubSub, Transport } from "../net/transport.ts";

export interface ListenOptions {
  host: string;
  port: number;
  limits: NetLimits;
  /** PEM text of the certificate chain and key: the server speaks https/wss itself. */
  tls?: { cert: string; key: string };
  /** Bodies larger than this are refused by the runtime before the app sees them. */
  maxBodyBytes?: number;
}

export interface RunningServer {
  readonly hostname: string;
  readonly port: number;
  /** Stops accepting connections and closes the listener. */
  stop(): Promise<void>;
}

export interface Runtime {
  readonly name: "deno" | "bun";
  readonly args: readonly string[];
  env(name: string): string | undefined;
  /** Native fan-out, where the runtime has one; usable once `serve` has run. */
  readonly pubsub: PubSub | null;
  readonly upgradeWebSocket: UpgradeWebSocket<unknown>;
  transportOf(ws: WSContext<unknown>): Transport;
  remoteAddress(c: Context): string;
  /** Upgrades a bare request outside Hono's router, where the runtime can (Bun). */
  readonly directUpgrade?: DirectUpgrade;
  serve(
    fetch: (request: Request, env: unknown) => Response | Promise<Response>,
    options: ListenOptions,
  ): RunningServer;
  onShutdownSignal(handler: (signal: string) => void): void;
  /**
   * A full garbage collection, now. The heap read right after it holds only what is reachable, which tells a
   * leak (that figure grows) from an allocator keeping freed pages (only the resident size grows).
   */
  collectGarbage(): void;
  exit(code: number): never;
}
