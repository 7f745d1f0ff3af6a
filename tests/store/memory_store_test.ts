// The memory store against the port contract, and its window option.

import assert from "node:assert/strict";
import { memoryStore } from "../../src/store/memory_store.ts";
import { type Grant, knownAnswer, NOT_KNOWN, type Store, StoreError } from "../../src/store/ports.ts";
import { entry, runStoreConformance } from "./conformance.ts";
import { grantedRoom } from "../support/store_room.ts";

runStoreConformance("memoryStore", () => {
  const store = memoryStore();
  return Promise.resolve({ store, dispose: () => store.close() });
});

// Within its window a windowed store keeps the whole contract (no clause reads back more than 100 entries).
runStoreConformance("memoryStore keeping 100 entries", () => {
  const store = memoryStore({ keptEntries: 100 });
  return Promise.resolve({ store, dispose: () => store.close() });
});

Deno.test("memoryStore answers every append before it returns, refusals too, with what the promise resolves to", async () => {
  const store = memoryStore();
  const grant = await grantedRoom(store, "R1");
  const appends = [
    store.log.append(grant, 1, entry(1)),
    store.log.append(grant, 2, entry(1)), // the same action id again
    store.log.append(grant, 5, entry(2)), // not head + 1
    store.log.append({ ...grant, epoch: grant.epoch + 1 }, 2, entry(2)),
    store.log.append({ ...grant, roomId: "nowhere" }, 1, entry(2)),
  ];
  const known = appends.map((a) => knownAnswer(a));
  assert.deepEqual(known.map((k) => k === NOT_KNOWN ? "not known" : k.kind), [
    "ok",
    "duplicate",
    "conflict",
    "fenced",
    "not_found",
  ]);
  assert.deepEqual(await Promise.all(appends), known);
});

// A store keeping a window of each log (what a server without a data directory uses, with a window of 0).

async function windowed(keptEntries: number): Promise<{ store: Store; grant: Grant }> {
  const store = memoryStore({ keptEntries });
  return { store, grant: await grantedRoom(store, "R1", { node: "node", data: { name: "R1" } }) };
}

Deno.test("memoryStore keptEntries: only the newest entries are read back; the head counts every one", async () => {
  const { store, grant } = await windowed(3);
  for (let n = 1; n <= 10; n++) {
    assert.deepEqual(await store.log.append(grant, n, entry(n)), { kind: "ok", seq: n });
  }
  assert.equal(await store.log.head("R1"), 10);
  assert.deepEqual((await store.log.read("R1", 7, 10)).map((e) => e.seq), [8, 9, 10]);
  assert.deepEqual((await store.log.read("R1", 8, 1)).map((e) => e.data), [entry(9).data]);
  assert.deepEqual(await store.log.read("R1", 10, 10), []);
  assert.deepEqual(await store.log.append(grant, 12, entry(12)), { kind: "conflict", head: 10 });
});

Deno.test("memoryStore keptEntries: a read from before the window rejects instead of returning a hole", async () => {
  const { store, grant } = await windowed(3);
  for (let n = 1; n <= 5; n++) await store.log.append(grant, n, entry(n));
  await assert.rejects(() => store.log.read("R1", 0, 100), StoreError);
  await assert.rejects(() => store.log.read("R1", 1, 100), /entries 2 to 2 are gone/);
  assert.deepEqual((await store.log.read("R1", 2, 100)).map((e) => e.seq), [3, 4, 5]);
});

Deno.test("memoryStore keptEntries: an action id still in the window is a duplicate; one dropped is not", async () => {
  const { store, grant } = await windowed(2);
  for (let n = 1; n <= 4; n++) await store.log.append(grant, n, entry(n));
  assert.deepEqual(await store.log.append(grant, 5, entry(5, { actionId: "a4" })), {
    kind: "duplicate",
    seq: 4,
  });
  assert.deepEqual(await store.log.append(grant, 5, entry(5, { actionId: "a1" })), { kind: "ok", seq: 5 });
});

Deno.test("memoryStore keptEntries: a long log keeps its window and nothing more", async () => {
  const { store, grant } = await windowed(50);
  for (let n = 1; n <= 5_000; n++) await store.log.append(grant, n, entry(n));
  const tail = await store.log.read("R1", 4_950, 1_000);
  assert.deepEqual(tail.map((e) => e.seq), Array.from({ length: 50 }, (_, i) => 4_951 + i));
  await assert.rejects(() => store.log.read("R1", 4_949, 1_000), StoreError);
});

Deno.test("memoryStore keptEntries 0: appends keep their order, fencing and finish, and nothing is kept", async () => {
  const { store, grant } = await windowed(0);
  assert.deepEqual(await store.log.append(grant, 1, entry(1)), { kind: "ok", seq: 1 });
  assert.deepEqual(await store.log.append(grant, 1, entry(2)), { kind: "conflict", head: 1 });
  await assert.rejects(() => store.log.read("R1", 0, 10), StoreError);
  assert.deepEqual(await store.log.read("R1", 1, 10), []);
  const second = await store.ownership.acquire("R1", "other");
  assert.equal(second.kind, "granted");
  assert.equal((await store.log.append(grant, 2, entry(2))).kind, "fenced");
  if (second.kind !== "granted") return;
  assert.equal(second.grant.head, 1);
  assert.deepEqual(await store.log.finish(second.grant), { kind: "ok", seq: 1 });
  assert.deepEqual(await store.log.append(second.grant, 2, entry(2)), { kind: "finished" });
  assert.equal(await store.log.head("R1"), 1);
});

Deno.test("memoryStore keptEntries: finish drops a finished log's window, its head stays", async () => {
  const { store, grant } = await windowed(10);
  for (let n = 1; n <= 3; n++) await store.log.append(grant, n, entry(n));
  await store.log.finish(grant);
  assert.equal((await store.log.room("R1"))?.head, 3);
  await assert.rejects(() => store.log.read("R1", 0, 10), StoreError);
});
