// The store observer sees every append's result kind and time and every grant of a room that had a holder,
// while the store behind it answers exactly as it would alone (an answer known at once stays known).

import assert from "node:assert/strict";
import { memoryStore } from "../../src/store/memory_store.ts";
import { observedStore } from "../../src/store/observed_store.ts";
import type { AppendResult, Grant, LogEntry, Store } from "../../src/store/ports.ts";
import { knownAnswer, NOT_KNOWN, StoreError } from "../../src/store/ports.ts";
import { WriteHealth } from "../../src/store/write_health.ts";

function entry(actionId: string): LogEntry {
  return { actionId, at: 1, eventSeq: 1, data: { type: "chat" } };
}

function observe(store: Store) {
  const appended: [string, number][] = [];
  const tookOver: Grant[] = [];
  let clock = 0;
  let reads = 0;
  const observed = observedStore(store, {
    appended: (outcome, seconds) => appended.push([outcome, seconds]),
    tookOver: (grant) => tookOver.push(grant),
  }, () => {
    reads += 1;
    return clock += 5; // Each reading is 5 ms after the last: an append the store answers later takes 5 ms.
  });
  return { observed, appended, tookOver, clockReads: () => reads };
}

async function granted(store: Store, roomId: string): Promise<Grant> {
  const acquired = await store.ownership.acquire(roomId, "node");
  assert.equal(acquired.kind, "granted");
  return (acquired as { grant: Grant }).grant;
}

Deno.test("every append's result kind reaches the observer with its time, and the store's answer is unchanged", async () => {
  const { observed, appended, clockReads } = observe(memoryStore());
  await observed.log.create({ roomId: "r", createdAt: 1, data: {} });
  const first = await granted(observed, "r");
  const results: AppendResult[] = [
    await observed.log.append(first, 1, entry("a")),
    await observed.log.append(first, 1, entry("a")), // the same action again
    await observed.log.append(first, 5, entry("b")), // not head + 1
  ];
  const second = await granted(observed, "r"); // another holder: the first grant is now stale
  results.push(await observed.log.append(first, 2, entry("c")));
  await observed.log.finish(second);
  results.push(await observed.log.append(second, 2, entry("d")));
  results.push(await observed.log.append({ ...second, roomId: "nowhere" }, 1, entry("e")));

  assert.deepEqual(results.map((r) => r.kind), [
    "ok",
    "duplicate",
    "conflict",
    "fenced",
    "finished",
    "not_found",
  ]);
  assert.deepEqual(results[1], { kind: "duplicate", seq: 1 });
  assert.deepEqual(results[2], { kind: "conflict", head: 1 });
  // The memory store answers before it returns: observed as taking no time, without reading the clock.
  assert.deepEqual(appended, results.map((r) => [r.kind, 0]));
  assert.equal(clockReads(), 0, "no clock read for an answer known at once");
  assert.deepEqual(
    (await observed.log.read("r", 0, 10)).map((e) => e.actionId),
    ["a"],
    "nothing else stored",
  );
});

Deno.test("a failing append is reported as error and still rejects with the store's error", async () => {
  const store = memoryStore();
  const failing: Store = {
    ...store,
    log: { ...store.log, append: () => Promise.reject(new StoreError("disk full")) },
  };
  const { observed, appended } = observe(failing);
  await observed.log.create({ roomId: "r", createdAt: 1, data: {} });
  const grant = await granted(observed, "r");
  await assert.rejects(observed.log.append(grant, 1, entry("a")), /disk full/);
  assert.deepEqual(appended, [["error", 0.005]]);
});

Deno.test("a grant counts as a takeover only when the room had a holder before", async () => {
  const { observed, tookOver } = observe(memoryStore());
  await observed.log.create({ roomId: "r", createdAt: 1, data: {} });
  const first = await granted(observed, "r");
  assert.equal(first.epoch, 1);
  assert.deepEqual(tookOver, [], "the room's first grant is no takeover");
  assert.equal((await observed.ownership.acquire("missing", "node")).kind, "not_found");
  const second = await granted(observed, "r");
  assert.deepEqual(tookOver, [second]);
  assert.equal(await observed.ownership.renew(second), true, "renew and release pass through");
  assert.equal(await observed.ownership.renew(first), false);
  await observed.ownership.release(second);
  assert.equal(tookOver.length, 1);
});

Deno.test("an answer the store knew at once is observed at once and passed on still readable", async () => {
  const { observed, appended } = observe(memoryStore());
  await observed.log.create({ roomId: "r", createdAt: 1, data: {} });
  const grant = await granted(observed, "r");
  const answer = observed.log.append(grant, 1, entry("a"));
  assert.deepEqual(knownAnswer(answer), { kind: "ok", seq: 1 }, "readable without waiting");
  assert.deepEqual(appended, [["ok", 0]], "observed before any reaction ran");

  const health = new WriteHealth();
  const watched = health.watch(observed);
  const second = watched.log.append(grant, 2, entry("b"));
  assert.deepEqual(
    knownAnswer(second),
    { kind: "ok", seq: 2 },
    "still readable through the write-health watch",
  );
  assert.equal(health.failure, null);
  assert.deepEqual(await second, { kind: "ok", seq: 2 }, "and still a promise of the same answer");
});

Deno.test("an append answered through a wrapper's own promise is not known at once, and is observed when it settles", async () => {
  const inner = memoryStore();
  const slow: Store = {
    ...inner,
    log: { ...inner.log, append: async (grant, seq, e) => await inner.log.append(grant, seq, e) },
  };
  const { observed, appended } = observe(slow);
  await observed.log.create({ roomId: "r", createdAt: 1, data: {} });
  const grant = await granted(observed, "r");
  const answer = observed.log.append(grant, 1, entry("a"));
  assert.equal(knownAnswer(answer), NOT_KNOWN);
  assert.deepEqual(appended, [], "not observed before it settles");
  assert.equal((await answer).kind, "ok");
  assert.deepEqual(appended, [["ok", 0.005]]);
});
