// Two cluster nodes get the first join for one fresh room id at the same moment, 50 times over: exactly one
// node owns each room, the other redirects its socket in-band to the owner at once (no SERVER_ERROR, no
// reconnect needed), keeps no room of its own, and the redirected player joins the same room on the owner.

import assert from "node:assert/strict";
import { roomKeys } from "../../src/store/redis_keys.ts";
import type { ServerProcess } from "../support/server_process.ts";
import { TestClient } from "../support/ws_client.ts";
import { followRedirect, raceJoins, withCluster } from "./cluster_fixture.ts";

const ROUNDS = 50;

async function roomsOn(node: ServerProcess): Promise<number> {
  const health = await (await fetch(`${node.url}/healthz`)).json() as { rooms: number };
  return health.rooms;
}

Deno.test("two nodes race to open the same new room: one owns it, the other redirects at once", async () => {
  await withCluster(async ({ side, start, nodes }) => {
    const clients: TestClient[] = [];
    try {
      const a = await start("node-a");
      const b = await start("node-b");
      const wins = { "node-a": 0, "node-b": 0 };
      for (let round = 0; round < ROUNDS; round++) {
        const room = `race-${round}`;
        const before = { a: await roomsOn(a), b: await roomsOn(b) };
        // Both joins leave together; neither node has the room yet.
        const race = await raceJoins(a, b, room, clients);
        const events = race.answers.map((m) => m.event).sort();
        assert.deepEqual(events, ["joined_room", "redirect"], `round ${round}: one joins, one is redirected`);
        const winner = race.joinedThrough === 0 ? a : b;
        const owner = winner === a ? "node-a" : "node-b";
        wins[owner] += 1;
        assert.equal(race.redirect!.data!.url, `${winner.wsUrl}/n/${owner}/ws/${room}`);
        assert.equal((await race.loser.closed).code, 4010);
        assert.equal(await side.hget(roomKeys(room).meta, "owner"), owner);

        // The redirected player follows and joins the same room on its owner.
        const joined = await followRedirect(race.redirect!, race.loserName, clients);
        const seats = (joined.data!.room as { seats: unknown[] }).seats;
        assert.equal(seats.filter((p) => p !== null).length, 2, `round ${round}: both players in one room`);

        // No orphan: the room lives on the owner only, and its one log holds the two joins.
        const after = { a: await roomsOn(a), b: await roomsOn(b) };
        assert.deepEqual(
          after,
          winner === a ? { a: before.a + 1, b: before.b } : { a: before.a, b: before.b + 1 },
          `round ${round}: one room, on ${owner} only`,
        );
        const log = await side.xrange(roomKeys(room).log, "-", "+");
        assert.deepEqual(log.map(([id]) => id), ["1-0", "2-0"], `${room}: two joins, one log`);
        // The players leave, so sockets stay under the per-address cap across rounds.
        await Promise.all(clients.splice(0).map((c) => c.close()));
      }
      for (const node of nodes) assert.doesNotMatch(node.output(), /could not be owned|log refused/);
      console.log(
        `creation race: ${ROUNDS} rounds, node-a won ${wins["node-a"]}, node-b won ${wins["node-b"]}`,
      );
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});
