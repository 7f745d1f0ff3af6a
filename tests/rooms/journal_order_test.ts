// A store journal answers appends in the order they were made, also across the moment its grant arrives: a
// new or taken-over room accepts commands while its ownership is still being taken, and the command log
// releases each command's output when its append answers.

import assert from "node:assert/strict";
import type { TimedCommand } from "../../src/rooms/room_command.ts";
import { StoreJournals } from "../../src/rooms/room_journal.ts";
import { memoryStore } from "../../src/store/memory_store.ts";

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
