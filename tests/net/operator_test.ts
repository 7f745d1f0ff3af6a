// The operator's statistics in cluster mode: each room here names the owner the store reports (under the
// room's log id), rooms other nodes list are shown with theirs, and a store that cannot answer is reported
// without failing the statistics. A single server's statistics carry no owners.

import assert from "node:assert/strict";
import { createLogger } from "../../src/net/logger.ts";
import { type ClusterOwners, Operator, type RoomOwnerView } from "../../src/net/operator.ts";
import { makeGateway } from "./fakes.ts";

const quiet = createLogger({ level: "error", format: "text", write: () => {}, now: () => 0 });

function withRooms() {
  const harness = makeGateway();
  for (const [room, name] of [["r1", "Ann"], ["r2", "Bo"]]) {
    harness.connect(room!).send({ event: "join_room", data: { player_name: name, as: "player" } });
  }
  return harness;
}

Deno.test("cluster stats name the owner and epoch the store reports for each room here", async () => {
  const harness = withRooms();
  const asked: string[][] = [];
  const cluster: ClusterOwners = {
    nodeId: "node-a",
    owners(ids) {
      asked.push([...ids]);
      return Promise.resolve(
        new Map<string, RoomOwnerView>([["r1", { node: "node-a", epoch: 2, leased: true }]]),
      );
    },
  };
  const stats = await new Operator(harness.gateway, harness.clock, quiet, cluster).stats();
  assert.deepEqual(asked, [["r1", "r2"]], "one read for every room here");
  assert.ok("cluster" in stats);
  assert.deepEqual(stats.rooms.map((r) => [r.room_id, r.owner]), [
    ["r1", { node: "node-a", epoch: 2, leased: true }],
    ["r2", null],
  ]);
  assert.deepEqual(stats.cluster, { node: "node-a", owners_error: null, listed_elsewhere: [] });
  harness.gateway.shutdown();
});

Deno.test("cluster stats still answer when the store cannot say who owns what, and say why", async () => {
  const harness = withRooms();
  const cluster: ClusterOwners = { nodeId: "node-a", owners: () => Promise.reject(new Error("redis: down")) };
  const stats = await new Operator(harness.gateway, harness.clock, quiet, cluster).stats();
  assert.ok("cluster" in stats);
  assert.equal(stats.cluster.owners_error, "redis: down");
  assert.deepEqual(stats.rooms.map((r) => r.owner), [null, null]);
  assert.equal(stats.overall.rooms, 2);
  harness.gateway.shutdown();
});

Deno.test("a single server's stats carry no owners and no cluster section", async () => {
  const harness = withRooms();
  const stats = await new Operator(harness.gateway, harness.clock, quiet).stats();
  assert.ok(!("cluster" in stats));
  assert.ok(stats.rooms.every((r) => !("owner" in r)));
  assert.equal(stats.rooms.length, 2);
  harness.gateway.shutdown();
});
