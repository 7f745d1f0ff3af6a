// Redis going away in the middle of a game on a cluster node, with a player on the typed client: play pauses
// (what was accepted waits, nothing is told before it is stored) and resumes by itself, after a restart and
// after an outage longer than the lease (the node lets the room go, the player comes back, the room is taken
// again). The game finishes, the player's seq runs without a gap or repeat, the log holds every action once.

import assert from "node:assert/strict";
import type { WebSocketConstructor } from "../../src/client/socket_port.ts";
import { roomKeys } from "../../src/store/redis_keys.ts";
import { FAST_SETTINGS } from "../support/auto_player.ts";
import { ignoreTarget, type Target } from "../support/server_process.ts";
import { type Cluster, withCluster } from "./cluster_fixture.ts";
import { ChaosPlayer } from "./chaos_player.ts";

const LEASE_MS = 6_000;

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** One player and three bots on one node; `outage` runs once the hands are dealt; the game must finish. */
async function playThrough(cluster: Cluster, target: Target, room: string, outage: () => Promise<void>) {
  const node = await cluster.start("node-a", { target });
  const player = new ChaosPlayer(node.wsUrl, room, "Ann", 41, WebSocket as unknown as WebSocketConstructor);
  try {
    await player.join();
    // Bots think for a moment, so the game is still running when Redis goes away.
    player.client.sendRaw(JSON.stringify({
      event: "update_settings",
      data: {
        ...FAST_SETTINGS,
        bot_think_ms: 20,
        target_score: 30,
        max_rounds: 2,
        reconnect_grace_ms: 60_000,
      },
    }));
    player.client.sendRaw(JSON.stringify({ event: "start_game", data: { fill_with_bots: true } }));
    await within(player.client.waitFor("hand", () => true, 20_000), 20_000, "the deal");
    await outage();
    await within(player.over, 90_000, "game_over");

    assert.equal(player.gaps + player.reconnectGaps, 0, "no seq gap seen by the player");
    assert.equal(player.repeats, 0, "no seq repeat seen by the player");
    // The game can finish before the side connection has noticed Redis came back.
    await cluster.sideReady();
    const log = await cluster.side.xrange(roomKeys(room).log, "-", "+");
    assert.deepEqual(log.map(([id]) => id), log.map((_, i) => `${i + 1}-0`), "one log without a hole");
    const field = (fields: string[], name: string) => fields[fields.indexOf(name) + 1]!;
    const actionIds = log.map(([, fields]) => field(fields, "a"));
    assert.equal(new Set(actionIds).size, actionIds.length, "no action stored twice");
    const seen = Math.max(...player.bySeq.keys());
    assert.equal(
      Number(field(log.at(-1)![1], "ev")),
      seen,
      "what the player was told last is what was stored last",
    );
    return { node, player };
  } finally {
    await player.close();
  }
}

for (const target of ["source", "binary"] as const) {
  Deno.test({
    name:
      `[${target}] a Redis restart mid-game pauses play, which resumes by itself: nothing lost or repeated`,
    ignore: ignoreTarget(target),
    async fn() {
      await withCluster(async (cluster) => {
        const { node } = await playThrough(cluster, target, "bumpy", () => cluster.redis.restart());
        // The restart really met play: an append went unanswered and was held, then stored.
        assert.match(node.output(), /storing \w+ is unanswered \(try 1\)/);
      });
    },
  });

  Deno.test({
    name: `[${target}] Redis away longer than the lease: the node lets the room go, the player comes back`,
    ignore: ignoreTarget(target),
    async fn() {
      await withCluster(async (cluster) => {
        const { node, player } = await playThrough(cluster, target, "gone", async () => {
          await cluster.redis.down();
          await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 2_000));
          await cluster.redis.up();
        });
        assert.match(node.output(), /room gone lost its lease \(unreachable\)/);
        assert.match(node.output(), /took over room gone/, "taken again once Redis was back");
        assert.ok(player.connectedAt.length >= 2, "the player was let go and came back");
      });
    },
  });
}
