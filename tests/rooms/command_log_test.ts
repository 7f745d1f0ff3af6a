// What a room keeps in memory of its stored commands for rollbacks: every command that changes state, but
// chats only by their number, so a long chatty room keeps a bounded log. Memory journal, no room.

import assert from "node:assert/strict";
import { CommandLog } from "../../src/rooms/command_log.ts";
import type { RoomCommand, TimedCommand } from "../../src/rooms/room_command.ts";
import type { RoomJournal } from "../../src/rooms/room_journal.ts";
import { answered } from "../../src/store/ports.ts";
import { tick } from "../support/faulty_store.ts";

const CHATS = 16_000;

/** A journal that stores every append at once, and counts them. */
function memoryJournal() {
  const appended: number[] = [];
  const journal: RoomJournal = {
    logId: "t",
    append: (seq) => {
      appended.push(seq);
      return Promise.resolve();
    },
    archive: () => Promise.resolve(),
    finish: () => Promise.resolve(),
  };
  return { journal, appended };
}

/** A command log of numbered outputs over a journal whose appends `append` answers, and what it delivered. */
function logOver(append: RoomJournal["append"]) {
  const journal: RoomJournal = {
    logId: "t",
    append,
    archive: () => Promise.resolve(),
    finish: () => Promise.resolve(),
  };
  const delivered: number[] = [];
  const log = new CommandLog<number>(journal, {
    deliver: (n) => delivered.push(n),
    lost: () => assert.fail("nothing is lost"),
  });
  return { log, delivered };
}

function timed(at: number, command: RoomCommand): TimedCommand {
  return { at, command };
}

const chat = (at: number) => timed(at, { type: "chat", name: "Ann", message: `line ${at}` });
const join = (at: number, name: string) =>
  timed(at, { type: "join", name, as: "player", connected: true, token: `token-${name}` });

for (const journaled of [false, true]) {
  Deno.test(`${CHATS} stored chats keep a bounded log (${journaled ? "with" : "without"} a journal)`, async () => {
    const store = memoryJournal();
    let delivered = 0;
    const log = new CommandLog<null>(journaled ? store.journal : null, {
      deliver: () => delivered += 1,
      lost: () => assert.fail("nothing is lost"),
    });
    log.add(join(0, "Ann"), 1, null);
    for (let i = 1; i <= CHATS; i++) log.add(chat(i), 1 + i, null);
    log.add(join(CHATS + 1, "Bo"), CHATS + 2, null);
    log.add(chat(CHATS + 2), CHATS + 3, null);
    while (log.settled() !== null && delivered < CHATS + 3) await tick();

    assert.equal(delivered, CHATS + 3, "every command was stored and delivered");
    // With a journal the log numbers every chat; without one nothing is appended.
    const expected = journaled ? Array.from({ length: CHATS + 3 }, (_, k) => k + 1) : [];
    assert.deepEqual(store.appended, expected);
    // Two joins and two runs of chats, not one entry per chat.
    assert.equal(log.accepted().length, 4);
  });
}

Deno.test("a log restored from the store keeps its chats as runs, and numbers the next append after them", async () => {
  const store = memoryJournal();
  const log = new CommandLog<null>(store.journal, {
    deliver: () => {},
    lost: () => assert.fail("nothing is lost"),
  });
  const stored = [join(0, "Ann"), ...Array.from({ length: 500 }, (_, i) => chat(i + 1))];
  log.restored(stored);
  assert.equal(log.accepted().length, 2);

  log.add(join(600, "Bo"), 502, null);
  assert.deepEqual(store.appended, [502], "the next command is the log's 502nd");
  await log.settled();
  assert.equal(log.accepted().length, 3);
});

Deno.test("outputs go out in the order commands were accepted even when their appends answer out of order", async () => {
  // The store takes appends in order; how their answers' reactions are ordered is up to the promises between
  // it and the log (a08cacb's journal answered the first append made after its grant before those queued
  // behind it). An overtaking answer must wait for the ones before it.
  const answers: (() => void)[] = [];
  const { log, delivered } = logOver(() => new Promise<void>((resolve) => answers.push(resolve)));
  log.add(join(0, "Ann"), 1, 1);
  log.add(chat(1), 2, 2);
  log.add(join(2, "Bo"), 3, 3);
  assert.equal(answers.length, 3, "all three were sent");

  answers[2]!();
  await tick();
  assert.deepEqual(delivered, [], "the newest answered first: it waits for the two before it");
  answers[0]!();
  await tick();
  assert.deepEqual(delivered, [1], "the oldest goes out alone: the second has not answered");
  answers[1]!();
  await tick();
  assert.deepEqual(delivered, [1, 2, 3], "then the second, and the third that waited for it");
  assert.equal(log.settled(), null, "nothing is in flight");
  const kept = log.accepted();
  assert.equal(kept.length, 3, "kept in order: Ann's join, a run of one chat, Bo's join");
  assert.ok("command" in kept[0]! && kept[0].command.type === "join" && kept[0].command.name === "Ann");
  assert.ok("chats" in kept[1]! && kept[1].chats === 1);
  assert.ok("command" in kept[2]! && kept[2].command.type === "join" && kept[2].command.name === "Bo");
});

Deno.test("an append answered at once delivers before add() returns, but never ahead of one still in flight", async () => {
  let release: () => void = () => {};
  // The second append waits; every other one is answered before it returns, as a memory store's are.
  const { log, delivered } = logOver((seq) =>
    seq === 2 ? new Promise<void>((resolve) => (release = resolve)) : answered(undefined)
  );

  assert.equal(log.add(join(0, "Ann"), 1, 1), true, "add() says it delivered");
  assert.deepEqual(delivered, [1], "answered at once: delivered before add() returned");
  assert.equal(log.settled(), null, "and nothing is in flight");

  assert.equal(log.add(chat(1), 2, 2), false, "add() says the output is held");
  assert.equal(log.add(chat(2), 3, 3), false, "held behind the one in flight, though answered at once");
  assert.deepEqual(delivered, [1], "the second waits for its answer, and the third waits behind it");
  assert.ok(log.settled() !== null);
  release();
  assert.equal(await log.settled(), true);
  assert.deepEqual(delivered, [1, 2, 3]);

  assert.equal(log.add(chat(3), 4, 4), true);
  assert.deepEqual(delivered, [1, 2, 3, 4], "nothing in flight again: at once");
  assert.equal(log.accepted().length, 2, "Ann's join and one run of three chats");
});
