// A store journal answers appends in the order they were made, also across the moment its grant arrives: a
// new or taken-over room accepts commands while its ownership is still being taken, and the command log
// releases each command's output when its append answers. A store that answers before it returns (in memory)
// is answered at once, but never ahead of an append still waiting.

import assert from "node:assert/strict";
import type { TimedCommand } from "../../src/rooms/room_command.ts";
import { StoreJournals } from "../../src/rooms/room_journal.ts";
import { memoryStore } from "../../src/store/memory_store.ts";
import { knownAnswer, NOT_KNOWN, type Store } from "../../src/store/ports.ts";

const APPENDS = 40;

const chat = (at: number): TimedCommand => ({
  at,
  command: { type: "chat", name: "Ann", message: `line ${at}` },
});

Deno.test("appends made before and after a journal's grant arrives answer in the order they were made", async () => {
  const store = memoryStore();
  let release: () => void = () => {};
  const after = new Promise<void>((resolve) => (release = resolve));
  const journal = new StoreJournals(store, "n1").forNew("r1", 0, { name: "Room", settings: {} }, after);
  const answered: number[] = [];
  const appends: Promise<void>[] = [];
  const append = (seq: number) => {
    appends.push(journal.append(seq, chat(seq), seq, `a${seq}`).then(() => void answered.push(seq)));
  };

  let beforeGrant = 0;
  let afterGrant = 0;
  append(1);
  release();
  // One append per microtask, so some are made while the grant is on its way and some once it is known while
  // earlier ones are still being stored.
  for (let seq = 2; seq <= APPENDS; seq++) {
    await Promise.resolve();
    if (journal.logId === "") beforeGrant += 1;
    else afterGrant += 1;
    append(seq);
  }
  await Promise.all(appends);

  assert.ok(beforeGrant > 0, "some appends were made before the grant");
  assert.ok(afterGrant > 0, "some after it");
  const expected = Array.from({ length: APPENDS }, (_, i) => i + 1);
  assert.deepEqual(answered, expected, "answered in the order they were made");
  const read = await store.log.read(journal.logId, 0, APPENDS + 1);
  assert.deepEqual(read.map((e) => e.eventSeq), expected, "and stored in that order");
});

Deno.test("after answers that had to wait, appends are answered in order, then at once again", async () => {
  const inner = memoryStore();
  // A store that answers in order: while `hold` is set, and behind any answer still held, answers come late
  // (through a promise, so not readable at once); otherwise they are the memory store's own, known at once.
  const held: (() => void)[] = [];
  let hold = false;
  const store: Store = {
    ...inner,
    log: {
      ...inner.log,
      append: (grant, seq, entry) => {
        const answer = inner.log.append(grant, seq, entry);
        if (!hold && held.length === 0) return answer;
        return new Promise<void>((resolve) => held.push(resolve)).then(() => answer);
      },
    },
  };
  const journal = new StoreJournals(store, "n1").forNew("r1", 0, { name: "Room", settings: {} });
  await journal.append(1, chat(1), 1, "a1");
  const answered: number[] = [];
  const append = (seq: number) => {
    const stored = journal.append(seq, chat(seq), seq, `a${seq}`);
    const atOnce = knownAnswer(stored) !== NOT_KNOWN;
    if (atOnce) answered.push(seq);
    else stored.then(() => void answered.push(seq));
    return { stored, atOnce };
  };

  assert.equal(append(2).atOnce, true, "granted, nothing waiting: answered before it returns");
  hold = true;
  const third = append(3);
  hold = false;
  const fourth = append(4);
  assert.equal(third.atOnce, false);
  assert.equal(fourth.atOnce, false, "the third is still waiting, so the fourth waits behind it");
  await Promise.resolve();
  for (const release of held.splice(0)) release();
  await Promise.all([third.stored, fourth.stored]);
  assert.equal(append(5).atOnce, true, "nothing waiting again: back to answers at once");

  assert.deepEqual(answered, [2, 3, 4, 5], "answered in the order they were made");
  const read = await inner.log.read(journal.logId, 0, 10);
  assert.deepEqual(read.map((e) => e.eventSeq), [1, 2, 3, 4, 5], "and stored in that order");
});
