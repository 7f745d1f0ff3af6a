// A room that closed while its last action waited for the store delivers that action late; if a new room has
// opened under the same id meanwhile, nothing of the old room may reach the new one's sockets or seats.
// Gateway with fake sockets, rooms stored in a memory store whose answers are held back at will.

import assert from "node:assert/strict";
import { StoreJournals } from "../../src/rooms/room_journal.ts";
import { memoryStore } from "../../src/store/memory_store.ts";
import type { Store } from "../../src/store/ports.ts";
import { settle, tick } from "../support/faulty_store.ts";
import { makeGateway } from "./fakes.ts";

/**
 * The memory store, with switches: `answers` holds each append's answer (the entry is stored) until
 * `release()`; `acquires` holds every lease request for good, so a room opened then never reaches its log.
 */
function heldStore() {
  const inner = memoryStore();
  const held = { answers: false, acquires: false };
  const waiting: (() => void)[] = [];
  const store: Store = {
    ...inner,
    log: {
      ...inner.log,
      append: async (grant, seq, entry) => {
        const answer = await inner.log.append(grant, seq, entry);
        if (held.answers) await new Promise<void>((resolve) => waiting.push(resolve));
        return answer;
      },
    },
    ownership: {
      ...inner.ownership,
      acquire: (roomId, owner) =>
        held.acquires ? new Promise(() => {}) : inner.ownership.acquire(roomId, owner),
    },
  };
  return { store, held, release: () => waiting.splice(0).forEach((resolve) => resolve()), waiting };
}

/** A gateway on the held store, with Ann joined in room r1. */
async function annInRoom() {
  const { store, held, release, waiting } = heldStore();
  const harness = makeGateway({}, { journals: new StoreJournals(store) });
  const ann = harness.connect("r1");
  ann.send({ event: "join_room", data: { player_name: "Ann" } });
  await settle(() => ann.transport.events("joined_room").length === 1, "Ann joined");
  return { store, harness, ann, held, release, waiting };
}

Deno.test("a closed room's late output reaches no socket or seat of the room opened after it under its id", async () => {
  const { harness, ann, held, release, waiting } = await annInRoom();
  const first = harness.gateway.directory.get("r1");

  // Ann leaves: the room is empty and closes at once; her leave waits for the store.
  held.answers = true;
  held.acquires = true;
  ann.send({ event: "leave_room", data: {} });
  await settle(() => waiting.length === 1, "the leave is stored, its answer held");
  assert.equal(harness.gateway.directory.get("r1"), undefined, "the room closed");

  // Meanwhile someone opens r1 again and takes the name Ann there.
  const newcomer = harness.connect("r1");
  newcomer.send({ event: "join_room", data: { player_name: "Ann" } });
  const second = harness.gateway.directory.get("r1");
  assert.ok(second !== undefined && second !== first, "a new room holds the id");
  assert.equal(newcomer.connection?.playerName, "Ann");

  // The old room's leave is answered: its output goes out now.
  release();
  await settle(() => ann.transport.events("left_room").length === 1, "the old room delivered its leave");
  assert.deepEqual(
    newcomer.transport.frames.map((f) => f.event),
    ["connected"],
    "the old room's player_left did not reach the new room",
  );
  assert.equal(newcomer.connection?.playerName, "Ann", "the new room's Ann was not unseated by the old room");
  assert.equal(harness.gateway.registry.player("r1", "Ann"), newcomer.connection);
  harness.gateway.shutdown();
});

Deno.test("a room opened under an id whose last room is still closing gets a log of its own and takes joins", async () => {
  const { store, harness, ann, held, release, waiting } = await annInRoom();

  held.answers = true;
  ann.send({ event: "leave_room", data: {} });
  await settle(() => waiting.length === 1, "the leave is stored, its answer held");
  const newcomer = harness.connect("r1");
  newcomer.send({ event: "join_room", data: { player_name: "Bo" } });
  // Let the new room's opening run as far as it can while the old room's leave is unanswered.
  for (let i = 0; i < 20; i++) await tick();
  held.answers = false;
  release();

  await settle(
    () => newcomer.transport.events("joined_room").length + newcomer.transport.events("error").length > 0,
    "the join is answered",
  );
  assert.deepEqual(newcomer.transport.errorCodes, [], "the join was stored");
  assert.equal(harness.gateway.directory.get("r1")?.journal?.logId, "r1~2", "the new room has the next log");
  assert.equal((await store.log.room("r1"))?.finished, true, "the old room's log was finished");
  harness.gateway.shutdown();
});
