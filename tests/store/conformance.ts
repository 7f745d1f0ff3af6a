// The contract of the store ports as tests, for every implementation: call `runStoreConformance` with a name
// and a factory from a test file (memory_store_test.ts, sqlite_store_test.ts, the cluster's Redis tests).

import assert from "node:assert/strict";
import type { FinishedGame, Grant, LogEntry, Store } from "../../src/store/ports.ts";
import { grantedRoom } from "../support/store_room.ts";

/**
 * A fresh, empty store, and how to throw it away after the test (close it, delete its files). A store whose
 * acquire() answers busy while a lease is live (Redis) gives `lapse`, which makes a room's current lease
 * lapse as if its holder had stopped renewing; stores whose acquire() always takes over leave it out.
 */
export type StoreFactory = () => Promise<
  { store: Store; dispose(): Promise<void>; lapse?(roomId: string): Promise<void> }
>;

export function entry(n: number, overrides: Partial<LogEntry> = {}): LogEntry {
  return {
    actionId: `a${n}`,
    at: 1_700_000_000_000 + n,
    eventSeq: n * 2,
    data: { n, kind: "test" },
    ...overrides,
  };
}

function openRoom(store: Store, roomId = "R1"): Promise<Grant> {
  return grantedRoom(store, roomId, { node: "node-a", createdAt: 1_700_000_000_000, data: { name: roomId } });
}

function game(id: string, finishedAt: number): FinishedGame {
  return {
    gameId: id,
    roomId: "R1",
    roomName: "Room one",
    startedAt: finishedAt - 1000,
    finishedAt,
    seed: 42,
    players: ["Ann", "Bo", "Bot 3", "Bot 4"],
    scores: [51, 20, -3, 7],
    winners: ["Ann"],
    rounds: 4,
    actions: [{ type: "start" }],
    settings: { target_score: 50 },
  };
}

/** Registers one Deno test per clause of the contract, each on a fresh store. */
export function runStoreConformance(name: string, factory: StoreFactory): void {
  const test = (
    title: string,
    body: (store: Store, lapse: (roomId: string) => Promise<void>) => Promise<void>,
  ) =>
    Deno.test(`${name}: ${title}`, async () => {
      const { store, dispose, lapse } = await factory();
      try {
        await body(store, lapse ?? (() => Promise.resolve()));
      } finally {
        await dispose();
      }
    });

  test("create() makes an empty room once and then changes nothing", async (store) => {
    const meta = { roomId: "R1", createdAt: 5, data: { name: "first" } };
    assert.deepEqual(await store.log.create(meta), { created: true, head: 0 });
    const grant = (await store.ownership.acquire("R1", "n")) as { kind: "granted"; grant: Grant };
    await store.log.append(grant.grant, 1, entry(1));
    assert.deepEqual(await store.log.create({ ...meta, data: { name: "second" } }), {
      created: false,
      head: 1,
    });
    const room = await store.log.room("R1");
    assert.deepEqual(room, { meta, head: 1, finished: false });
  });

  test("head() and room() answer null for a room never created, and acquire() not_found", async (store) => {
    assert.equal(await store.log.head("nope"), null);
    assert.equal(await store.log.room("nope"), null);
    assert.deepEqual(await store.ownership.acquire("nope", "n"), { kind: "not_found" });
    assert.deepEqual(await store.log.read("nope", 0, 10), []);
  });

  test("append() stores entries at head + 1 and read() returns them in order, paged", async (store) => {
    const grant = await openRoom(store);
    assert.equal(grant.head, 0);
    for (let n = 1; n <= 5; n++) {
      assert.deepEqual(await store.log.append(grant, n, entry(n)), { kind: "ok", seq: n });
    }
    assert.equal(await store.log.head("R1"), 5);
    const all = await store.log.read("R1", 0, 100);
    assert.deepEqual(all, [1, 2, 3, 4, 5].map((n) => ({ ...entry(n), seq: n })));
    assert.deepEqual((await store.log.read("R1", 1, 2)).map((e) => e.seq), [2, 3]);
    assert.deepEqual((await store.log.read("R1", 3, 100)).map((e) => e.seq), [4, 5]);
    assert.deepEqual(await store.log.read("R1", 5, 100), []);
  });

  test("append() with a seq other than head + 1 is a conflict naming the head, and stores nothing", async (store) => {
    const grant = await openRoom(store);
    await store.log.append(grant, 1, entry(1));
    assert.deepEqual(await store.log.append(grant, 3, entry(3)), { kind: "conflict", head: 1 });
    assert.deepEqual(await store.log.append(grant, 1, entry(9)), { kind: "conflict", head: 1 });
    assert.equal(await store.log.head("R1"), 1);
    assert.deepEqual((await store.log.read("R1", 0, 10)).map((e) => e.actionId), ["a1"]);
  });

  test("append() of an action id already stored is a duplicate with its seq, whatever seq it asks for", async (store) => {
    const grant = await openRoom(store);
    await store.log.append(grant, 1, entry(1));
    await store.log.append(grant, 2, entry(2));
    assert.deepEqual(await store.log.append(grant, 3, entry(3, { actionId: "a1" })), {
      kind: "duplicate",
      seq: 1,
    });
    assert.deepEqual(await store.log.append(grant, 7, entry(7, { actionId: "a2" })), {
      kind: "duplicate",
      seq: 2,
    });
    assert.equal(await store.log.head("R1"), 2);
  });

  test(
    "a second acquire() fences the first grant; the new one continues at the head",
    async (store, lapse) => {
      const first = await openRoom(store);
      await store.log.append(first, 1, entry(1));
      await lapse("R1");
      const second = await store.ownership.acquire("R1", "node-b");
      assert.equal(second.kind, "granted");
      if (second.kind !== "granted") return;
      assert.ok(second.grant.epoch > first.epoch);
      assert.equal(second.grant.head, 1);
      assert.deepEqual(await store.log.append(first, 2, entry(2)), {
        kind: "fenced",
        epoch: second.grant.epoch,
      });
      assert.equal(await store.ownership.renew(first), false);
      assert.equal(await store.ownership.renew(second.grant), true);
      assert.deepEqual(await store.log.append(second.grant, 2, entry(2)), { kind: "ok", seq: 2 });
    },
  );

  test(
    "release() ends a grant: its appends are fenced; releasing a stale grant changes nothing",
    async (store, lapse) => {
      const first = await openRoom(store);
      await lapse("R1");
      const second = (await store.ownership.acquire("R1", "n")) as { kind: "granted"; grant: Grant };
      await store.ownership.release(first);
      assert.deepEqual(await store.log.append(second.grant, 1, entry(1)), { kind: "ok", seq: 1 });
      await store.ownership.release(second.grant);
      assert.equal((await store.log.append(second.grant, 2, entry(2))).kind, "fenced");
    },
  );

  test("finish() closes the log: appends answer finished, the room leaves unfinished()", async (store) => {
    const grant = await openRoom(store, "R1");
    await openRoom(store, "R2");
    await store.log.append(grant, 1, entry(1));
    assert.deepEqual((await store.log.unfinished()).map((r) => r.meta.roomId), ["R1", "R2"]);
    assert.deepEqual(await store.log.finish(grant), { kind: "ok", seq: 1 });
    assert.deepEqual(await store.log.append(grant, 2, entry(2)), { kind: "finished" });
    assert.deepEqual((await store.log.unfinished()).map((r) => r.meta.roomId), ["R2"]);
    assert.equal((await store.log.room("R1"))?.finished, true);
    assert.deepEqual(await store.ownership.acquire("R1", "n"), { kind: "not_found" });
    assert.equal(await store.log.head("R1"), 1, "a finished room's log stays readable");
  });

  test("append() to a room never created answers not_found", async (store) => {
    const grant: Grant = { roomId: "ghost", token: "t", epoch: 1, head: 0 };
    assert.deepEqual(await store.log.append(grant, 1, entry(1)), { kind: "not_found" });
  });

  test("appends racing for one seq: exactly one wins, the rest are conflicts", async (store) => {
    const grant = await openRoom(store);
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((n) => store.log.append(grant, 1, entry(n))),
    );
    assert.equal(results.filter((r) => r.kind === "ok").length, 1);
    assert.deepEqual(results.filter((r) => r.kind !== "ok"), Array(4).fill({ kind: "conflict", head: 1 }));
  });

  test("appends in flight together, each at its own seq, all land in order", async (store) => {
    const grant = await openRoom(store);
    const results = await Promise.all([1, 2, 3, 4].map((n) => store.log.append(grant, n, entry(n))));
    assert.deepEqual(results.map((r) => r.kind), ["ok", "ok", "ok", "ok"]);
    assert.deepEqual(
      (await store.log.read("R1", 0, 10)).map((e) => e.data),
      [1, 2, 3, 4].map((n) => entry(n).data),
    );
  });

  test("rooms are independent: seqs, action ids and epochs are per room", async (store, lapse) => {
    const a = await openRoom(store, "A");
    const b = await openRoom(store, "B");
    assert.deepEqual(await store.log.append(a, 1, entry(1)), { kind: "ok", seq: 1 });
    assert.deepEqual(await store.log.append(b, 1, entry(1)), { kind: "ok", seq: 1 });
    await lapse("A");
    assert.equal((await store.ownership.acquire("A", "n")).kind, "granted");
    assert.deepEqual(await store.log.append(b, 2, entry(2)), { kind: "ok", seq: 2 });
  });

  test("a stored entry is a copy: changing the caller's object later rewrites nothing", async (store) => {
    const grant = await openRoom(store);
    const data = { list: [1, 2] };
    await store.log.append(grant, 1, entry(1, { data }));
    data.list.push(3);
    assert.deepEqual((await store.log.read("R1", 0, 1))[0]?.data, { list: [1, 2] });
  });

  test("the archive keeps finished games, pages them newest first, and ignores a second put", async (store) => {
    for (let i = 1; i <= 5; i++) await store.archive.put(game(`g${i}`, 1000 + (i === 5 ? 4 : i) * 10));
    await store.archive.put({ ...game("g1", 1), roomName: "changed" });
    const first = await store.archive.list(2, null);
    assert.deepEqual(first.games.map((g) => g.gameId), ["g5", "g4"]);
    assert.ok(first.next !== null);
    const second = await store.archive.list(2, first.next);
    assert.deepEqual(second.games.map((g) => g.gameId), ["g3", "g2"]);
    const third = await store.archive.list(2, second.next);
    assert.deepEqual(third.games.map((g) => g.gameId), ["g1"]);
    assert.equal(third.next, null);
    assert.deepEqual(await store.archive.get("g1"), game("g1", 1010));
    assert.equal(await store.archive.get("missing"), null);
    assert.equal("actions" in first.games[0]!, false, "a page lists games without their action logs");
  });
}
