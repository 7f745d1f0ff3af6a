// A room whose Redis log moves ahead of it (an entry it never applied; here written beside the owner, as a bug
// or a lost answer would leave it): its next append is refused as `conflict`, the node lets the room go (lease
// released, sockets closed with 1013), the player comes back, and the room, rebuilt from the log, goes on with
// the entry included: the player is replayed it in order and plays on; nothing stuck, no seq gap.

import assert from "node:assert/strict";
import type { WebSocketConstructor } from "../../src/client/socket_port.ts";
import { roomKeys } from "../../src/store/redis_keys.ts";
import { until, withCluster } from "./cluster_fixture.ts";
import { ChaosPlayer } from "./chaos_player.ts";

const ROOM = "drift";

function chats(player: ChaosPlayer): string[] {
  return player.seen.filter((m) => m.event === "chat").map((m) => String(m.data?.message));
}

Deno.test("[source] a room whose log moved ahead of it is rebuilt from the log, and its player plays on", async () => {
  await withCluster(async ({ side, start }) => {
    const node = await start("node-a");
    const player = new ChaosPlayer(node.wsUrl, ROOM, "Ann", 5, WebSocket as unknown as WebSocketConstructor);
    try {
      await player.join();
      const keys = roomKeys(ROOM);
      const head = Number(await side.hget(keys.meta, "seq"));
      const told = Math.max(...player.bySeq.keys());
      // An entry the owner never applied: a chat line, as the room itself would have logged it.
      const command = { type: "chat", name: "Ann", message: "from the log" };
      await side.xadd(
        keys.log,
        `${head + 1}-0`,
        "a",
        "foreign-1",
        "at",
        String(Date.now()),
        "ev",
        String(told + 1),
        "d",
        JSON.stringify(command),
      );
      await side.hset(keys.ids, "foreign-1", String(head + 1));
      await side.hset(keys.meta, "seq", String(head + 1));

      player.client.sendRaw(JSON.stringify({ event: "chat", data: { message: "refused" } }));
      await until("the player to be let go and come back", () => player.connectedAt.length >= 2);
      await until("the replayed entry", () => chats(player).includes("from the log"));
      assert.match(node.output(), /room drift lost its lease \(its log holds entries it never applied\)/);
      assert.match(node.output(), /took over room drift/);

      player.client.sendRaw(JSON.stringify({ event: "chat", data: { message: "after" } }));
      await until("the next chat", () => chats(player).includes("after"));
      assert.deepEqual(chats(player), ["from the log", "after"], "the refused line was never told");
      assert.equal(player.gaps + player.reconnectGaps + player.repeats, 0, "no seq gap or repeat");
      const log = await side.xrange(keys.log, "-", "+");
      assert.deepEqual(log.map(([id]) => id), log.map((_, i) => `${i + 1}-0`));
    } finally {
      await player.close();
    }
  });
});
