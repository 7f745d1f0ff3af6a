// The cost of "log before you tell" on Redis: append latency through the store's RoomLog (one atomic Redis
// Function per action) under appendfsync always, one at a time and with many rooms appending at once.
// Starts its own redis-server on a free loopback port and removes it after. Prints figures, asserts nothing.
//
//   deno run --allow-all bench/cluster_append.ts [--appends 2000] [--rooms 100]

import { parseArgs } from "node:util";
import type { Grant } from "../src/store/ports.ts";
import { openRedisStore, type RedisStore } from "../src/store/redis_store.ts";
import { startRedis } from "../tests/cluster/redis_server.ts";
import { loadLine } from "./machine.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { appends: { type: "string", default: "2000" }, rooms: { type: "string", default: "100" } },
});
const APPENDS = Number(values.appends);
const ROOMS = Number(values.rooms);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

function report(label: string, latencies: number[], elapsedMs: number): void {
  const sorted = [...latencies].sort((a, b) => a - b);
  const f = (ms: number) => ms.toFixed(2).padStart(7);
  console.log(
    `${label.padEnd(34)} ${String(latencies.length).padStart(6)} appends  ` +
      `${Math.round(latencies.length / (elapsedMs / 1000)).toString().padStart(6)}/s  ` +
      `p50 ${f(percentile(sorted, 0.5))} ms  p99 ${f(percentile(sorted, 0.99))} ms  max ${
        f(sorted.at(-1)!)
      } ms; ${loadLine()}`,
  );
}

async function open(store: RedisStore, roomId: string): Promise<Grant> {
  await store.log.create({ roomId, createdAt: 1, data: { name: roomId, settings: {} } });
  const acquired = await store.ownership.acquire(roomId, "bench");
  if (acquired.kind !== "granted") throw new Error(`${roomId}: ${acquired.kind}`);
  return acquired.grant;
}

async function timedAppend(store: RedisStore, grant: Grant, seq: number, out: number[]): Promise<void> {
  const started = performance.now();
  const result = await store.log.append(grant, seq, {
    actionId: `${grant.roomId}-${seq}`,
    at: 1_700_000_000_000 + seq,
    eventSeq: seq * 2,
    data: { type: "move", by: "Ann", move: { type: "play", pieceIds: [seq % 32] } },
  });
  out.push(performance.now() - started);
  if (result.kind !== "ok") throw new Error(`append ${seq}: ${result.kind}`);
}

const redis = await startRedis();
// A long lease: the benchmark holds its rooms without a keeper renewing them.
const store = await openRedisStore({ url: redis.url, nodeId: "bench", leaseMs: 600_000 });
try {
  console.log(`redis-server ${redis.url}, appendonly yes, appendfsync always`);
  // One room, one append at a time: what one table's moves cost.
  const solo = await open(store, "solo");
  const serial: number[] = [];
  let started = performance.now();
  for (let seq = 1; seq <= APPENDS; seq++) await timedAppend(store, solo, seq, serial);
  report("1 room, one at a time", serial, performance.now() - started);

  // Many rooms at once, each with one append in flight: what a busy node's tables cost together.
  const grants = await Promise.all(Array.from({ length: ROOMS }, (_, i) => open(store, `r${i}`)));
  const parallel: number[] = [];
  const perRoom = Math.max(1, Math.floor(APPENDS / ROOMS) * 5);
  started = performance.now();
  await Promise.all(grants.map(async (grant) => {
    for (let seq = 1; seq <= perRoom; seq++) await timedAppend(store, grant, seq, parallel);
  }));
  report(`${ROOMS} rooms, one in flight each`, parallel, performance.now() - started);
} finally {
  await store.close();
  await redis.stop();
}
