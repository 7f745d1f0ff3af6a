// What the multi-node tests stand on: a real redis-server, cluster nodes started on it (the server spawned
// directly, so a signal reaches it, not a wrapper), and a side connection to read Redis with. Cleans up after
// itself. Owns no assertions.

import type { Redis } from "ioredis";
import { connectRedis, parseRedisUrl } from "../../src/store/redis_connection.ts";
import { AutoPlayer, FAST_SETTINGS } from "../support/auto_player.ts";
import { freePort, type ServerProcess, startServer, type Target } from "../support/server_process.ts";
import { type Envelope, TestClient } from "../support/ws_client.ts";
import { type RedisServer, startRedis } from "./redis_server.ts";

/** The shared secret every test node gets (32+ characters, as the server requires). */
export const CLUSTER_SECRET = "a-test-secret-that-is-long-enough-1234";

export interface NodeOptions {
  /** `source` (default) or the compiled `binary`. */
  target?: Target;
  /** A fixed port (to start a node again where its players knew it); a free one otherwise. */
  port?: number;
  /** What the node tells others to redirect players to (default `http://127.0.0.1:<its port>`). */
  publicUrl?: string;
  /** More flags after the cluster ones. */
  args?: string[];
  env?: Record<string, string>;
}

/** The flags that make a server a node of the cluster on `redisUrl`, reachable on `port`. */
export function clusterArgs(redisUrl: string, nodeId: string, port: number, publicUrl?: string): string[] {
  return [
    "--port",
    String(port),
    "--redis-url",
    redisUrl,
    "--node-id",
    nodeId,
    "--public-url",
    publicUrl ?? `http://127.0.0.1:${port}`,
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
  const args = [...clusterArgs(redisUrl, nodeId, port, options.publicUrl), ...(options.args ?? [])];
  return await startServer(options.target ?? "source", args, options.env ?? {});
}

/** A client of the test's redis-server, for reading logs and metadata beside the nodes. */
export async function sideConnection(redis: RedisServer, name = "liaptui:test:side"): Promise<Redis> {
  const address = parseRedisUrl(redis.url);
  if (typeof address === "string") throw new Error(address);
  return await connectRedis(address, { name });
}

export interface Cluster {
  redis: RedisServer;
  /** Fails fast while Redis is away (no offline queue): after a restart, `await sideReady()` before reading. */
  side: Redis;
  /** Waits (at most about 10 s) until the side connection answers again after Redis went away. */
  sideReady(): Promise<void>;
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
      async sideReady() {
        const connection = side!;
        for (let tries = 0; await connection.ping().then(() => false, () => true); tries++) {
          if (tries > 200) throw new Error("the side connection to Redis did not come back");
          await new Promise((r) => setTimeout(r, 50));
        }
      },
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

/** Seqs of the sequenced broadcasts among `messages`, in order. */
export function broadcastSeqs(messages: readonly Envelope[]): number[] {
  return messages.filter((m) => m.seq !== undefined).map((m) => m.seq!);
}

/** Polls `condition` every 25 ms; throws naming `what` after `timeoutMs`. */
export async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Four scripted players at one table on `wsUrl`, the first its host, set for a game long enough to outlive a
 * failover (three rounds, no delays, two minutes of reconnect grace); the game is not started.
 */
export async function seatFour(wsUrl: string, room: string, seed: number): Promise<AutoPlayer[]> {
  const players: AutoPlayer[] = [];
  for (const [i, name] of ["Ann", "Bo", "Cy", "Di"].entries()) {
    players.push(await AutoPlayer.join(wsUrl, room, name, { seed: seed + i }));
  }
  const host = players[0]!.client;
  host.send("update_settings", {
    ...FAST_SETTINGS,
    target_score: 40,
    max_rounds: 3,
    reconnect_grace_ms: 120_000,
  }, "s");
  await host.next("room_state", (m) => (m.data?.settings as { max_rounds?: number })?.max_rounds === 3);
  return players;
}

const ANSWERS = new Set(["joined_room", "redirect", "error"]);

/** The first answer to a join: joined here, sent elsewhere, or refused. */
export function joinAnswer(client: TestClient): Promise<Envelope> {
  return new Promise((resolve, reject) => {
    const find = () => client.received.find((m) => ANSWERS.has(m.event));
    const already = find();
    if (already !== undefined) return resolve(already);
    // The test client records each frame before this later handler runs.
    const stop = client.client.onFrame(() => {
      const found = find();
      if (found === undefined) return;
      stop();
      clearTimeout(timer);
      resolve(found);
    });
    const timer = setTimeout(() => {
      stop();
      reject(new Error("no answer to the join"));
    }, 10_000);
  });
}

/** What two players sent to two nodes at once for one new room were told, and the redirected one's name. */
export interface JoinRace {
  answers: [Envelope, Envelope];
  /** The node the joined player went through (the owner), 0 for `a`, 1 for `b`; null when neither joined. */
  joinedThrough: 0 | 1 | null;
  /** The player the other node turned away, who should follow the redirect. */
  loserName: string;
  loser: TestClient;
  redirect: Envelope | undefined;
}

/** Ann through node `a` and Bo through node `b` join `room` at the same moment, neither node having it. */
export async function raceJoins(
  a: ServerProcess,
  b: ServerProcess,
  room: string,
  clients: TestClient[],
): Promise<JoinRace> {
  const onA = await TestClient.connect(`${a.wsUrl}/ws/${room}`);
  const onB = await TestClient.connect(`${b.wsUrl}/ws/${room}`);
  clients.push(onA, onB);
  await Promise.all([onA.next("connected"), onB.next("connected")]);
  onA.send("join_room", { player_name: "Ann" }, "j");
  onB.send("join_room", { player_name: "Bo" }, "j");
  const answers = await Promise.all([joinAnswer(onA), joinAnswer(onB)]);
  const joinedThrough = answers[0].event === "joined_room"
    ? 0
    : answers[1].event === "joined_room"
    ? 1
    : null;
  return {
    answers,
    joinedThrough,
    loserName: joinedThrough === 0 ? "Bo" : "Ann",
    loser: joinedThrough === 0 ? onB : onA,
    redirect: answers.find((m) => m.event === "redirect"),
  };
}

/** The redirected player follows `redirect` and joins as `name` on the owner; answers its `joined_room`. */
export async function followRedirect(
  redirect: Envelope,
  name: string,
  clients: TestClient[],
): Promise<Envelope> {
  const followed = await TestClient.connect(redirect.data!.url as string);
  clients.push(followed);
  await followed.next("connected");
  followed.send("join_room", { player_name: name }, "j2");
  return await followed.next("joined_room");
}
