// What an operator sees of a cluster, from two real nodes on a real redis-server: /metrics counts leases held,
// takeovers, and append results (a conflicting and a fenced append each show) in a strict histogram and
// counter; /api/stats names the node and epoch that own each room, here and as listed by the other node.

import assert from "node:assert/strict";
import { connectRedis, parseRedisUrl } from "../../src/store/redis_connection.ts";
import { roomKeys } from "../../src/store/redis_keys.ts";
import { ignoreTarget, type ServerProcess, type Target } from "../support/server_process.ts";
import { type Samples, scrapeMetrics } from "../support/prometheus_text.ts";
import { TestClient } from "../support/ws_client.ts";
import { startNode } from "./cluster_fixture.ts";
import { startRedis } from "./redis_server.ts";

const TOKEN = "test-admin-token-0123456789";

interface Owner {
  node: string | null;
  epoch: number;
  leased: boolean;
}

interface ClusterStats {
  rooms: { room_id: string; owner: Owner | null }[];
  cluster: {
    node: string;
    owners_error: string | null;
    listed_elsewhere: { room_id: string; owner: Owner | null }[];
  };
}

async function stats(node: ServerProcess): Promise<ClusterStats> {
  const response = await fetch(`${node.url}/api/stats`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(response.status, 200);
  return await response.json() as ClusterStats;
}

/** Joins `room` through `node` as `name`; answers the client and its session token. */
async function join(node: ServerProcess, room: string, name: string, clients: TestClient[]) {
  const client = await TestClient.connect(`${node.wsUrl}/ws/${room}`);
  clients.push(client);
  await client.next("connected");
  client.send("join_room", { player_name: name, as: "player" });
  const joined = await client.next("joined_room");
  return { client, token: joined.data!.session_token as string };
}

/**
 * Sends a chat the store refuses with `result`, and /metrics counts it once. A fenced sender hears
 * SERVER_ERROR; a conflict means the log moved ahead of the room, which the node lets go, closing its sockets
 * with 1013 so they come back to a room rebuilt from the log (tests/cluster/diverged_room_test.ts).
 */
async function refusedOnce(node: ServerProcess, client: TestClient, result: "conflict" | "fenced") {
  client.send("chat", { message: "is this stored?" }, "c");
  if (result === "fenced") {
    const error = await client.next("error", (m) => m.id === "c");
    assert.equal(error.error!.code, "SERVER_ERROR");
  } else {
    assert.equal((await client.closed).code, 1013);
  }
  const samples = await scrapeMetrics(node.url);
  for (const kind of ["conflict", "fenced"]) {
    assert.equal(samples.get(`liaptui_store_appends_total{result="${kind}"}`), kind === result ? 1 : 0, kind);
  }
  assertAppendsAdd(samples);
}

/** Every append counted by result is in the latency histogram, and nothing else is. */
function assertAppendsAdd(samples: Samples): void {
  const byResult = [...samples].filter(([key]) => key.startsWith("liaptui_store_appends_total{"));
  assert.equal(byResult.length, 7, "one series per result");
  const total = byResult.reduce((sum, [, n]) => sum + n, 0);
  assert.equal(samples.get("liaptui_store_append_duration_seconds_count"), total);
}

const ownerOf = (rows: { room_id: string; owner: Owner | null }[], room: string) =>
  rows.find((r) => r.room_id === room)?.owner;

for (const target of ["source", "binary"] as Target[]) {
  Deno.test({
    name:
      `[${target}] two nodes: /metrics counts leases, takeovers, conflicting and fenced appends; /api/stats names owners`,
    ignore: ignoreTarget(target),
    fn: () => opsThroughTwoNodes(target),
  });
}

async function opsThroughTwoNodes(target: Target): Promise<void> {
  const redis = await startRedis();
  const address = parseRedisUrl(redis.url);
  if (typeof address === "string") throw new Error(address);
  const side = await connectRedis(address, { name: "liaptui:test:side" });
  const nodes: ServerProcess[] = [];
  const clients: TestClient[] = [];
  try {
    const a = await startNode(redis.url, "node-a", { env: { LIAPTUI_ADMIN_TOKEN: TOKEN }, target });
    nodes.push(a);
    const b = await startNode(redis.url, "node-b", { env: { LIAPTUI_ADMIN_TOKEN: TOKEN }, target });
    nodes.push(b);
    const ann = await join(a, "x", "Ann", clients);
    const cy = await join(a, "z", "Cy", clients);
    const bo = await join(b, "y", "Bo", clients);

    const metricsA = await scrapeMetrics(a.url);
    assert.equal(metricsA.get("liaptui_leases_held"), 2, "node A holds x and z");
    assert.equal(metricsA.get("liaptui_lease_takeovers_total"), 0);
    assert.ok(metricsA.get('liaptui_store_appends_total{result="ok"}')! >= 2, "the joins were appended");
    assertAppendsAdd(metricsA);
    assert.equal((await scrapeMetrics(b.url)).get("liaptui_leases_held"), 1);

    const statsA = await stats(a);
    assert.equal(statsA.cluster.node, "node-a");
    assert.equal(statsA.cluster.owners_error, null);
    assert.deepEqual(ownerOf(statsA.rooms, "x"), { node: "node-a", epoch: 1, leased: true });
    assert.deepEqual(ownerOf(statsA.rooms, "z"), { node: "node-a", epoch: 1, leased: true });
    // Node B's lobby lists node A's rooms once the shared listing reaches it; its stats name their owner.
    let statsB = await stats(b);
    for (let i = 0; i < 200 && ownerOf(statsB.cluster.listed_elsewhere, "x") === undefined; i++) {
      await new Promise((r) => setTimeout(r, 25));
      statsB = await stats(b);
    }
    assert.deepEqual(ownerOf(statsB.rooms, "y"), { node: "node-b", epoch: 1, leased: true });
    assert.deepEqual(ownerOf(statsB.cluster.listed_elsewhere, "x"), {
      node: "node-a",
      epoch: 1,
      leased: true,
    });
    assert.equal(ownerOf(statsB.cluster.listed_elsewhere, "y"), undefined, "its own room is not elsewhere");

    // Room z's head moves behind node A's back: A's next append expects the old head + 1 and conflicts.
    await side.hincrby(roomKeys("z").meta, "seq", 1);
    await refusedOnce(a, cy.client, "conflict");

    // Node A dies; its lease on x lapses (deleted here rather than waited for), and Ann comes back on B.
    await a.stop("SIGKILL");
    await side.del(roomKeys("x").lease);
    const back = await TestClient.connect(`${b.wsUrl}/ws/x?token=${ann.token}`);
    clients.push(back);
    await back.next("connected");
    await back.next("game_state");
    const metricsB = await scrapeMetrics(b.url);
    assert.equal(metricsB.get("liaptui_lease_takeovers_total"), 1);
    assert.equal(metricsB.get("liaptui_leases_held"), 2, "node B holds y and x");
    statsB = await stats(b);
    assert.deepEqual(ownerOf(statsB.rooms, "x"), { node: "node-b", epoch: 2, leased: true });

    // Another grant of room y (as a node that took it over would get) fences node B's appends for it.
    await side.hincrby(roomKeys("y").meta, "epoch", 1);
    await refusedOnce(b, bo.client, "fenced");
    statsB = await stats(b);
    assert.equal(ownerOf(statsB.rooms, "y")?.epoch, 2, "stats read the epoch Redis holds");
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    for (const node of nodes) await node.stop();
    side.disconnect();
    await redis.stop();
  }
}
