// WriteHealth on its own: which writes count, the probe while failing (one at a time, bounded in time), and
// what it reports on each change. Memory store, with appends that can be made to fail.

import assert from "node:assert/strict";
import { WriteHealth, type WriteHealthOptions } from "../../src/store/write_health.ts";
import { faultyStore } from "../support/faulty_store.ts";

const ENTRY = { actionId: "a1", at: 0, eventSeq: 1, data: null };

/** A watched faulty store holding room `r`, owned; `changes` records what the health reported. */
async function ownedRoom(options: Omit<WriteHealthOptions, "changed"> = {}) {
  const { store, failing } = faultyStore();
  const changes: (string | null)[] = [];
  const health = new WriteHealth({ ...options, changed: (failure) => changes.push(failure) });
  const watched = health.watch(store);
  await watched.log.create({ roomId: "r", createdAt: 0, data: null });
  const acquired = await watched.ownership.acquire("r", "node");
  if (acquired.kind !== "granted") throw new Error(`room r not owned: ${acquired.kind}`);
  return { watched, failing, health, changes, grant: acquired.grant };
}

Deno.test("a rejected write marks the store failing; any answer from the store, a refusal too, clears it", async () => {
  const { watched, failing, health, changes, grant } = await ownedRoom();
  assert.equal(await health.writable(), true);

  failing.on = true;
  await assert.rejects(watched.log.append(grant, 1, ENTRY), /disk full/);
  assert.equal(await health.writable(), false, "no probe: it waits for the store's next write");
  assert.equal(health.failure, "disk full (test)");

  failing.on = false;
  const refused = await watched.log.append({ ...grant, epoch: grant.epoch + 5 }, 1, ENTRY);
  assert.equal(refused.kind, "fenced");
  assert.equal(await health.writable(), true, "the store answered, so it can write");
  assert.deepEqual(changes, ["disk full (test)", null], "told once per change");
  assert.equal((await watched.log.append(grant, 1, ENTRY)).kind, "ok", "the watched store still writes");
  assert.equal((await watched.log.read("r", 0, 10)).length, 1);
});

Deno.test("while failing, concurrent checks share one probe, and a probe that hangs counts as failed", async () => {
  let runs = 0;
  let release: () => void = () => {};
  const hung = new Promise<void>((resolve) => (release = resolve));
  const probe = () => {
    runs += 1;
    return hung;
  };
  const { watched, failing, health, grant } = await ownedRoom({ probe, probeTimeoutMs: 20 });
  failing.on = true;
  await watched.log.append(grant, 1, ENTRY).catch(() => {});

  assert.deepEqual(await Promise.all([health.writable(), health.writable()]), [false, false]);
  assert.equal(runs, 1, "one probe for both");
  release();
  assert.equal(await health.writable(), true, "the next probe passes");
  assert.equal(runs, 2);
});

Deno.test("a probe that passes after a newer write failed does not clear that failure", async () => {
  let finishProbe: () => void = () => {};
  const probe = () => new Promise<void>((resolve) => (finishProbe = resolve));
  const { watched, failing, health, grant } = await ownedRoom({ probe });
  failing.on = true;
  await watched.log.append(grant, 1, ENTRY).catch(() => {});

  const check = health.writable();
  await watched.log.append(grant, 1, ENTRY).catch(() => {}); // fails while the probe runs
  finishProbe();
  assert.equal(await check, false);
  assert.equal(failing.refused, 2);
});
