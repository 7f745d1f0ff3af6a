// A cluster node from source and as the compiled binary, on a real redis-server: it checks Redis and says so
// at start, stops with one clear line when Redis is unreachable or unfit, and plays a whole game whose every
// action is in the Redis log before it was broadcast.

import assert from "node:assert/strict";
import { NODES_KEY, roomKeys } from "../../src/store/redis_keys.ts";
import { AutoPlayer, FAST_SETTINGS } from "../support/auto_player.ts";
import {
  binaryExists,
  freePort,
  REPO_ROOT,
  serverCommand,
  type ServerProcess,
  type Target,
} from "../support/server_process.ts";
import { clusterArgs, sideConnection, startNode } from "./cluster_fixture.ts";
import { startRedis } from "./redis_server.ts";

const TARGETS: readonly Target[] = ["source", "binary"];
/** An address nobody listens on: the node only announces it. */
const PUBLIC_URL = "http://127.0.0.1:9/node-a";

function nodeArgs(redisUrl: string): string[] {
  return clusterArgs(redisUrl, "node-a", freePort(), PUBLIC_URL);
}

/** Runs the server to its exit (it is expected to refuse to start); answers the code and what it printed. */
async function runToExit(target: Target, args: string[]): Promise<{ code: number; output: string }> {
  const [command, commandArgs] = serverCommand(target, ["--host", "127.0.0.1", ...args]);
  const result = await new Deno.Command(command, { args: commandArgs, cwd: REPO_ROOT, stdin: "null" })
    .output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: result.code, output: decode(result.stdout) + decode(result.stderr) };
}

for (const target of TARGETS) {
  const ignore = target === "binary" && !binaryExists();

  Deno.test({
    name:
      `[${target}] a cluster node checks Redis, announces itself and plays a whole game through the Redis log`,
    ignore,
    async fn() {
      const redis = await startRedis();
      const players: AutoPlayer[] = [];
      const client = await sideConnection(redis, "liaptui:test");
      let node: ServerProcess | null = null;
      try {
        node = await startNode(redis.url, "node-a", { target, publicUrl: PUBLIC_URL });
        assert.match(
          node.output(),
          /cluster node node-a \(http:\/\/127\.0\.0\.1:9\/node-a\) on Redis, Function library liaptui v\d+ loaded/,
        );
        assert.match(node.output(), /games are stored in Redis \(cluster node node-a\)/);
        assert.deepEqual(
          JSON.parse((await client.hget(NODES_KEY, "node-a"))!).url,
          "http://127.0.0.1:9/node-a",
        );

        for (const [i, name] of ["Ann", "Bo"].entries()) {
          players.push(await AutoPlayer.join(node.wsUrl, "table1", name, { seed: 900 + i }));
        }
        const host = players[0]!.client;
        host.send("update_settings", { ...FAST_SETTINGS, target_score: 20, max_rounds: 2 }, "s");
        await host.next("room_state", (m) => (m.data?.settings as { max_rounds?: number })?.max_rounds === 2);
        host.send("start_game", { fill_with_bots: true });
        await host.next("game_over", () => true, 60_000);
        for (const player of players) await player.client.roundTrip();

        const seqs = host.received.filter((m) => m.seq !== undefined).map((m) => m.seq!);
        assert.deepEqual(seqs, seqs.map((_, i) => i + 1), "the host saw every broadcast, in order, once");
        const keys = roomKeys("table1");
        const meta = await client.hgetall(keys.meta);
        assert.equal(meta.owner, "node-a");
        assert.equal(meta.epoch, "1");
        const log = await client.xrange(keys.log, "-", "+");
        assert.equal(String(log.length), meta.seq, "the head is the last entry");
        assert.deepEqual(log.map(([id]) => id), log.map((_, i) => `${i + 1}-0`), "log seqs have no gap");
        const lastEventSeq = Number(log.at(-1)![1][log.at(-1)![1].indexOf("ev") + 1]);
        assert.equal(lastEventSeq, seqs.at(-1), "the last broadcast is in the log");
        assert.ok((await client.pttl(keys.lease)) > 0, "the node holds the room's lease");
        assert.equal(players.flatMap((p) => p.refusals).length, 0);
      } finally {
        await Promise.all(players.map((p) => p.stop()));
        if (node !== null) assert.equal(await node.stop(), 0);
        client.disconnect();
        await redis.stop();
      }
    },
  });

  Deno.test({
    name: `[${target}] a cluster node stops with one clear line when Redis is unreachable or unfit`,
    ignore,
    async fn() {
      const unreachable = await runToExit(target, nodeArgs(`redis://127.0.0.1:${freePort()}`));
      assert.equal(unreachable.code, 1);
      assert.match(
        unreachable.output,
        /^liaptui: cannot start: redis: cannot reach Redis at 127\.0\.0\.1:\d+: .+$/m,
      );

      const redis = await startRedis();
      const client = await sideConnection(redis, "liaptui:test");
      try {
        await client.config("SET", "maxmemory-policy", "allkeys-lru");
        const unfit = await runToExit(target, nodeArgs(redis.url));
        assert.equal(unfit.code, 1);
        assert.match(
          unfit.output,
          /^liaptui: cannot start: redis: Redis has maxmemory-policy allkeys-lru: .*noeviction$/m,
        );
        await client.config("SET", "maxmemory-policy", "noeviction");
        await client.config("SET", "appendfsync", "everysec");
        const node = await startNode(redis.url, "node-a", { target, publicUrl: PUBLIC_URL });
        assert.match(
          node.output(),
          /liaptui: Redis has appendfsync everysec: .*appendfsync always is recommended/,
        );
        assert.equal(await node.stop(), 0);
      } finally {
        client.disconnect();
        await redis.stop();
      }
    },
  });
}
