// The lobby across nodes on a real redis-server: a public room on node A shows up in node B's lobby (created,
// updated, removed), a listing whose owner stops refreshing expires from every lobby by itself, and comes
// back when another node takes the room.

import assert from "node:assert/strict";
import { FakeClock } from "../../src/rooms/clock.ts";
import { LobbyMirror } from "../../src/rooms/lobby_mirror.ts";
import type { RoomSummary } from "../../src/rooms/room_views.ts";
import { RedisLobby } from "../../src/store/redis_lobby.ts";
import { withRedis } from "./redis_fixture.ts";
import type { RedisFixture } from "./redis_fixture.ts";

function summary(roomId: string, spectators = 0): RoomSummary {
  return {
    room_id: roomId,
    room_name: roomId,
    host: "Ann",
    seats: [null, null, null, null],
    spectators,
    phase: "WAITING",
    is_public: true,
    created_at: 1,
  } as RoomSummary;
}

async function node(fixture: RedisFixture, name: string, epoch: number, ttlMs: number) {
  const rooms = new Map<string, RoomSummary>();
  const events: { event: string; roomId: string }[] = [];
  const lobby = new RedisLobby(await fixture.connect(name), fixture.fns, () => epoch);
  const mirror = new LobbyMirror({
    lobby,
    clock: new FakeClock(),
    ttlMs,
    output: {
      lobbyEvent: (event, data) => events.push({ event, roomId: (data as { room_id: string }).room_id }),
    },
    isLocal: (id) => rooms.has(id),
    localSummaries: () => [...rooms.values()],
  });
  await mirror.start();
  return { rooms, events, mirror };
}

/** Polls until `until` holds (the events come from Redis, by real time for expiry), bounded. */
async function pollUntil(mirror: LobbyMirror, until: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !until(); i++) {
    await mirror.poll();
    if (!until()) await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(until(), "timed out polling the lobby");
}

Deno.test("a public room on one node is created, updated and removed in another node's lobby", async () => {
  await withRedis(async (fixture) => {
    const a = await node(fixture, "node-a", 1, 60_000);
    const b = await node(fixture, "node-b", 0, 60_000);
    try {
      a.rooms.set("R1", summary("R1"));
      a.mirror.put(summary("R1"));
      await pollUntil(b.mirror, () => b.events.length >= 1);
      assert.deepEqual(b.events, [{ event: "room_created", roomId: "R1" }]);
      assert.deepEqual(b.mirror.remoteSummaries(), [summary("R1")]);
      await a.mirror.poll();
      assert.deepEqual(a.events, [], "a node does not announce its own rooms twice");
      assert.deepEqual(a.mirror.remoteSummaries(), []);

      a.mirror.put(summary("R1", 3));
      await pollUntil(b.mirror, () => b.events.length >= 2);
      assert.deepEqual(b.events[1], { event: "room_updated", roomId: "R1" });
      assert.equal(b.mirror.remoteSummaries()[0]!.spectators, 3);

      a.rooms.delete("R1");
      a.mirror.remove("R1");
      await pollUntil(b.mirror, () => b.events.length >= 3);
      assert.deepEqual(b.events[2], { event: "room_removed", roomId: "R1" });
      assert.deepEqual(b.mirror.remoteSummaries(), []);
      await a.mirror.poll();
      assert.deepEqual(a.events, [], "nor its own room's removal");
    } finally {
      a.mirror.stop();
      b.mirror.stop();
    }
  });
});

Deno.test("a listing whose node stopped refreshing expires from other lobbies and returns with a new owner", async () => {
  await withRedis(async (fixture) => {
    const a = await node(fixture, "node-a", 1, 40);
    const b = await node(fixture, "node-b", 2, 60_000);
    try {
      a.rooms.set("R2", summary("R2"));
      a.mirror.refresh(); // Then node A dies: no more refreshes.
      a.mirror.stop();
      await pollUntil(b.mirror, () => b.events.some((e) => e.event === "room_removed"));
      assert.deepEqual(b.events, [
        { event: "room_created", roomId: "R2" },
        { event: "room_removed", roomId: "R2" },
      ]);
      // Node B takes the room over (a higher epoch) and lists it: it is back in every lobby.
      b.rooms.set("R2", summary("R2"));
      b.mirror.refresh();
      const c = await node(fixture, "node-c", 0, 60_000);
      try {
        await pollUntil(c.mirror, () => c.mirror.remoteSummaries().length > 0);
        assert.deepEqual(c.mirror.remoteSummaries().map((s) => s.room_id), ["R2"]);
      } finally {
        c.mirror.stop();
      }
    } finally {
      b.mirror.stop();
    }
  });
});
