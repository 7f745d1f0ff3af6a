// What the multi-node tests stand on: a real redis-server, cluster nodes started on it (the server spawned
// directly, so a signal reaches it, not a wrapper), and a side connection to read Redis with. Cleans up after
// itself. Owns no assertions.

import type { Redis } from "ioredis";
import { connectRedis, parseRedisUrl } from "../../src/store/redis_connection.ts";
import { freePort, type ServerProcess, startServer, type Target } from "../support/server_process.ts";
import { type RedisServer, startRedis } from "./redis_server.ts";

/** The shared secret every test node gets (32+ characters, as the server requires). */
export const CLUSTER_SECRET = "a-test-secret-that-is-long-enough-1234";

export interface NodeOptions {
  target?: Target;
  /** A fixed port (to start a node again where its players knew it); a free one otherwise. */
  port?: number;
}

/** The flags that make a server a node of the cluster on `redisUrl`, reachable on `port`. */
export function clusterArgs(redisUrl: string, nodeId: string, port: number): string[] {
  return [
    "--port",
    String(port),
    "--redis-url",
    redisUrl,
    "--node-id",
    nodeId,
    "--public-url",
    `http://127.0.0.1:${port}`,
    "--cluster-secret",
    CLUSTER_SECRET,
  ];
}

/** Starts one cluster node and resolves once it listens. */
export async function startNode(
  redisUrl: string,
  nodeId: string,
  options: NodeOptions = {},
): Promise<ServerProcess> {
  const port = options.port ?? freePort();
  return await startServer(options.target ?? "source", clusterArgs(redisUrl, nodeId, port));
}

/** A client of the test's redis-server, for reading logs and metadata beside the nodes. */
export async function sideConnection(redis: RedisServer, name = "liaptui:test:side"): Promise<Redis> {
  const address = parseRedisUrl(redis.url);
  if (typeof address === "string") throw new Error(address);
  return await connectRedis(address, { name });
}

export interface Cluster {
  redis: RedisServer;
  side: Redis;
  /** Every node started through `start`, stopped at the end (killed ones included; stopping is idempotent). */
  readonly nodes: ServerProcess[];
  start(nodeId: string, options?: NodeOptions): Promise<ServerProcess>;
  /** SIGSTOP (a stalled VM); resumed at the end if the test does not `resume` it. */
  pause(node: ServerProcess): void;
  resume(node: ServerProcess): void;
}

/**
 * Runs `body` on a fresh redis-server with a side connection; every node it starts is resumed if paused and
 * stopped afterwards, then Redis is stopped and its directory removed.
 */
export async function withCluster(body: (cluster: Cluster) => Promise<void>): Promise<void> {
  const redis = await startRedis();
  const nodes: ServerProcess[] = [];
  const paused = new Set<ServerProcess>();
  let side: Redis | null = null;
  try {
    side = await sideConnection(redis);
    const cluster: Cluster = {
      redis,
      side,
      nodes,
      async start(nodeId, options) {
        const node = await startNode(redis.url, nodeId, options);
        nodes.push(node);
        return node;
      },
      pause(node) {
        Deno.kill(node.pid, "SIGSTOP");
        paused.add(node);
      },
      resume(node) {
        if (paused.delete(node)) Deno.kill(node.pid, "SIGCONT");
      },
    };
    await body(cluster);
  } finally {
    // A paused node cannot act on SIGTERM.
    for (const node of paused) Deno.kill(node.pid, "SIGCONT");
    for (const node of nodes) await node.stop();
    side?.disconnect();
    await redis.stop();
  }
}
