// Split brain: the owner is paused (SIGSTOP) past its lease, the other node takes the table over and the
// players carry on there; when the old owner wakes up it notices it lost the room and stops, and its old
// sockets hear nothing more: no broadcast of the stale owner ever carries a seq the new owner also used.

import assert from "node:assert/strict";
import { roomKeys } from "../../src/store/redis_keys.ts";
import { AutoPlayer } from "../support/auto_player.ts";
import { TestClient } from "../support/ws_client.ts";
import { broadcastSeqs, seatFour, until, withCluster } from "./cluster_fixture.ts";

const NAMES = ["Ann", "Bo", "Cy", "Di"];
const ROOM = "paused";

Deno.test("[source] an owner paused past its lease is replaced, then fences itself: its old sockets hear nothing", async () => {
  await withCluster(async ({ side, start, pause, resume }) => {
    const stale: AutoPlayer[] = [];
    const players: AutoPlayer[] = [];
    try {
      const a = await start("node-a");
      const b = await start("node-b");
      stale.push(...await seatFour(a.wsUrl, ROOM, 300));
      const host = stale[0]!.client;
      host.send("start_game", { fill_with_bots: false });
      await host.next("round_scores", () => true, 30_000);
      for (const player of stale) player.silent = true;
      for (const player of stale) await player.client.roundTrip();
      const tokens = stale.map((p) =>
        p.client.received.find((m) => m.event === "joined_room")!.data!.session_token as string
      );
      const lastSeq = Math.max(...broadcastSeqs(host.received));

      pause(a);
      // The players give up on node A and knock on node B until it takes the table (once A's lease lapses).
      const returned: TestClient[] = [];
      for (const token of tokens) {
        for (let attempt = 0;; attempt++) {
          assert.ok(attempt < 400, "node B never took the table");
          const client = await TestClient.connect(`${b.wsUrl}/ws/${ROOM}?token=${token}`);
          const first = await Promise.race([client.next("connected"), client.next("redirect")]);
          if (first.event === "connected") {
            returned.push(client);
            break;
          }
          await client.close();
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      assert.equal(await side.hget(roomKeys(ROOM).meta, "owner"), "node-b");

      // Node A wakes up: it must notice it lost the room, and say nothing more to its old sockets.
      resume(a);
      await until("node A to fence itself", () => /room paused lost its lease/.test(a.output()));

      for (const [i, name] of NAMES.entries()) {
        players.push(AutoPlayer.adopt(returned[i]!, name, { seed: 600 + i }));
      }
      await returned[0]!.next("game_over", () => true, 60_000);
      for (const player of players) {
        assert.deepEqual(player.refusals, []);
        const seqs = broadcastSeqs(player.client.received);
        assert.ok(seqs[0]! > lastSeq);
        assert.deepEqual(
          seqs,
          seqs.map((_, i) => seqs[0]! + i),
          `${player.name} saw no gap or repeat on node B`,
        );
      }
      for (const player of stale) {
        const late = broadcastSeqs(player.client.received).filter((seq) => seq > lastSeq);
        assert.deepEqual(
          late,
          [],
          `${player.name}'s socket on the stale owner heard nothing after the pause`,
        );
      }
      const log = await side.xrange(roomKeys(ROOM).log, "-", "+");
      assert.deepEqual(log.map(([id]) => id), log.map((_, i) => `${i + 1}-0`), "one log without a gap");
      const actionIds = log.map(([, fields]) => fields[fields.indexOf("a") + 1]);
      assert.equal(new Set(actionIds).size, actionIds.length, "no action stored twice");
    } finally {
      await Promise.all([...players, ...stale].map((p) => p.stop()));
    }
  });
});
