// Cluster throughput and failover, over real sockets: tables (2 scripted players + 2 bots, no delays) finished per
// second through one, two and three nodes on one redis-server; and the failover time distribution, SIGKILLing
// the owner of a playing room again and again. Starts its own redis-server and nodes on free loopback ports.
// Prints figures, with the load average and where the CPU went (nodes, Redis, the bench's own players), and
// asserts nothing. On a 2-core machine every node competes for the same cores: more nodes cannot add
// throughput here, only spread it. Run it at normal priority (no nice), as every benchmark.
//
//   deno run --allow-all bench/cluster_nodes.ts tables [--seconds 20] [--tables 6] [--grace-ms 300000]
//   deno run --allow-all bench/cluster_nodes.ts failover [--kills 50]

import { parseArgs } from "node:util";
import type { WebSocketConstructor } from "../src/client/socket_port.ts";
import { NO_DELAYS } from "../src/rooms/settings.ts";
import { freePort, type ServerProcess, startServer } from "../tests/support/server_process.ts";
import { ChaosPlayer } from "../tests/cluster/chaos_player.ts";
import { type RedisServer, startRedis } from "../tests/cluster/redis_server.ts";
import { cpuOf, loadLine, ownCpu } from "./machine.ts";
import type { Redis } from "ioredis";
import { connectRedis, parseRedisUrl } from "../src/store/redis_connection.ts";
import { LOBBY_KEYS, roomKeys } from "../src/store/redis_keys.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    seconds: { type: "string", default: "20" },
    tables: { type: "string", default: "6" },
    kills: { type: "string", default: "50" },
    // How long a finished table's room waits for its players to come back (and stays listed in the lobby).
    "grace-ms": { type: "string", default: "300000" },
  },
});
const SECRET = "a-bench-secret-that-is-long-enough-1234";
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** How long the nodes sit idle before a tables run, to measure their floor. */
const IDLE_MS = 5_000;

interface Node {
  id: string;
  port: number;
  proc: ServerProcess | null;
}

async function startNode(redis: RedisServer, node: Node): Promise<void> {
  node.proc = await startServer("source", [
    "--port",
    String(node.port),
    "--redis-url",
    redis.url,
    "--node-id",
    node.id,
    "--public-url",
    `http://127.0.0.1:${node.port}`,
    "--cluster-secret",
    SECRET,
    // Every player comes from 127.0.0.1: the per-address caps would stop the bench, not measure the cluster.
    "--max-connections-per-address",
    "100000",
    "--max-rooms-per-address",
    "100000",
  ]);
}

/** Player `offset` of a table connects to node (table + offset) mod n among the live nodes. */
function balancer(nodes: Node[], table: number, offset: number): WebSocketConstructor {
  return function (url: string) {
    const target = new URL(url);
    if (!target.pathname.startsWith("/n/")) {
      const up = nodes.filter((n) => n.proc !== null);
      target.port = String(up[(table + offset) % up.length]!.port);
    }
    return new WebSocket(target.href);
  } as unknown as WebSocketConstructor;
}

async function openTable(
  nodes: Node[],
  room: string,
  table: number,
  seed: number,
  rounds = 2,
): Promise<ChaosPlayer[]> {
  const players = [0, 1].map((i) =>
    new ChaosPlayer(`ws://127.0.0.1:${nodes[0]!.port}`, room, `P${i}`, seed + i, balancer(nodes, table, i))
  );
  await Promise.all(players.map((p) => p.join()));
  for (let attempt = 0; !players.some((p) => p.dealt) && attempt < 20; attempt++) {
    for (const p of players) {
      p.client.sendRaw(JSON.stringify({
        event: "update_settings",
        data: {
          ...NO_DELAYS,
          max_rounds: rounds,
          target_score: rounds * 15,
          reconnect_grace_ms: Number(values["grace-ms"]),
        },
      }));
      p.client.sendRaw(JSON.stringify({ event: "start_game", data: { fill_with_bots: true } }));
    }
    await Promise.race([...players.map((p) => p.client.waitFor("hand", () => true, 3_000)), wait(3_000)])
      .catch(() => {});
  }
  return players;
}

async function tables(seconds: number, count: number): Promise<void> {
  console.log(
    `tables finished per second, ${count} tables at once for ${seconds} s, 2 players + 2 bots each; ${loadLine()}`,
  );
  for (const n of [1, 2, 3]) {
    const redis = await startRedis();
    const nodes: Node[] = Array.from(
      { length: n },
      (_, i) => ({ id: `n${i}`, port: freePort(), proc: null }),
    );
    try {
      for (const node of nodes) await startNode(redis, node);
      // What the nodes burn doing nothing (lease keeper, lobby mirror, timers): the floor under every figure.
      const idleFrom = nodes.reduce((sum, node) => sum + cpuOf(node.proc!.pid), 0);
      await wait(IDLE_MS);
      const idle = (nodes.reduce((sum, node) => sum + cpuOf(node.proc!.pid), 0) - idleFrom) /
        (IDLE_MS / 1000);
      let finished = 0;
      const deadline = performance.now() + seconds * 1_000;
      const began = performance.now();
      const cpu = () => ({
        nodes: nodes.reduce((sum, node) => sum + cpuOf(node.proc!.pid), 0),
        redis: cpuOf(redis.pid),
        players: ownCpu(),
      });
      const cpuBefore = cpu();
      await Promise.all(Array.from({ length: count }, async (_, table) => {
        for (let game = 0; performance.now() < deadline; game++) {
          const players = await openTable(nodes, `b${table}-${game}`, table, table * 1000 + game);
          await Promise.race([Promise.all(players.map((p) => p.over)), wait(60_000)]);
          finished++;
          await Promise.all(players.map((p) => p.close()));
        }
      }));
      const elapsed = (performance.now() - began) / 1000;
      const cpuAfter = cpu();
      const appends = await appendLatency(nodes);
      const changes = await lobbyChanges(redis);
      const used = (key: keyof typeof cpuAfter) => cpuAfter[key] - cpuBefore[key];
      const busy = (used("nodes") + used("redis") + used("players")) / elapsed;
      console.log(
        `  ${n} node(s): ${finished} games in ${elapsed.toFixed(1)} s = ${
          (finished / elapsed).toFixed(2)
        } /s; CPU s: nodes ${used("nodes").toFixed(1)}, redis ${used("redis").toFixed(1)}, players ${
          used("players").toFixed(1)
        } = ${busy.toFixed(2)} cores busy; ${loadLine()}`,
      );
      console.log(
        `    node CPU per game ${(used("nodes") / finished * 1000).toFixed(0)} ms; idle before the run ${
          (idle / n * 1000).toFixed(0)
        } ms of CPU per node per second; ${
          (changes / finished).toFixed(1)
        } lobby changes per game, each read by ${n - 1} other node(s)`,
      );
      console.log(`    ${appends}`);
    } finally {
      for (const node of nodes) await node.proc?.stop("SIGKILL");
      await redis.stop();
    }
  }
}

async function failover(kills: number): Promise<void> {
  const redis = await startRedis();
  const nodes: Node[] = ["a", "b"].map((id) => ({ id, port: freePort(), proc: null }));
  const times: number[] = [];
  console.log(`failover over ${kills} SIGKILLs of a playing room's owner; ${loadLine()}`);
  try {
    for (const node of nodes) await startNode(redis, node);
    for (let k = 0; k < kills; k++) {
      // A long game, so it is still in play when its owner dies.
      const room = `f${k}`;
      const players = await openTable(nodes, room, k, 5000 + k, 50);
      const owner = await ownerOf(redis, room, nodes);
      const killedAt = performance.now();
      await owner.proc!.stop("SIGKILL");
      owner.proc = null;
      for (let waited = 0; waited < 30_000; waited += 20) {
        if (players.every((p) => p.connectedAt.some((t) => t > killedAt))) break;
        await wait(20);
      }
      const back = players.map((p) => p.connectedAt.find((t) => t > killedAt));
      if (back.every((t) => t !== undefined)) times.push(Math.max(...(back as number[])) - killedAt);
      await Promise.all(players.map((p) => p.close()));
      await startNode(redis, owner);
      console.log(`  kill ${k + 1}: ${times.length > 0 ? Math.round(times.at(-1)!) : "-"} ms; ${loadLine()}`);
    }
  } finally {
    for (const node of nodes) await node.proc?.stop("SIGKILL");
    await redis.stop();
  }
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!);
  console.log(
    `failover over ${times.length} kills (lease 6000 ms): min ${at(0)} p50 ${at(0.5)} p95 ${at(0.95)} ` +
      `max ${at(1)} ms; ${loadLine()}`,
  );
  // The distribution, in quarter-second bins from the fastest to the slowest.
  const bins = new Map<number, number>();
  for (const ms of sorted) {
    bins.set(Math.floor(ms / 250) * 250, (bins.get(Math.floor(ms / 250) * 250) ?? 0) + 1);
  }
  for (const [from, n] of bins) {
    console.log(`  ${(from / 1000).toFixed(2)}–${((from + 250) / 1000).toFixed(2)} s  ${"#".repeat(n)} ${n}`);
  }
}

/**
 * The append latency the nodes themselves measured during the run (their /metrics histograms, summed): a
 * percentile is reported as the bucket bound it falls under, so "≤ 10 ms" means between the bound below and it.
 */
async function appendLatency(nodes: Node[]): Promise<string> {
  const buckets = new Map<string, number>();
  const results = new Map<string, number>();
  for (const node of nodes) {
    const text = await (await fetch(`http://127.0.0.1:${node.port}/metrics`)).text();
    for (
      const [, le, n] of text.matchAll(
        /^liaptui_store_append_duration_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm,
      )
    ) {
      buckets.set(le!, (buckets.get(le!) ?? 0) + Number(n));
    }
    for (const [, result, n] of text.matchAll(/^liaptui_store_appends_total\{result="([^"]+)"\} (\S+)$/gm)) {
      results.set(result!, (results.get(result!) ?? 0) + Number(n));
    }
  }
  const total = buckets.get("+Inf") ?? 0;
  const under = (p: number) => {
    for (const [le, n] of buckets) {
      if (n >= total * p) {
        return le === "+Inf" ? "> 2.5 s" : `≤ ${Number(le) * 1000} ms`;
      }
    }
    return "-";
  };
  const refused = [...results].filter(([r, n]) => r !== "ok" && n > 0).map(([r, n]) => `${r} ${n}`);
  return `appends in play (nodes' /metrics): ${total}, p50 ${under(0.5)}, p99 ${under(0.99)}; not ok: ${
    refused.length > 0 ? refused.join(", ") : "none"
  }`;
}

/** Runs `read` on a side connection to the bench's Redis. */
async function onRedis<T>(redis: RedisServer, read: (side: Redis) => Promise<T>): Promise<T> {
  const address = parseRedisUrl(redis.url);
  if (typeof address === "string") throw new Error(address);
  const side = await connectRedis(address, { name: "liaptui:bench" });
  try {
    return await read(side);
  } finally {
    side.disconnect();
  }
}

/** The node whose id the room's meta names as owner. */
async function ownerOf(redis: RedisServer, room: string, nodes: Node[]): Promise<Node> {
  const owner = await onRedis(redis, (side) => side.hget(roomKeys(room).meta, "owner"));
  return nodes.find((n) => n.id === owner) ?? nodes[0]!;
}

/** Lobby listing changes written so far: the shared change stream numbers them `0-1`, `0-2`, … */
async function lobbyChanges(redis: RedisServer): Promise<number> {
  const last = await onRedis(redis, (side) => side.xrevrange(LOBBY_KEYS.ev, "+", "-", "COUNT", 1));
  return last.length === 0 ? 0 : Number(last[0]![0].split("-")[1]);
}

if (positionals[0] === "failover") await failover(Number(values.kills));
else await tables(Number(values.seconds), Number(values.tables));
