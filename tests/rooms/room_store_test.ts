// Rooms with a journal: output waits for the store, a failed write or a throwing engine rolls back, and a
// room rebuilt from its log carries on exactly where it was. Fake clock, recording output, memory store.

import assert from "node:assert/strict";
import { FakeClock } from "../../src/rooms/clock.ts";
import type { Room } from "../../src/rooms/room.ts";
import { RoomDirectory } from "../../src/rooms/room_directory.ts";
import { StoreJournals } from "../../src/rooms/room_journal.ts";
import type { GameRules } from "../../src/rooms/table_game.ts";
import { REAL_RULES } from "../../src/rooms/table_game.ts";
import { memoryStore } from "../../src/store/memory_store.ts";
import type { Store } from "../../src/store/ports.ts";
import { FAST, RecordingOutput } from "./room_fixture.ts";

const NAMES = ["Ann", "Bo", "Cy", "Di"];

/** Lets every settled promise run (store answers, deliveries). */
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

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
  let count = 0;
  for (const name of NAMES) {
    const prompts = f.output.privateTo(name, "your_turn");
    if (prompts.length <= (answered.get(name) ?? 0)) continue;
    answered.set(name, prompts.length);
    const prompt = prompts.at(-1)!.data;
    const option = (prompt.options as unknown[])[0];
    const result = table.gameAction(
      name,
      prompt.action === "declare"
        ? { type: "declare", value: option as number }
        : prompt.action === "play"
        ? { type: "play", pieceIds: option as number[] }
        : { type: "redeal_decision", accept: false },
    );
    assert.ok(result.ok, `${name}: ${JSON.stringify(result)}`);
    count += 1;
  }
  return count;
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
