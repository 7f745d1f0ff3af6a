// A Redis restart in the middle of a game on a cluster node: play pauses (actions refused, nothing broadcast
// that was not stored) and resumes by itself when Redis is back; the game finishes, every client's seq runs
// without a gap or repeat, and the log holds every action once.

import assert from "node:assert/strict";
import { connectRedis, parseRedisUrl } from "../../src/store/redis_connection.ts";
import { roomKeys } from "../../src/store/redis_keys.ts";
import { AutoPlayer, FAST_SETTINGS } from "../support/auto_player.ts";
import { freePort, type ServerProcess, startServer } from "../support/server_process.ts";
import { startRedis } from "./redis_server.ts";

const SECRET = "a-test-secret-that-is-long-enough-1234";

Deno.test("[source] a Redis restart mid-game pauses play, which resumes by itself: nothing lost or repeated", async () => {
  const redis = await startRedis();
  const address = parseRedisUrl(redis.url);
  if (typeof address === "string") throw new Error(address);
  let node: ServerProcess | null = null;
  const players: AutoPlayer[] = [];
  try {
    const port = freePort();
    node = await startServer("source", [
      "--port",
      String(port),
      "--redis-url",
      redis.url,
      "--node-id",
      "node-a",
      "--public-url",
      `http://127.0.0.1:${port}`,
      "--cluster-secret",
      SECRET,
    ]);
    players.push(await AutoPlayer.join(node.wsUrl, "bumpy", "Ann", { seed: 41 }));
    const host = players[0]!.client;
    // Bots think for a moment, so the game is still running when Redis goes away.
    host.send(
      "update_settings",
      { ...FAST_SETTINGS, bot_think_ms: 20, target_score: 30, max_rounds: 2 },
      "s",
    );
    await host.next("room_state", (m) => (m.data?.settings as { max_rounds?: number })?.max_rounds === 2);
    host.send("start_game", { fill_with_bots: true });
    await host.next("phase_change", () => true, 10_000);

    await redis.restart();
    await host.next("game_over", () => true, 90_000);
    // The outage really hit play: actions were refused by the store while Redis was away (and rolled back).
    const refused = node.output().match(/storing \w+ is unanswered \(try 1\)/g) ?? [];
    assert.ok(refused.length >= 1, "no action met the outage");

    const seqs = host.received.filter((m) => m.seq !== undefined).map((m) => m.seq!);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1), "no gap or repeat in what the player saw");
    const side = await connectRedis(address, { name: "liaptui:test:side" });
    try {
      const log = await side.xrange(roomKeys("bumpy").log, "-", "+");
      assert.deepEqual(log.map(([id]) => id), log.map((_, i) => `${i + 1}-0`));
      const last = log.at(-1)![1];
      assert.equal(Number(last[last.indexOf("ev") + 1]), seqs.at(-1), "the last broadcast was stored");
    } finally {
      side.disconnect();
    }
  } finally {
    await Promise.all(players.map((p) => p.stop()));
    if (node !== null) await node.stop();
    await redis.stop();
  }
});
