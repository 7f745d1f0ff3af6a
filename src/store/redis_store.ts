// Opens the cluster's store on Redis: connects, checks the server (version, AOF, fsync, eviction, the
// Function library), and assembles the Redis implementations of every port.

import type { Redis } from "ioredis";
import type { Store } from "./ports.ts";
import { StoreError } from "./ports.ts";
import { RedisGameArchive } from "./redis_archive.ts";
import { guarded } from "./redis_failure.ts";
import { checkRedis } from "./redis_checks.ts";
import { connectRedis, parseRedisUrl } from "./redis_connection.ts";
import { RedisFunctions } from "./redis_functions.ts";
import { RedisHints } from "./redis_hints.ts";
import { RedisLobby } from "./redis_lobby.ts";
import { readOwners, type RoomOwner } from "./redis_owners.ts";
import { NODES_KEY } from "./redis_keys.ts";
import { DEFAULT_LEASE_MS, RedisOwnership } from "./redis_ownership.ts";
import { RedisRoomLog } from "./redis_room_log.ts";

export interface RedisStoreOptions {
  /** `redis://[user:password@]host[:port][/db]` */
  url: string;
  /** This node's id: names the owner of the rooms it holds. */
  nodeId: string;
  leaseMs?: number;
  /** A command unanswered after this long fails (default 3 s): play pauses instead of hanging. */
  commandTimeoutMs?: number;
}

/** The Redis store: the Store ports plus the cluster-only ones. */
export interface RedisStore extends Store {
  readonly kind: "redis";
  readonly ownership: RedisOwnership;
  readonly lobby: RedisLobby;
  readonly hints: RedisHints;
  /** Start-up findings worth a log line (appendfsync not always, settings Redis would not show). */
  readonly warnings: readonly string[];
  /** What happened to the Function library at start ("liaptui v1 present" / "loaded" / "replaced"). */
  readonly library: string;
  /** Whether the command connection is up right now (for /readyz). */
  connected(): boolean;
  /** Records this node's public URL in `lt:nodes`, where other nodes look up where to redirect players. */
  announce(publicUrl: string, version: string): Promise<void>;
  /** Where another node said players reach it, or null when it never announced itself. */
  nodeUrl(nodeId: string): Promise<string | null>;
  /** Who holds each of `roomIds` (for operators; see redis_owners.ts). */
  owners(roomIds: readonly string[]): Promise<Map<string, RoomOwner>>;
}

/** Connects and checks; throws a StoreError with one clear line when Redis is unreachable or unfit. */
export async function openRedisStore(options: RedisStoreOptions): Promise<RedisStore> {
  const address = parseRedisUrl(options.url);
  if (typeof address === "string") throw new StoreError(`redis: ${address}`);
  const opened: Redis[] = [];
  try {
    const commands = await connectRedis(address, {
      name: `liaptui:${options.nodeId}:commands`,
      commandTimeoutMs: options.commandTimeoutMs ?? 3_000,
    });
    opened.push(commands);
    const { warnings, library } = await checkRedis(commands);
    const subscriber = await connectRedis(address, { name: `liaptui:${options.nodeId}:hints` });
    opened.push(subscriber);
    const fns = new RedisFunctions(commands);
    const ownership = new RedisOwnership(fns, options.leaseMs ?? DEFAULT_LEASE_MS);
    let closed = false;
    return {
      kind: "redis",
      ownership,
      log: new RedisRoomLog(commands, fns),
      archive: new RedisGameArchive(commands, fns),
      lobby: new RedisLobby(commands, fns, (roomId) => ownership.epochOf(roomId)),
      hints: new RedisHints(commands, subscriber),
      warnings,
      library,
      connected: () => commands.status === "ready",
      announce: (publicUrl, version) =>
        guarded("announce", async () => {
          const node = { url: publicUrl, version };
          await commands.hset(NODES_KEY, options.nodeId, JSON.stringify(node));
        }),
      nodeUrl: (nodeId) =>
        guarded("node lookup", async () => {
          const text = await commands.hget(NODES_KEY, nodeId);
          if (text === null) return null;
          const node = JSON.parse(text) as { url?: unknown };
          return typeof node.url === "string" ? node.url : null;
        }),
      owners: (roomIds) => guarded("owners", () => readOwners(commands, roomIds)),
      async close() {
        if (closed) return;
        closed = true;
        await Promise.all(opened.map(quit));
      },
    };
  } catch (error) {
    await Promise.all(opened.map(quit));
    if (error instanceof StoreError) throw error;
    throw new StoreError(`redis: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** QUIT when connected (replies flushed first), otherwise just stop reconnecting. */
async function quit(redis: Redis): Promise<void> {
  if (redis.status !== "ready") {
    redis.disconnect();
    return;
  }
  try {
    await redis.quit();
  } catch {
    redis.disconnect(); // QUIT failed mid-way: drop the socket; nothing is waiting on it.
  }
}
