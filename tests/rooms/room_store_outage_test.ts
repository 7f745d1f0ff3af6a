// Rooms on a store that stops answering (Redis restarting): an accepted action is held, not refused, and sent
// again with the same action id until the store answers; stored once, delivered once, in order, and the room's
// timers wait meanwhile. A room whose log is ahead of it (conflict) is replaced rather than left retrying.
// Fake clock, recording output, the memory store behind a switch.

import assert from "node:assert/strict";
import { FakeClock } from "../../src/rooms/clock.ts";
import { RETRY_MAX_MS } from "../../src/rooms/command_log.ts";
import { RoomDirectory } from "../../src/rooms/room_directory.ts";
import { StoreJournals } from "../../src/rooms/room_journal.ts";
import { memoryStore } from "../../src/store/memory_store.ts";
import { type Store, StoreError } from "../../src/store/ports.ts";
import { FAST, RecordingOutput } from "./room_fixture.ts";

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

type Mode = "up" | "down" | "lands-unanswered" | "conflict";

/**
 * The memory store behind a switch: "down" fails every append unsent, "lands-unanswered" stores it and then
 * fails as a lost reply would; both fail "in doubt", as the Redis store does when its connection breaks.
 */
function switchedStore(): { store: Store; link: { mode: Mode; tries: number; ids: string[] } } {
  const inner = memoryStore();
  const link = { mode: "up" as Mode, tries: 0, ids: [] as string[] };
  const unreachable = () => new StoreError("redis: append failed: Connection is closed.", { inDoubt: true });
  return {
    link,
    store: {
      ...inner,
      log: {
        ...inner.log,
        append: async (grant, seq, entry) => {
          link.tries += 1;
          link.ids.push(entry.actionId);
          if (link.mode === "down") throw unreachable();
          if (link.mode === "conflict") return { kind: "conflict", head: seq };
          const result = await inner.log.append(grant, seq, entry);
          if (link.mode === "lands-unanswered") throw unreachable();
          return result;
        },
      },
    },
  };
}

function build(store: Store, onDiverged?: (roomId: string) => void) {
  const clock = new FakeClock();
  const output = new RecordingOutput();
  const directory = new RoomDirectory({
    clock,
    output,
    lobby: output,
    seed: () => 21,
    journals: new StoreJournals(store),
    ...(onDiverged ? { onDiverged } : {}),
  });
  return { clock, output, directory };
}

Deno.test("an append that landed but whose answer was lost is sent again, answered duplicate, and delivered once", async () => {
  const { store, link } = switchedStore();
  const f = build(store);
  const table = f.directory.create("t", FAST, "t");
  table.join("Ann", "player");
  assert.equal(await table.stored(), null);

  link.mode = "lands-unanswered";
  assert.ok(table.chat("Ann", "one").ok);
  const pending = table.stored();
  await tick();
  link.mode = "down";
  assert.ok(table.chat("Ann", "two").ok, "accepted while the first waits");
  f.clock.advance(100);
  await tick();
  assert.deepEqual(f.output.events("chat"), [], "nothing told before it is stored");
  link.mode = "up";
  f.clock.advance(RETRY_MAX_MS);
  await tick();
  await tick();
  assert.equal(await pending, null, "the sender hears no error: held, then stored");
  assert.equal(table.stored(), null, "nothing left in flight");
  assert.deepEqual(f.output.events("chat").map((e) => [e.data.message, e.seq]), [["one", 2], ["two", 3]]);
  const log = await store.log.read("t", 0, 10);
  assert.deepEqual(log.map((e) => e.seq), [1, 2, 3], "each once, in order");
  // The retries carried the first try's action ids: the store recognised what it already had.
  const chatIds = log.slice(1).map((e) => e.actionId);
  assert.ok(link.ids.filter((id) => id === chatIds[0]).length >= 2, "the landed one was sent again");
  f.directory.dispose();
});

Deno.test("while the store is unreachable, bot timers wait for each retry instead of playing ahead or spinning", async () => {
  const { store, link } = switchedStore();
  const f = build(store);
  const table = f.directory.create("t", { ...FAST, max_rounds: 1 }, "t");
  table.join("Ann", "spectator");
  table.startGame("Ann", true);
  await table.stored();
  link.mode = "down";
  for (let i = 0; i < 20; i++) {
    f.clock.advance(0);
    await tick();
  }
  const queued = table.seq;
  const tries = link.tries;
  for (let i = 0; i < 20; i++) {
    f.clock.advance(0);
    await tick();
  }
  assert.equal(link.tries, tries, "no retry before its pause");
  assert.equal(table.seq, queued, "bots do not play ahead of the store");
  // Ten seconds of outage: about one try a second, not one per timer tick.
  for (let ms = 0; ms < 10_000; ms += 50) {
    f.clock.advance(50);
    await tick();
  }
  assert.ok(link.tries - tries <= 15, `${link.tries - tries} tries in 10 s`);
  assert.equal(table.seq, queued, "still paused");
  link.mode = "up";
  for (let step = 0; step < 5_000 && table.phase !== "GAME_OVER"; step++) {
    f.clock.advance(RETRY_MAX_MS);
    await tick();
  }
  assert.equal(table.phase, "GAME_OVER", "play resumed by itself");
  const seqs = f.output.delivered.filter((d) => d.to === "room").map((d) => d.seq!);
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1), "every event delivered once, in order");
  const log = await store.log.read("t", 0, 10_000);
  assert.deepEqual(log.map((e) => e.seq), log.map((_, i) => i + 1));
  assert.equal(new Set(log.map((e) => e.actionId)).size, log.length, "no action stored twice");
  f.directory.dispose();
});

Deno.test("a room stopped while its append waits gives it up: the sender hears SERVER_ERROR, nothing goes out", async () => {
  const { store, link } = switchedStore();
  const f = build(store);
  const table = f.directory.create("t", FAST, "t");
  table.join("Ann", "player");
  await table.stored();
  link.mode = "down";
  assert.ok(table.chat("Ann", "lost in the outage").ok);
  const pending = table.stored();
  await tick();
  f.directory.evict("t");
  assert.equal((await pending)?.code, "SERVER_ERROR");
  const tries = link.tries;
  f.clock.advance(10_000);
  await tick();
  assert.equal(link.tries, tries, "no retry after the room stopped");
  assert.equal(f.clock.pending, 0, "no timer left behind");
  assert.deepEqual(f.output.events("chat"), []);
});

Deno.test("a room whose log is ahead of it (conflict) is let go to be rebuilt from the log, not retried forever", async () => {
  const { store, link } = switchedStore();
  const diverged: string[] = [];
  const f = build(store, (roomId) => diverged.push(roomId));
  const table = f.directory.create("t", FAST, "t");
  table.join("Ann", "player");
  await table.stored();
  link.mode = "conflict";
  assert.ok(table.chat("Ann", "behind the log").ok);
  assert.equal((await table.stored())?.code, "SERVER_ERROR", "the sender hears the action was not kept");
  assert.deepEqual(diverged, ["t"], "the node is told once, to let the room's lease and sockets go");
  assert.equal(f.directory.get("t"), undefined, "the room left this node");
  const tries = link.tries;
  f.clock.advance(60_000);
  await tick();
  assert.equal(link.tries, tries, "nothing retried against a log that moved on");
  assert.equal(f.clock.pending, 0);
  assert.deepEqual(f.output.events("chat"), []);
});
