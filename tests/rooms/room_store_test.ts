// Rooms with a journal: output waits for the store, a failed write or a throwing engine rolls back, and a
// room rebuilt from its log carries on exactly where it was. Fake clock, recording output, memory store.

import assert from "node:assert/strict";
import { FakeClock } from "../../src/rooms/clock.ts";
import type { Room } from "../../src/rooms/room.ts";
import type { OutboundEvent } from "../../src/rooms/room_output.ts";
import { RoomDirectory } from "../../src/rooms/room_directory.ts";
import { StoreJournals } from "../../src/rooms/room_journal.ts";
import type { GameRules } from "../../src/rooms/table_game.ts";
import { REAL_RULES } from "../../src/rooms/table_game.ts";
import { memoryStore } from "../../src/store/memory_store.ts";
import { openSqliteStore } from "../../src/store/sqlite_store.ts";
import type { SyncFile } from "../../src/store/sqlite_wal_sync.ts";
import type { Store } from "../../src/store/ports.ts";
import { faultyStore, tick } from "../support/faulty_store.ts";
import { answerPrompt, FAST, RecordingOutput } from "./room_fixture.ts";

const NAMES = ["Ann", "Bo", "Cy", "Di"];

function build(store: Store, clock = new FakeClock(), rules: GameRules = REAL_RULES) {
  const output = new RecordingOutput();
  const directory = new RoomDirectory({
    clock,
    output,
    lobby: output,
    seed: () => 21,
    journals: new StoreJournals(store),
    rules,
  });
  return { clock, output, directory };
}

type Built = ReturnType<typeof build>;

/** Answers each member's newest unanswered prompt with its first option; returns how many it answered. */
function answerPrompts(f: Built, table: Room, answered: Map<string, number>): number {
  return NAMES.filter((name) => answerPrompt(table, f.output, name, answered)).length;
}

/** Runs timers and answers prompts until `until` holds or nothing moves any more. */
async function play(f: Built, table: Room, until: () => boolean, answered = new Map<string, number>()) {
  for (let step = 0; step < 5_000 && !until(); step++) {
    f.clock.advance(0);
    await tick();
    const moved = answerPrompts(f, table, answered);
    await tick();
    if (moved === 0 && f.clock.pending === 0 && table.stored() === null) break;
  }
}

function seqs(output: RecordingOutput): number[] {
  return output.delivered.filter((d) => d.to === "room").map((d) => d.seq!);
}

Deno.test("a room rebuilt from its log continues the same game: views, seq and timers, and it finishes", async () => {
  const store = memoryStore();
  const a = build(store);
  const table = a.directory.create("t", { ...FAST, max_rounds: 3, reconnect_grace_ms: 60_000 }, "t");
  for (const name of NAMES) assert.ok(table.join(name, "player").ok);
  assert.ok(table.startGame("Ann", false).ok);
  await play(a, table, () => a.output.events("round_scores").length >= 1);
  assert.equal(a.output.events("round_scores").length, 1);
  await tick();
  const views = NAMES.map((n) => table.stateFor(n).game);
  const seq = table.seq;
  assert.deepEqual(seqs(a.output), seqs(a.output).map((_, i) => i + 1));
  a.directory.dispose(); // as at shutdown: the room stays open in the store

  const b = build(store, new FakeClock(a.clock.now() + 5_000));
  const report = await b.directory.restore();
  assert.equal(report.rooms, 1);
  const again = b.directory.get("t")!;
  await tick();
  assert.deepEqual(NAMES.map((n) => again.stateFor(n).game), views, "same round, scores, turn and hands");
  // Restored, everyone counts as disconnected (their grace starts now): four broadcasts numbered on from seq.
  assert.deepEqual(b.output.events("player_disconnected").map((e) => e.seq), [
    seq + 1,
    seq + 2,
    seq + 3,
    seq + 4,
  ]);
  for (const name of NAMES) assert.ok(again.reconnect(name).ok);
  await play(b, again, () => again.phase === "GAME_OVER");
  assert.equal(again.phase, "GAME_OVER");
  const after = seqs(b.output);
  assert.deepEqual(after, after.map((_, i) => seq + 1 + i), "seq continues without a gap or repeat");
  const games = await store.archive.list(10, null);
  assert.equal(games.games.length, 1);
  assert.deepEqual(games.games[0]!.players, NAMES);
  b.directory.dispose();
});

Deno.test("a private room's finished game is not archived: the public history would give its room id away", async () => {
  // The contract: "Private rooms are never listed". `/api/games` is public and a game's ids name its room, so
  // a private table's game in the archive would let anyone find the room, watch it, or take a seat later.
  const store = memoryStore();
  const f = build(store);
  const secret = f.directory.create("Secret", { ...FAST, max_rounds: 1, is_public: false });
  const open = f.directory.create("Open", { ...FAST, max_rounds: 1 });
  for (const table of [secret, open]) {
    assert.ok(table.join("Ann", "player").ok);
    assert.ok(table.startGame("Ann", true).ok);
    await play(f, table, () => table.phase === "GAME_OVER");
    assert.equal(table.phase, "GAME_OVER", `${table.name} finished its game`);
  }
  await tick();
  const listed = await store.archive.list(10, null);
  assert.deepEqual(listed.games.map((g) => g.roomId), [open.id], "only the public room's game is kept");
  f.directory.dispose();
});

Deno.test("nothing an action produces is delivered before the store has it", async () => {
  const f = build(memoryStore());
  const table = f.directory.create("t", FAST, "t");
  const joined = table.join("Ann", "player");
  assert.ok(joined.ok);
  assert.equal(f.output.delivered.length, 0, "held while the append is in flight");
  const pending = table.stored();
  assert.ok(pending !== null);
  assert.equal(await pending, null);
  assert.deepEqual(f.output.delivered.map((d) => d.event), ["player_joined"]);
  assert.equal(table.stored(), null, "nothing left in flight");
  f.directory.dispose();
});

Deno.test("with a store that answers at once, a chat is stored and then delivered before chat() returns", async () => {
  const inner = memoryStore();
  const appended: number[] = [];
  // Passes the store's own answers on untouched (so they stay readable at once) and notes each append.
  const store: Store = {
    ...inner,
    log: {
      ...inner.log,
      append: (grant, seq, entry) => {
        appended.push(entry.eventSeq);
        return inner.log.append(grant, seq, entry);
      },
    },
  };
  const f = build(store);
  const table = f.directory.create("t", FAST, "t");
  table.join("Ann", "player");
  assert.equal(await table.stored(), null, "the first append waits for the room's grant");
  const before = f.output.delivered.length;
  const storedAtBroadcast: number[] = [];
  const broadcast = f.output.broadcast.bind(f.output);
  f.output.broadcast = (roomId: string, events: readonly OutboundEvent[]) => {
    storedAtBroadcast.push(appended.at(-1)!);
    broadcast(roomId, events);
  };

  for (let i = 1; i <= 3; i++) assert.ok(table.chat("Ann", `line ${i}`).ok);

  assert.equal(table.stored(), null, "nothing is in flight");
  assert.deepEqual(
    f.output.delivered.slice(before).map((d) => [d.event, d.seq, d.data.message]),
    [["chat", 2, "line 1"], ["chat", 3, "line 2"], ["chat", 4, "line 3"]],
    "delivered in order, in the same run as the calls",
  );
  assert.deepEqual(storedAtBroadcast, [2, 3, 4], "each chat was appended before its broadcast");
  const entries = await inner.log.read("t", 0, 10);
  assert.deepEqual(entries.map((e) => e.eventSeq), [1, 2, 3, 4], "and is in the store");
  f.directory.dispose();
});

Deno.test("with the SQLite store, nothing is delivered before an fsync that started after its commit", async () => {
  const dir = await Deno.makeTempDir({ prefix: "liaptui-room-sqlite-" });
  // Every fsync (the WAL's, and the database file's after a checkpoint, due every 3 writes here) is held until
  // the test completes it; each remembers whether the room's entry was committed when it started.
  const held: { resolve(): void; headAtStart: Promise<number | null> }[] = [];
  let store: Store | null = null;
  // The store reads synchronously when asked, so this is the head as the fsync starts.
  const syncFile: SyncFile = () =>
    new Promise<void>((resolve) => held.push({ resolve, headAtStart: store!.log.head("t") }));
  store = openSqliteStore(dir, { syncFile, checkpointEvery: 3 });
  const f = build(store);
  try {
    const table = f.directory.create("t", FAST, "t");
    assert.ok(table.join("Ann", "player").ok);
    const stored = table.stored();
    assert.ok(stored !== null);
    let coveringDone = false;
    for (let step = 0; step < 50 && f.output.delivered.length === 0; step++) {
      await tick();
      const next = held.shift();
      if (next === undefined) continue;
      assert.equal(f.output.delivered.length, 0, "nothing delivered while its fsync is held");
      next.resolve();
      coveringDone ||= ((await next.headAtStart) ?? 0) > 0;
      await tick();
      if (f.output.delivered.length > 0) assert.ok(coveringDone, "delivered only after a covering fsync");
    }
    assert.equal(await stored, null);
    assert.deepEqual(f.output.delivered.map((d) => d.event), ["player_joined"]);
    assert.ok(coveringDone);
  } finally {
    f.directory.dispose();
    for (const h of held.splice(0)) h.resolve();
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a failed append rolls the action back: SERVER_ERROR, nothing delivered, no seq spent", async () => {
  const { store, failing } = faultyStore();
  const f = build(store);
  const table = f.directory.create("t", FAST, "t");
  table.join("Ann", "player");
  await table.stored();
  const seq = table.seq;
  const logged = await store.log.head("t");
  failing.on = true;
  assert.ok(table.join("Bo", "player").ok, "accepted in memory");
  assert.ok(table.chat("Ann", "pipelined behind it").ok);
  const problem = await table.stored();
  assert.equal(problem?.code, "SERVER_ERROR");
  await tick();
  assert.equal(table.member("Bo"), undefined, "Bo's join is undone");
  assert.equal(table.seq, seq, "no seq was spent");
  assert.deepEqual(f.output.delivered.map((d) => d.event), ["player_joined"], "nothing else went out");
  assert.equal(await store.log.head("t"), logged);

  failing.on = false;
  assert.ok(table.join("Bo", "player").ok);
  assert.equal(await table.stored(), null);
  assert.deepEqual(f.output.events("player_joined").map((e) => [e.data.player_name, e.seq]), [
    ["Ann", 1],
    ["Bo", 2],
  ]);
  f.directory.dispose();
});

/** The real engine, except that `apply` throws while `broken.on` is set (for the actions `when` picks). */
function throwingRules(broken: { on: boolean; thrown: number }, when: (type: string) => boolean): GameRules {
  return {
    ...REAL_RULES,
    apply: (state, action) => {
      if (broken.on && when(action.type)) {
        broken.thrown += 1;
        throw new Error(`engine bug (test) on ${action.type}`);
      }
      return REAL_RULES.apply(state, action);
    },
  };
}

Deno.test("an engine that throws on a move: SERVER_ERROR, the move is rolled back, the room and others go on", async () => {
  const broken = { on: false, thrown: 0 };
  const f = build(memoryStore(), new FakeClock(), throwingRules(broken, (type) => type === "declare"));
  const table = f.directory.create("t", { ...FAST, max_rounds: 1 }, "t");
  const other = f.directory.create("u", { ...FAST, max_rounds: 1 }, "u");
  for (const name of NAMES) table.join(name, "player");
  other.join("Zed", "spectator");
  table.startGame("Ann", false);
  other.startGame("Zed", true);
  const declarePrompt = () =>
    f.output.delivered.findLast((d) =>
      NAMES.includes(d.to) && d.event === "your_turn" && d.data.action === "declare"
    );
  // Nobody answers (every prompt counts as answered): the table stops at its first human declaration.
  const never = new Map(NAMES.map((n) => [n, Number.MAX_SAFE_INTEGER]));
  await play(f, table, () => declarePrompt() !== undefined, never);
  assert.equal(table.phase, "DECLARATION");
  const prompt = declarePrompt()!;
  const seq = table.seq;
  const delivered = f.output.delivered.length;
  const view = table.stateFor(prompt.to).game;
  broken.on = true;
  const result = table.gameAction(prompt.to, {
    type: "declare",
    value: (prompt.data.options as number[])[0]!,
  });
  assert.equal(
    result.ok ? null : result.error.code,
    "SERVER_ERROR",
    JSON.stringify([result, prompt, table.phase]),
  );
  assert.equal(broken.thrown, 1);
  assert.equal(table.seq, seq, "no seq spent");
  assert.deepEqual(table.stateFor(prompt.to).game, view, "the state is as before the move");
  await tick();
  assert.equal(f.output.delivered.length, delivered, "nothing delivered");
  broken.on = false;
  await play(f, table, () => table.phase === "GAME_OVER");
  assert.equal(table.phase, "GAME_OVER", "the table recovers and finishes once the engine behaves");
  await play(f, other, () => other.phase === "GAME_OVER", never);
  assert.equal(other.phase, "GAME_OVER");
  f.directory.dispose();
});

Deno.test("a rollback in a chatty room restores the same seq and game: stored chats replay by their number", async () => {
  const broken = { on: false, thrown: 0 };
  const store = memoryStore();
  const f = build(store, new FakeClock(), throwingRules(broken, (type) => type === "declare"));
  const table = f.directory.create("t", { ...FAST, max_rounds: 1 }, "t");
  for (const name of NAMES) {
    assert.ok(table.join(name, "player").ok);
    for (let i = 0; i < 3; i++) assert.ok(table.chat(name, `hello ${i}`).ok);
  }
  assert.ok(table.startGame("Ann", false).ok);
  for (let i = 0; i < 5; i++) assert.ok(table.chat("Bo", `good luck ${i}`).ok);
  const declarePrompt = () =>
    f.output.delivered.findLast((d) =>
      NAMES.includes(d.to) && d.event === "your_turn" && d.data.action === "declare"
    );
  const never = new Map(NAMES.map((n) => [n, Number.MAX_SAFE_INTEGER]));
  await play(f, table, () => declarePrompt() !== undefined, never);
  assert.ok(table.chat("Cy", "your move").ok);
  assert.equal(await table.stored(), null);
  const prompt = declarePrompt()!;
  const seq = table.seq;
  const view = table.stateFor(prompt.to);

  broken.on = true;
  const result = table.gameAction(prompt.to, {
    type: "declare",
    value: (prompt.data.options as number[])[0]!,
  });
  assert.equal(result.ok ? null : result.error.code, "SERVER_ERROR");
  assert.equal(broken.thrown, 1, "the move threw, and the room was rebuilt from its kept log");
  assert.equal(table.seq, seq, "the chats' seqs are counted again");
  assert.deepEqual(table.stateFor(prompt.to), view, "the state is as before the move");

  broken.on = false;
  await play(f, table, () => table.phase === "GAME_OVER");
  assert.equal(table.phase, "GAME_OVER");
  const roomSeqs = seqs(f.output);
  assert.deepEqual(roomSeqs, roomSeqs.map((_, i) => i + 1), "every seq once, in order, across the rollback");
  // The game's id names its start_game entry in the log, which counts every chat before it.
  const entries = await store.log.read("t", 0, 10_000);
  const start = entries.find((e) => (e.data as { type: string }).type === "start_game")!;
  await tick();
  const games = await store.archive.list(10, null);
  assert.deepEqual(games.games.map((g) => g.gameId), [`t-${start.seq}`]);
  f.directory.dispose();
});

Deno.test("a bot whose move and fallback both throw: the game is aborted with a message, the table goes on", async () => {
  const broken = { on: true, thrown: 0 };
  const f = build(
    memoryStore(),
    new FakeClock(),
    throwingRules(broken, (type) => type === "declare" || type === "timeout"),
  );
  const table = f.directory.create("t", { ...FAST, max_rounds: 1 }, "t");
  table.join("Ann", "spectator");
  table.startGame("Ann", true);
  await play(f, table, () => f.output.events("game_aborted").length > 0);
  const aborted = f.output.events("game_aborted");
  assert.equal(aborted.length, 1);
  assert.match(String(aborted[0]!.data.reason), /engine failed/);
  assert.equal(broken.thrown, 2, "the bot's move, then the engine's fallback");
  assert.equal(table.phase, "WAITING", "back to a table that can start again");
  assert.equal(f.clock.pending, 0, "no timer left to fire the failing step again");
  broken.on = false;
  assert.ok(table.startGame("Ann", true).ok);
  await play(f, table, () => table.phase === "GAME_OVER");
  assert.equal(table.phase, "GAME_OVER");
  const seqList = seqs(f.output);
  assert.deepEqual(
    seqList,
    seqList.map((_, i) => i + 1),
    `seq stayed contiguous through the failure: ${seqList}`,
  );
  f.directory.dispose();
});

Deno.test("a room id can be used again after its room closed: the new room gets a log of its own", async () => {
  const store = memoryStore();
  const f = build(store);
  const first = f.directory.create("friday", FAST, "friday");
  first.join("Ann", "player");
  await first.stored();
  first.leave("Ann");
  await first.stored();
  assert.equal(f.directory.get("friday"), undefined, "closed when its last human left");
  await tick();
  const again = f.directory.create("friday", FAST, "friday");
  assert.ok(again.join("Bo", "player").ok);
  assert.equal(await again.stored(), null, "stored, not refused by the closed log");
  assert.equal((await store.log.unfinished()).length, 1);
  f.directory.dispose();
});

Deno.test("timers come back from the log: a deadline that passed while down fires at once, one still running later", async () => {
  for (const downMs of [60_000, 4_000]) {
    const store = memoryStore();
    const a = build(store);
    const table = a.directory.create(
      "t",
      { ...FAST, turn_timeout_ms: 10_000, reconnect_grace_ms: 600_000 },
      "t",
    );
    for (const name of NAMES) table.join(name, "player");
    table.startGame("Ann", false);
    const never = new Map(NAMES.map((n) => [n, Number.MAX_SAFE_INTEGER]));
    await play(
      a,
      table,
      () => a.output.delivered.some((d) => d.event === "your_turn" && NAMES.includes(d.to)),
      never,
    );
    await tick();
    assert.equal(a.output.events("bot_took_over").length, 0);
    a.directory.dispose();

    const clock = new FakeClock(a.clock.now() + downMs);
    const b = build(store, clock);
    await b.directory.restore();
    clock.advance(0);
    await tick();
    const firedAtOnce = b.output.events("bot_took_over").length;
    if (downMs > 10_000) {
      assert.equal(firedAtOnce, 1, "the overdue deadline fired on start");
      assert.equal(b.output.events("bot_took_over")[0]!.data.reason, "timeout");
    } else {
      assert.equal(firedAtOnce, 0, "6 s of the deadline are left");
      // The mover comes back after the restart: asked again, with what is left of the deadline.
      const mover = a.output.delivered.findLast((d) => d.event === "your_turn" && NAMES.includes(d.to))!.to;
      const restored = b.directory.get("t");
      assert.ok(restored?.reconnect(mover).ok);
      assert.equal(b.output.last(mover, "your_turn")?.data.timeout_ms, 6_000);
      clock.advance(5_900);
      await tick();
      assert.equal(b.output.events("bot_took_over").length, 0);
      clock.advance(100);
      await tick();
      assert.equal(b.output.events("bot_took_over").length, 1, "it fires when its 10 s are up");
    }
    b.directory.dispose();
  }
});

Deno.test("while the store keeps failing, a bot table retries after a growing pause, then carries on", async () => {
  const { store, failing } = faultyStore();
  const f = build(store);
  const table = f.directory.create("t", { ...FAST, max_rounds: 1 }, "t");
  table.join("Ann", "spectator");
  table.startGame("Ann", true);
  await table.stored();
  failing.on = true;
  // Zero-delay bots pipeline many moves before the first refusal comes back; all of them are refused.
  const ticks = async (n: number) => {
    for (let i = 0; i < n; i++) {
      f.clock.advance(0);
      await tick();
    }
  };
  await ticks(5);
  const first = failing.refused;
  assert.ok(first >= 1);
  await ticks(50);
  assert.equal(failing.refused, first, "after the refusal the timers wait instead of spinning");
  f.clock.advance(1_000);
  await ticks(5);
  const second = failing.refused;
  assert.ok(second > first, "retried after 1 s");
  f.clock.advance(1_000);
  await ticks(5);
  assert.equal(failing.refused, second, "the next pause is 2 s");
  f.clock.advance(1_000);
  await ticks(5);
  assert.ok(failing.refused > second);
  failing.on = false;
  f.clock.advance(4_000);
  await play(f, table, () => table.phase === "GAME_OVER");
  assert.equal(table.phase, "GAME_OVER");
  const seqList = seqs(f.output);
  assert.deepEqual(seqList, seqList.map((_, i) => i + 1), "nothing refused was ever numbered");
  f.directory.dispose();
});
