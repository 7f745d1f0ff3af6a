// A room id opened again after its room closed: each opening gets the id's next log generation (`id`,
// `id~2`, `id~3`), the same id any node derives, and lookups by the room id find the current one, on the
// memory and the SQLite stores, across a restart.

import assert from "node:assert/strict";
import { FakeClock } from "../../src/rooms/clock.ts";
import { currentLog, roomIdOfLog } from "../../src/rooms/log_chain.ts";
import { RoomDirectory } from "../../src/rooms/room_directory.ts";
import { StoreJournals } from "../../src/rooms/room_journal.ts";
import { memoryStore } from "../../src/store/memory_store.ts";
import type { Store } from "../../src/store/ports.ts";
import { openSqliteStore } from "../../src/store/sqlite_store.ts";
import { FAST, RecordingOutput } from "./room_fixture.ts";

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function directoryOn(store: Store): RoomDirectory {
  const output = new RecordingOutput();
  return new RoomDirectory({
    clock: new FakeClock(),
    output,
    lobby: output,
    seed: () => 5,
    journals: new StoreJournals(store),
  });
}

/** Opens `id` with Ann in it and waits until the store has the join; answers the room's log id. */
async function openWithAnn(directory: RoomDirectory, id: string): Promise<string> {
  const room = directory.create(id, FAST, id);
  assert.ok(room.join("Ann", "player").ok);
  assert.equal(await room.stored(), null, "the join is stored, not refused by a closed log");
  return room.journal!.logId;
}

/** Ann leaves, so the room closes and its log is finished. */
async function closeIt(directory: RoomDirectory, id: string): Promise<void> {
  const room = directory.get(id)!;
  room.leave("Ann");
  await room.stored();
  assert.equal(directory.get(id), undefined, "closed when its last human left");
  await tick(); // The store is told the log is finished.
  await tick();
}

async function reopenTwice(store: Store): Promise<void> {
  const directory = directoryOn(store);
  const logIds: string[] = [];
  logIds.push(await openWithAnn(directory, "friday"));
  await closeIt(directory, "friday");
  logIds.push(await openWithAnn(directory, "friday"));
  await closeIt(directory, "friday");
  logIds.push(await openWithAnn(directory, "friday"));
  assert.deepEqual(logIds, ["friday", "friday~2", "friday~3"]);
  assert.deepEqual(logIds.map(roomIdOfLog), ["friday", "friday", "friday"]);

  const found = await currentLog(store.log, "friday");
  assert.equal(found.logId, "friday~3", "the lookup by room id finds the open generation");
  assert.equal(found.record?.finished, false);
  assert.equal(found.record?.head, 1);
  for (const earlier of ["friday", "friday~2"]) assert.equal((await store.log.room(earlier))?.finished, true);
  assert.deepEqual((await store.log.unfinished()).map((r) => r.meta.roomId), ["friday~3"]);
  // Another room whose own id looks like a generation's cannot exist: `~` is not allowed in a room id.
  assert.equal((await currentLog(store.log, "saturday")).record, null);
  directory.dispose();

  // A restart rebuilds the room under the id players know, from its third log.
  const restarted = directoryOn(store);
  const report = await restarted.restore();
  assert.deepEqual(report, { rooms: 1, entries: 1, failed: [] });
  const room = restarted.get("friday");
  assert.ok(room !== undefined, "rebuilt under its public id");
  assert.equal(room.journal!.logId, "friday~3");
  assert.ok(room.reconnect("Ann").ok);
  restarted.dispose();
}

Deno.test("memory store: a room id opened three times lives in friday, friday~2, friday~3", async () => {
  await reopenTwice(memoryStore());
});

Deno.test("SQLite store: a room id opened three times lives in friday, friday~2, friday~3, across a restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "liaptui-reopen-" });
  const store = openSqliteStore(dir);
  try {
    await reopenTwice(store);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
