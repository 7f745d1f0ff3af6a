// The Redis lobby: listings as leases that expire on Redis's clock, changes followed by cursor across
// nodes, stale owners refused, and a reader whose cursor was trimmed away told to start over.

import assert from "node:assert/strict";
import { LOBBY_KEYS } from "../../src/store/redis_keys.ts";
import { compareIds, RedisLobby } from "../../src/store/redis_lobby.ts";
import { withRedis } from "./redis_fixture.ts";

const TTL = 60_000;

Deno.test("a listing put on one node is in every node's snapshot and changes, and a refresh is not a change", async () => {
  await withRedis(async ({ client, fns, connect }) => {
    const a = new RedisLobby(client, fns, () => 1);
    const b = new RedisLobby(await connect("node-b"), fns, () => 0);
    const start = await b.snapshot();
    assert.deepEqual(start, { listings: [], cursor: "0-0" });
    await a.put({ roomId: "R1", summary: { name: "one", seats: 1 } }, TTL);
    await a.put({ roomId: "R2", summary: { name: "two" } }, TTL);
    const seen = await b.changes(start.cursor);
    assert.deepEqual(seen.changed, [
      { roomId: "R1", summary: { name: "one", seats: 1 } },
      { roomId: "R2", summary: { name: "two" } },
    ]);
    assert.deepEqual(seen.removed, []);
    await a.put({ roomId: "R1", summary: { name: "one", seats: 1 } }, TTL); // Same summary: a refresh.
    assert.deepEqual(await b.changes(seen.cursor), { changed: [], removed: [], cursor: seen.cursor });
    await a.put({ roomId: "R1", summary: { name: "one", seats: 2 } }, TTL);
    const next = await b.changes(seen.cursor);
    assert.deepEqual(next.changed, [{ roomId: "R1", summary: { name: "one", seats: 2 } }]);
    assert.ok(compareIds(next.cursor, seen.cursor) > 0);
    const snapshot = await b.snapshot();
    assert.deepEqual(snapshot.listings.map((l) => l.roomId), ["R1", "R2"]);
    assert.equal(snapshot.cursor, next.cursor, "a snapshot's cursor continues exactly after it");
  });
});

Deno.test("remove() takes a listing down with a change; a room put then removed reads as removed", async () => {
  await withRedis(async ({ client, fns }) => {
    const lobby = new RedisLobby(client, fns, () => 1);
    const { cursor } = await lobby.snapshot();
    await lobby.put({ roomId: "R1", summary: {} }, TTL);
    await lobby.remove("R1");
    assert.deepEqual(await lobby.changes(cursor).then((c) => [c.changed, c.removed]), [[], ["R1"]]);
    assert.deepEqual((await lobby.snapshot()).listings, []);
  });
});

Deno.test("a listing its owner stops refreshing expires by itself, as a change every node sees", async () => {
  await withRedis(async ({ client, fns, connect }) => {
    const owner = new RedisLobby(client, fns, () => 1);
    const reader = new RedisLobby(await connect("reader"), fns, () => 0);
    await owner.put({ roomId: "keep", summary: { n: 1 } }, TTL);
    const { cursor } = await reader.snapshot();
    await owner.put({ roomId: "gone", summary: { n: 2 } }, 30);
    let removed: string[] = [];
    let next = cursor;
    // Wait for the event (Redis's clock passing the expiry), checking as any node's lobby loop does.
    while (removed.length === 0) {
      const changes = await reader.changes(next);
      next = changes.cursor;
      removed = changes.removed;
      if (removed.length === 0) await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(removed, ["gone"]);
    assert.deepEqual((await reader.snapshot()).listings.map((l) => l.roomId), ["keep"]);
    // A new owner puts it back: the room is listed again.
    await new RedisLobby(client, fns, () => 2).put({ roomId: "gone", summary: { n: 3 } }, TTL);
    assert.deepEqual((await reader.changes(next)).changed, [{ roomId: "gone", summary: { n: 3 } }]);
  });
});

Deno.test("an older owner's put or remove is refused: it cannot bring back a stale summary", async () => {
  await withRedis(async ({ client, fns }) => {
    let epoch = 2;
    const lobby = new RedisLobby(client, fns, () => epoch);
    await lobby.put({ roomId: "R1", summary: { v: "new owner" } }, TTL);
    epoch = 1;
    await lobby.put({ roomId: "R1", summary: { v: "stale" } }, TTL);
    await lobby.remove("R1");
    assert.deepEqual((await lobby.snapshot()).listings, [{ roomId: "R1", summary: { v: "new owner" } }]);
    assert.equal(await client.xlen(LOBBY_KEYS.ev), 1, "the refused writes left no change behind");
  });
});

Deno.test("a reader whose cursor fell behind a trimmed change stream gets the whole listing with reset", async () => {
  await withRedis(async ({ client, fns }) => {
    const lobby = new RedisLobby(client, fns, () => 1);
    await lobby.put({ roomId: "R1", summary: { v: 1 } }, TTL);
    const { cursor } = await lobby.snapshot();
    await lobby.put({ roomId: "R2", summary: { v: 1 } }, TTL);
    await lobby.put({ roomId: "R3", summary: { v: 1 } }, TTL);
    await lobby.remove("R3");
    await client.xtrim(LOBBY_KEYS.ev, "MAXLEN", 1); // What MAXLEN ~ does to a reader that is far behind.
    const changes = await lobby.changes(cursor);
    assert.equal(changes.reset, true);
    assert.deepEqual(changes.changed.map((l) => l.roomId), ["R1", "R2"]);
    const after = await lobby.changes(changes.cursor);
    assert.deepEqual(after, { changed: [], removed: [], cursor: changes.cursor }, "and then carries on");
  });
});

Deno.test("compareIds orders stream ids by time, then sequence", () => {
  assert.equal(compareIds("5-0", "5-0"), 0);
  assert.equal(compareIds("5-1", "5-0"), 1);
  assert.equal(compareIds("10-0", "9-99"), 1);
  assert.equal(compareIds("0-0", "1-0"), -1);
});
