// A room that closes for good gives its lease up: the node stops renewing it and Redis forgets it, so a node's
// leases follow its open rooms rather than every game it ever hosted; the id opens again as its next log.

import assert from "node:assert/strict";
import { connectRedis, parseRedisUrl } from "../../src/store/redis_connection.ts";
import { roomKeys } from "../../src/store/redis_keys.ts";
import { scrapeMetrics } from "../support/prometheus_text.ts";
import type { ServerProcess } from "../support/server_process.ts";
import { until } from "../support/waiting.ts";
import { TestClient } from "../support/ws_client.ts";
import { startNode } from "./cluster_fixture.ts";
import { startRedis } from "./redis_server.ts";

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
  const clients: TestClient[] = [];
  try {
    node = await startNode(redis.url, "node-a");
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
  } finally {
    for (const client of clients) client.close();
    await node?.stop();
    side.disconnect();
    await redis.stop();
  }
});
