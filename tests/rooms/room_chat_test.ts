// A chat goes through the room without the general command pipeline (Room.chat): to an output that encodes it
// from its parts (`broadcastChat`) or, to one that cannot, as the event `#execute` makes. Either way it is the
// same command to the log, numbered in line with every other broadcast, stored before it goes out, replayed
// by a rebuild. Fake clock, recording output, the memory store (answered at once) or one that answers later.

import assert from "node:assert/strict";
import { FakeClock } from "../../src/rooms/clock.ts";
import { RoomDirectory } from "../../src/rooms/room_directory.ts";
import { StoreJournals } from "../../src/rooms/room_journal.ts";
import type { BroadcastOptions } from "../../src/rooms/room_output.ts";
import { RoomErrorCode } from "../../src/rooms/room_errors.ts";
import { memoryStore } from "../../src/store/memory_store.ts";
import type { Store } from "../../src/store/ports.ts";
import { FAST, RecordingOutput } from "./room_fixture.ts";

/** A recording output that takes chats by their parts, as the transport's Delivery does. */
class ChatPartsOutput extends RecordingOutput {
  readonly chatCalls: { seq: number; playerName: string; message: string; closed: boolean }[] = [];

  broadcastChat(
    _roomId: string,
    seq: number,
    playerName: string,
    message: string,
    options?: BroadcastOptions,
  ): void {
    this.chatCalls.push({ seq, playerName, message, closed: options?.closed === true });
    this.flushes.push(1);
    this.delivered.push({ to: "room", event: "chat", data: { player_name: playerName, message }, seq });
  }
}

/** The memory store, whose appends are answered only once `release` runs (as SQLite's are, a commit later). */
function heldStore(): { store: Store; release: () => Promise<void> } {
  const inner = memoryStore();
  let held: (() => void)[] = [];
  return {
    store: {
      ...inner,
      log: {
        ...inner.log,
        append: (grant, seq, entry) => {
          const answer = inner.log.append(grant, seq, entry);
          return new Promise((resolve) => held.push(() => resolve(answer)));
        },
      },
    },
    release: async () => {
      for (const go of held.splice(0)) go();
      held = [];
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
  };
}

function build(output: RecordingOutput, store: Store | null) {
  const clock = new FakeClock();
  const directory = new RoomDirectory({
    clock,
    output,
    lobby: output,
    seed: () => 5,
    ...(store !== null ? { journals: new StoreJournals(store) } : {}),
  });
  return { clock, directory };
}

/** Two players, a chat each, a leave, another chat: what the room broadcast, as [event, seq, detail]. */
async function conversation(output: RecordingOutput, store: Store | null) {
  const { directory } = build(output, store);
  const table = directory.create("t", FAST, "t");
  assert.ok(table.join("Ann", "player").ok);
  assert.ok(table.join("Bo", "player").ok);
  assert.ok(table.chat("Ann", "hello").ok);
  assert.ok(table.chat("Bo", 'a "quoted" line ✓').ok);
  const stranger = table.chat("Cy", "let me in");
  assert.equal(stranger.ok, false);
  assert.equal(!stranger.ok && stranger.error.code, RoomErrorCode.NOT_IN_ROOM);
  assert.ok(table.leave("Bo").ok);
  assert.ok(table.chat("Ann", "bye").ok);
  assert.equal(await table.stored(), null);
  return output.delivered.filter((d) => d.to === "room").map((d) => [
    d.event,
    d.seq,
    d.event === "chat" ? `${d.data.player_name}: ${d.data.message}` : d.data.player_name,
  ]);
}

for (const store of ["none", "memory"] as const) {
  Deno.test(`chats are numbered in line with the room's other broadcasts, by parts or as events (store: ${store})`, async () => {
    const byEvents = await conversation(new RecordingOutput(), store === "none" ? null : memoryStore());
    const parts = new ChatPartsOutput();
    const byParts = await conversation(parts, store === "none" ? null : memoryStore());
    assert.deepEqual(byEvents, [
      ["player_joined", 1, "Ann"],
      ["player_joined", 2, "Bo"],
      ["chat", 3, "Ann: hello"],
      ["chat", 4, 'Bo: a "quoted" line ✓'],
      ["player_left", 5, "Bo"],
      ["chat", 6, "Ann: bye"],
    ]);
    assert.deepEqual(byParts, byEvents);
    assert.equal(parts.chatCalls.length, 3, "every chat came by its parts");
  });
}

Deno.test("a chat accepted while an append is in flight goes out after it, once stored, in order", async () => {
  const { store, release } = heldStore();
  const output = new ChatPartsOutput();
  const { directory } = build(output, store);
  const table = directory.create("t", FAST, "t");
  table.join("Ann", "player");
  assert.ok(table.chat("Ann", "one").ok);
  assert.ok(table.chat("Ann", "two").ok);
  assert.equal(output.delivered.length, 0, "nothing goes out before the store has it");
  await release();
  await release();
  assert.equal(await table.stored(), null);
  assert.deepEqual(output.delivered.map((d) => [d.event, d.seq]), [["player_joined", 1], ["chat", 2], [
    "chat",
    3,
  ]]);
  assert.deepEqual(output.chatCalls.map((c) => c.message), ["one", "two"]);
});

Deno.test("chats are stored as chat commands: a room rebuilt from the log counts them and numbers on after them", async () => {
  const store = memoryStore();
  const output = new ChatPartsOutput();
  const { directory } = build(output, store);
  const table = directory.create("t", FAST, "t");
  table.join("Ann", "player");
  for (let i = 0; i < 5; i++) assert.ok(table.chat("Ann", `line ${i}`).ok);
  assert.equal(await table.stored(), null);
  const log = await store.log.read(table.journal!.logId, 0, 100);
  assert.deepEqual(
    log.slice(1).map((e) => [e.data, e.eventSeq]),
    Array.from({ length: 5 }, (_, i) => [{ type: "chat", name: "Ann", message: `line ${i}` }, i + 2]),
  );

  const rebuilt = build(new ChatPartsOutput(), store).directory;
  const restored = await rebuilt.adopt("t");
  assert.equal(restored.kind, "adopted");
  const again = rebuilt.get("t")!;
  assert.ok(again.chat("Ann", "after the restart").ok);
  assert.equal(await again.stored(), null);
  // The rebuilt room took one seq per stored chat: Ann's absence after the restart is 7, her next line 8.
  const after = await store.log.read(table.journal!.logId, 6, 100);
  assert.deepEqual(after.map((e) => [(e.data as { type: string }).type, e.eventSeq]), [
    ["disconnect", 7],
    ["chat", 8],
  ]);
});

Deno.test("a chat in a closed room is refused like any command, and nothing goes out", () => {
  const output = new ChatPartsOutput();
  const { directory } = build(output, null);
  const table = directory.create("t", FAST, "t");
  table.join("Ann", "player");
  table.dispose();
  const refused = table.chat("Ann", "anyone?");
  assert.equal(!refused.ok && refused.error.code, RoomErrorCode.ROOM_NOT_FOUND);
  assert.equal(output.chatCalls.length, 0);
});
