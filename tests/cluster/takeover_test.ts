// Takeover on Redis, at the room layer: node A runs a table and stalls without letting go; node B cannot
// take it while A's lease lives, takes it once the lease lapses, rebuilds it from the log with the same
// hands, scores and seq, and plays it to the end, while A's late actions are fenced and reach nobody.

import assert from "node:assert/strict";
import { FakeClock } from "../../src/rooms/clock.ts";
import type { Room } from "../../src/rooms/room.ts";
import { RoomDirectory } from "../../src/rooms/room_directory.ts";
import { StoreJournals } from "../../src/rooms/room_journal.ts";
import { connectRedis, parseRedisUrl } from "../../src/store/redis_connection.ts";
import { roomKeys } from "../../src/store/redis_keys.ts";
import { openRedisStore, type RedisStore } from "../../src/store/redis_store.ts";
import { FAST, RecordingOutput } from "../rooms/room_fixture.ts";
import { startRedis } from "./redis_server.ts";

const NAMES = ["Ann", "Bo", "Cy", "Di"];

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function node(store: RedisStore, nodeId: string, clock: FakeClock) {
  const output = new RecordingOutput();
  const directory = new RoomDirectory({
    clock,
    output,
    lobby: output,
    seed: () => 77,
    journals: new StoreJournals(store, nodeId),
  });
  return { clock, output, directory };
}

type Node = ReturnType<typeof node>;

/** Answers each member's newest prompt with its first option, runs timers, until `until` or nothing moves. */
async function play(f: Node, table: Room, until: () => boolean): Promise<void> {
  const answered = new Map<string, number>();
  const settle = async () => {
    await tick();
    while (table.stored() !== null) await table.stored(); // Redis answers take real round trips.
  };
  for (let step = 0; step < 5_000 && !until(); step++) {
    f.clock.advance(0);
    await settle();
    let moved = 0;
    for (const name of NAMES) {
      const prompts = f.output.privateTo(name, "your_turn");
      if (prompts.length <= (answered.get(name) ?? 0)) continue;
      answered.set(name, prompts.length);
      const prompt = prompts.at(-1)!.data;
      const option = (prompt.options as unknown[])[0];
      table.gameAction(
        name,
        prompt.action === "declare"
          ? { type: "declare", value: option as number }
          : prompt.action === "play"
          ? { type: "play", pieceIds: option as number[] }
          : { type: "redeal_decision", accept: false },
      );
      moved += 1;
    }
    await settle();
    const unanswered = NAMES.some((n) => f.output.privateTo(n, "your_turn").length > (answered.get(n) ?? 0));
    if (moved === 0 && !unanswered && f.clock.pending === 0) break;
  }
}

function roomSeqs(output: RecordingOutput): number[] {
  return output.delivered.filter((d) => d.to === "room").map((d) => d.seq!);
}

Deno.test("a stalled owner's table is taken over from the Redis log, continues its seq, and the stale owner is fenced", async () => {
  const redis = await startRedis();
  const address = parseRedisUrl(redis.url);
  if (typeof address === "string") throw new Error(address);
  const side = await connectRedis(address, { name: "liaptui:test:side" });
  const storeA = await openRedisStore({ url: redis.url, nodeId: "node-a" });
  const storeB = await openRedisStore({ url: redis.url, nodeId: "node-b" });
  const a = node(storeA, "node-a", new FakeClock());
  try {
    const table = a.directory.create("t", { ...FAST, max_rounds: 3, reconnect_grace_ms: 60_000 }, "t");
    for (const name of NAMES) assert.ok(table.join(name, "player").ok);
    assert.ok(table.startGame("Ann", false).ok);
    await play(a, table, () => a.output.events("round_scores").length >= 1);
    assert.equal(a.output.events("round_scores").length, 1, "half a game was played on node A");
    const views = NAMES.map((n) => table.stateFor(n).game);
    const seq = table.seq;
    assert.deepEqual(roomSeqs(a.output), roomSeqs(a.output).map((_, i) => i + 1));

    const b = node(storeB, "node-b", new FakeClock(a.clock.now() + 7_000));
    // A stalls (as under SIGSTOP): it holds the lease, so B must not take the table.
    assert.deepEqual(await b.directory.adopt("t"), { kind: "busy", owner: "node-a" });
    assert.equal(b.directory.get("t"), undefined);
    // A's lease runs out in Redis (what PX does when A stops renewing).
    await side.del(roomKeys("t").lease);

    const adopted = await b.directory.adopt("t");
    assert.equal(adopted.kind, "adopted");
    const again = b.directory.get("t")!;
    await tick();
    assert.deepEqual(NAMES.map((n) => again.stateFor(n).game), views, "same round, scores, turn and hands");
    assert.equal(await storeB.log.head("t"), Number(await side.hget(roomKeys("t").meta, "seq")));
    assert.equal(await side.hget(roomKeys("t").meta, "owner"), "node-b");
    assert.equal(await side.hget(roomKeys("t").meta, "epoch"), "2");
    assert.deepEqual((await b.directory.adopt("t")).kind, "here", "a second connection finds it here");

    // A wakes up and acts: its append is fenced, so the action is rolled back and nobody hears of it.
    const headBefore = await storeB.log.head("t");
    const deliveredBefore = a.output.delivered.length;
    table.chat("Ann", "am I still the owner?");
    while (table.stored() !== null) await table.stored();
    await tick();
    assert.equal(a.output.delivered.length, deliveredBefore, "the stale owner broadcast nothing");
    assert.equal(await storeB.log.head("t"), headBefore, "and stored nothing");
    a.directory.dispose();

    // B carries the game to its end; seq goes on from A's without a gap or repeat.
    for (const name of NAMES) assert.ok(again.reconnect(name).ok);
    await play(b, again, () => again.phase === "GAME_OVER");
    assert.equal(again.phase, "GAME_OVER");
    const after = roomSeqs(b.output);
    assert.ok(after.length > 10);
    assert.deepEqual(after, after.map((_, i) => seq + 1 + i), "seq continues without a gap or repeat");
    const log = await side.xrange(roomKeys("t").log, "-", "+");
    assert.deepEqual(log.map(([id]) => id), log.map((_, i) => `${i + 1}-0`), "one log, no gap");
    assert.equal(
      (await storeB.archive.list(10, null)).games.length,
      1,
      "the finished game is in the history",
    );
    b.directory.dispose();
  } finally {
    a.directory.dispose();
    side.disconnect();
    await storeA.close();
    await storeB.close();
    await redis.stop();
  }
});

Deno.test("adopt() answers not_found for a room nobody created and for a finished one", async () => {
  const redis = await startRedis();
  const store = await openRedisStore({ url: redis.url, nodeId: "node-b" });
  try {
    const b = node(store, "node-b", new FakeClock());
    assert.deepEqual(await b.directory.adopt("nope"), { kind: "not_found" });
    await store.log.create({ roomId: "done", createdAt: 1, data: { name: "done", settings: {} } });
    const acquired = await store.ownership.acquire("done", "node-a");
    assert.equal(acquired.kind, "granted");
    if (acquired.kind === "granted") await store.log.finish(acquired.grant);
    assert.deepEqual(await b.directory.adopt("done"), { kind: "not_found" });
  } finally {
    await store.close();
    await redis.stop();
  }
});
