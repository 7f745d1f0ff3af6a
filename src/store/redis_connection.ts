// Opens ioredis connections the way the cluster needs them: classic RESP2 replies, no offline queue, and
// every in-flight command failed (not silently resent) when the connection drops, so the caller decides.

import { Redis, type RedisOptions } from "ioredis";

/** Where Redis is, read from a `redis://[user:password@]host[:port][/db]` URL. */
export interface RedisAddress {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
}

/** Parses a Redis URL; answers a one-line problem instead of throwing. */
export function parseRedisUrl(raw: string): RedisAddress | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `not a URL: "${raw}" (expected redis://host:port)`;
  }
  if (url.protocol === "rediss:") {
    return "rediss:// (TLS) is not supported yet; use redis:// on a private network";
  }
  if (url.protocol !== "redis:") return `expected a redis:// URL, got "${url.protocol}"`;
  if (url.hostname === "") return `no host in "${raw}"`;
  const path = url.pathname.replace(/^\//, "");
  if (path !== "" && !/^\d{1,2}$/.test(path)) return `the database in "${raw}" must be a number`;
  // ioredis resolves "localhost" itself, which a narrow --allow-net refuses; the loopback address works.
  const host = url.hostname === "localhost" ? "127.0.0.1" : url.hostname.replace(/^\[|\]$/g, "");
  const address: RedisAddress = {
    host,
    port: url.port === "" ? 6379 : Number(url.port),
    db: Number(path || 0),
  };
  if (url.username !== "") address.username = decodeURIComponent(url.username);
  if (url.password !== "") address.password = decodeURIComponent(url.password);
  return address;
}

export interface ConnectOptions {
  /** Shown in CLIENT LIST, e.g. `liaptui:node-a:commands`. */
  name: string;
  /** A command without an answer after this long fails (its outcome is then unknown to the caller). */
  commandTimeoutMs?: number;
}

/** Reconnect forever, quickly at first, then once a second with jitter so nodes do not stampede. */
function retryDelay(attempt: number): number {
  const base = Math.min(1_000, 25 * 2 ** Math.min(attempt, 6));
  return Math.round(base / 2 + Math.random() * base / 2);
}

/** Connects and waits until the connection is ready; throws a one-line error when Redis cannot be reached. */
export async function connectRedis(address: RedisAddress, options: ConnectOptions): Promise<Redis> {
  const redisOptions: RedisOptions = {
    host: address.host,
    port: address.port,
    db: address.db,
    connectionName: options.name,
    protocol: 2,
    lazyConnect: true,
    enableOfflineQueue: false,
    // 0: every command in flight when the socket closes is rejected at once rather than resent later, when
    // the room may have moved on. Callers retry with the same action id, which the store de-duplicates.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: 5_000,
    retryStrategy: retryDelay,
  };
  if (options.commandTimeoutMs !== undefined) redisOptions.commandTimeout = options.commandTimeoutMs;
  if (address.username !== undefined) redisOptions.username = address.username;
  if (address.password !== undefined) redisOptions.password = address.password;
  const client = new Redis(redisOptions);
  // Errors are reported through the failing commands and the status; an unhandled 'error' event would only
  // print ioredis's own warning on every reconnect attempt. The first one explains a failed connect better
  // than connect()'s own "Connection is closed".
  let firstError: Error | null = null;
  client.on("error", (error: Error) => {
    firstError ??= error;
  });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    const cause: unknown = firstError ?? error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new Error(`cannot reach Redis at ${address.host}:${address.port}: ${reason}`);
  }
  firstError = null;
  return client;
}
