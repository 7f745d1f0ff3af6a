// A room that closes for good gives its lease up: the node stops renewing it and Redis forgets it, so a node's
// leases follow its open rooms rather than every game it ever hosted. The id opens again as its next log, and
// another node's /api/stats names that log's owner.

import assert from "node:assert/strict";
import { connectRedis, parseRedisUrl } from "../../src/store/redis_connection.ts";
import { roomKeys } from "../../src/store/redis_keys.ts";
import { scrapeMetrics } from "../support/prometheus_text.ts";
import type { ServerProcess } from "../support/server_process.ts";
import { until } from "../support/waiting.ts";
import { TestClient } from "../support/ws_client.ts";
import { startNode } from "./cluster_fixture.ts";
import { startRedis } from "./redis_server.ts";

const TOKEN = "closed-room-admin-token-0123456789";

interface Listed {
  room_id: string;
  owner: { node: string | null; epoch: number; leased: boolean } | null;
}

async function leasesHeld(node: ServerProcess): Promise<number | undefined> {
  return (await scrapeMetrics(node.url)).get("liaptui_leases_held");
}

async function joinAs(node: ServerProcess, room: string, name: string): Promise<TestClient> {
  const client = await TestClient.connect(`${node.wsUrl}/ws/${room}`);
  await client.next("connected");
  client.send("join_room", { player_name: name, as: "player" });
  await client.next("joined_room");
  return client;
}

Deno.test("a closed room's lease is released: leases held falls back to the open rooms and Redis forgets it", async () => {
  const redis = await startRedis();
  const address = parseRedisUrl(redis.url);
  if (typeof address === "string") throw new Error(address);
  const side = await connectRedis(address, { name: "liaptui:test:side" });
  let node: ServerProcess | null = null;
  let other: ServerProcess | null = null;
  const clients: TestClient[] = [];
  try {
    node = await startNode(redis.url, "node-a");
    other = await startNode(redis.url, "node-b", { env: { LIAPTUI_ADMIN_TOKEN: TOKEN } });
    const staying = await joinAs(node, "stays", "Bo");
    clients.push(staying);
    const leaving = await joinAs(node, "closes", "Ann");
    clients.push(leaving);
    assert.equal(await leasesHeld(node), 2, "one lease per open room");
    assert.notEqual(await side.get(roomKeys("closes").lease), null, "the lease is in Redis");

    // Its only human leaves: the room closes for good, and its log is finished.
    leaving.send("leave_room", {});
    await leaving.next("left_room");
    const live = node;
    await until(async () => (await leasesHeld(live)) === 1 ? true : undefined, "leases held to fall to 1");
    assert.equal(await side.hget(roomKeys("closes").meta, "status"), "finished");
    assert.equal(
      await side.get(roomKeys("closes").lease),
      null,
      "the closed room's lease is gone from Redis",
    );
    assert.notEqual(await side.get(roomKeys("stays").lease), null, "the open room keeps its lease");

    // The id opens again, as its next log, under a lease of its own.
    clients.push(await joinAs(node, "closes", "Cy"));
    assert.equal(await leasesHeld(node), 2);
    assert.notEqual(await side.get(roomKeys("closes~2").lease), null);

    // The other node lists the reopened room with the owner of its current log, not of the finished game.
    const elsewhere = other;
    const listed = await until(async () => {
      const response = await fetch(`${elsewhere.url}/api/stats`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      const stats = await response.json() as { cluster: { listed_elsewhere: Listed[] } };
      return stats.cluster.listed_elsewhere.find((r) => r.room_id === "closes");
    }, "node B to list the reopened room");
    assert.deepEqual(listed.owner, { node: "node-a", epoch: 1, leased: true });
  } finally {
    for (const client of clients) client.close();
    await node?.stop();
    await other?.stop();
    side.disconnect();
    await redis.stop();
  }
});
