// BoundedEventHistory: what `since` can replay, the per-room bounds in events and bytes, and forgetting.

import assert from "node:assert/strict";
import { BoundedEventHistory, type RecordedEvent } from "../../src/net/event_history.ts";
import { createRng, randomInt } from "../../src/game/prng.ts";
import { TextShelf } from "../../src/store/text_shelf.ts";

function events(from: number, to: number, size = 10): RecordedEvent[] {
  const out: RecordedEvent[] = [];
  for (let seq = from; seq <= to; seq++) out.push({ seq, frame: `${seq}`.padEnd(size, "x") });
  return out;
}

const seqs = (list: readonly RecordedEvent[] | null) => list?.map((e) => e.seq) ?? null;

Deno.test("since() answers every kept event after the given seq, in order", () => {
  const history = new BoundedEventHistory({ maxEvents: 100, maxBytes: 1_000_000 });
  history.record("r1", events(1, 3));
  history.record("r1", events(4, 6));
  assert.deepEqual(seqs(history.since("r1", 2)), [3, 4, 5, 6]);
  assert.deepEqual(seqs(history.since("r1", 0)), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(seqs(history.since("r1", 6)), []);
  assert.equal(history.since("r1", 2)?.[0]?.frame, events(3, 3)[0]?.frame, "the frame as recorded");
});

Deno.test("since() is null for a room it never saw and for a seq past its last event", () => {
  const history = new BoundedEventHistory({ maxEvents: 100, maxBytes: 1_000_000 });
  assert.equal(history.since("nowhere", 0), null);
  history.record("r1", events(1, 3));
  assert.equal(history.since("r1", 4), null);
});

Deno.test("the oldest events go once a room holds more than maxEvents, and since() then says null", () => {
  const history = new BoundedEventHistory({ maxEvents: 3, maxBytes: 1_000_000 });
  history.record("r1", events(1, 5));
  assert.deepEqual(seqs(history.since("r1", 2)), [3, 4, 5]);
  assert.equal(history.since("r1", 1), null, "seq 2 is gone, so a replay after 1 would have a hole");
  assert.deepEqual(history.stats(), { rooms: 1, events: 3, bytes: 30 });
});

Deno.test("the oldest events go once a room's frames weigh more than maxBytes (UTF-8)", () => {
  const history = new BoundedEventHistory({ maxEvents: 100, maxBytes: 25 });
  history.record("r1", events(1, 3));
  assert.deepEqual(seqs(history.since("r1", 1)), [2, 3]);
  assert.equal(history.stats().bytes, 20);
  history.record("r1", [{ seq: 4, frame: "€".repeat(8) }]);
  assert.deepEqual(seqs(history.since("r1", 3)), [4], "24 bytes of euro signs leave room for nothing else");
  assert.equal(history.stats().bytes, 24);
});

Deno.test("a frame larger than maxBytes on its own is not kept", () => {
  const history = new BoundedEventHistory({ maxEvents: 100, maxBytes: 5 });
  history.record("r1", events(1, 1, 10));
  assert.equal(history.since("r1", 0), null);
  assert.deepEqual(history.stats(), { rooms: 1, events: 0, bytes: 0 });
});

Deno.test("a seq that does not follow the last kept one starts the room's window over", () => {
  const history = new BoundedEventHistory({ maxEvents: 100, maxBytes: 1_000_000 });
  history.record("r1", events(1, 3));
  history.record("r1", events(7, 8));
  assert.equal(history.since("r1", 3), null, "4 to 6 were never seen");
  assert.deepEqual(seqs(history.since("r1", 6)), [7, 8]);
});

Deno.test("rooms are kept apart and forget() frees one room's events only", () => {
  const history = new BoundedEventHistory({ maxEvents: 100, maxBytes: 1_000_000 });
  history.record("r1", events(1, 4));
  history.record("r2", events(1, 2));
  history.forget("r1");
  assert.equal(history.since("r1", 0), null);
  assert.deepEqual(seqs(history.since("r2", 0)), [1, 2]);
  assert.deepEqual(history.stats(), { rooms: 1, events: 2, bytes: 20 });
  history.forget("r2");
  assert.deepEqual(history.stats(), { rooms: 0, events: 0, bytes: 0 });
});

Deno.test("a long-running room keeps a window of maxEvents however many events went by", () => {
  const history = new BoundedEventHistory({ maxEvents: 50, maxBytes: 1_000_000 });
  for (let seq = 1; seq <= 10_000; seq++) history.record("r1", [{ seq, frame: "x" }]);
  assert.deepEqual(history.stats(), { rooms: 1, events: 50, bytes: 50 });
  assert.deepEqual(seqs(history.since("r1", 9_950))?.length, 50);
  assert.equal(history.since("r1", 9_949), null);
});

Deno.test("maxEvents 0 keeps nothing: every resume falls back to a snapshot", () => {
  const history = new BoundedEventHistory({ maxEvents: 0, maxBytes: 1_000_000 });
  history.record("r1", events(1, 3));
  assert.equal(history.since("r1", 0), null);
  assert.deepEqual(history.stats(), { rooms: 0, events: 0, bytes: 0 });
});

Deno.test("frames kept across several joined chunks, some of them non-ASCII, come back as recorded", () => {
  const history = new BoundedEventHistory({ maxEvents: 300, maxBytes: 1_000_000 });
  const frame = (seq: number) => `{"seq":${seq},"text":"${"é€😀x".repeat(seq % 12)}"}`;
  for (let seq = 1; seq <= 1_000; seq++) history.record("r1", [{ seq, frame: frame(seq) }]);
  const kept = history.since("r1", 700)!;
  assert.equal(kept.length, 300);
  assert.deepEqual(kept.map((e) => e.frame), kept.map((e) => frame(e.seq)));
  assert.deepEqual(kept.map((e) => e.seq), Array.from({ length: 300 }, (_, i) => 701 + i));
  const utf8 = kept.reduce((sum, e) => sum + new TextEncoder().encode(e.frame).length, 0);
  assert.deepEqual(history.stats(), { rooms: 1, events: 300, bytes: utf8 });
});

/** A plain model of the bounds: every event kept as a string, trimmed oldest first. */
function modelHistory(maxEvents: number, maxBytes: number) {
  let kept: { seq: number; frame: string; bytes: number }[] = [];
  const utf8 = (text: string) => new TextEncoder().encode(text).length;
  return {
    record(event: RecordedEvent) {
      const last = kept.at(-1);
      if (last !== undefined && event.seq !== last.seq + 1) kept = [];
      kept.push({ ...event, bytes: utf8(event.frame) });
      const total = () => kept.reduce((sum, e) => sum + e.bytes, 0);
      while (kept.length > 0 && (kept.length > maxEvents || total() > maxBytes)) kept.shift();
    },
    since(afterSeq: number): RecordedEvent[] | null {
      if (kept.length === 0) return null;
      const first = kept[0]!.seq, last = kept.at(-1)!.seq;
      if (afterSeq < first - 1 || afterSeq > last) return null;
      return kept.filter((e) => e.seq > afterSeq).map(({ seq, frame }) => ({ seq, frame }));
    },
    stats: () => ({ events: kept.length, bytes: kept.reduce((sum, e) => sum + e.bytes, 0) }),
  };
}

Deno.test("the chunked history answers as a plain list of frames would, over 3,000 seeded events per pair of bounds", () => {
  const rng = createRng(20261202);
  const pieces = ["a", "é", "€", "😀", '\\"', "{}", "0123456789"];
  let checks = 0;
  for (
    const [maxEvents, maxBytes] of [[5, 1_000_000], [50, 700], [200, 4_000], [1_000, 100], [300, 1e6], [
      130,
      9_000,
    ]]
  ) {
    const history = new BoundedEventHistory({ maxEvents: maxEvents!, maxBytes: maxBytes! });
    const model = modelHistory(maxEvents!, maxBytes!);
    let seq = 0;
    for (let i = 0; i < 3_000; i++) {
      seq += randomInt(rng, 50) === 0 ? 2 + randomInt(rng, 3) : 1;
      const length = randomInt(rng, 60);
      let frame = `${seq}:`;
      for (let j = 0; j < length; j++) frame += pieces[randomInt(rng, pieces.length)];
      history.record("r", [{ seq, frame }]);
      model.record({ seq, frame });
      const after = seq - randomInt(rng, Math.min(seq, maxEvents! + 5) + 1);
      assert.deepEqual(
        history.since("r", after),
        model.since(after),
        `bounds ${maxEvents}/${maxBytes}, seq ${seq}`,
      );
      assert.deepEqual(history.stats(), { rooms: 1, ...model.stats() });
      checks += 1;
    }
  }
  assert.equal(checks, 18_000);
});

Deno.test("rooms recorded side by side, forgotten and started over, with frames of every kind, answer as plain lists would", () => {
  // Slabs go back to one pool when a chunk is shelved, a window starts over or a room is forgotten, and the
  // next room takes them with their old bytes in them: every answer is compared with a model that shares
  // nothing. Frames: ASCII, multi-byte, a few KB (a slab grows through several sizes), larger than any slab
  // (kept alone), and not well-formed UTF-16 or with a NUL (kept alone, escaped).
  const rng = createRng(5150);
  const rooms = ["a", "b", "c", "d", "e"];
  const history = new BoundedEventHistory({ maxEvents: 150, maxBytes: 12_000 });
  let models = new Map(rooms.map((room) => [room, modelHistory(150, 12_000)]));
  const next = new Map(rooms.map((room) => [room, 0]));
  const kinds = new Map<string, number>();
  const frameOf = (seq: number): [string, string] => {
    const roll = randomInt(rng, 100);
    if (roll < 3) return ["large", `${seq}:${"ab€".repeat(1_700 + randomInt(rng, 300))}`];
    if (roll < 6) return ["medium", `${seq}:${"cd€".repeat(100 + randomInt(rng, 1_300))}`];
    if (roll < 8) return ["lone surrogate", `${seq}:\ud800x${"y".repeat(randomInt(rng, 40))}`];
    if (roll < 9) return ["NUL", `${seq}:\u0000${"z".repeat(randomInt(rng, 40))}`];
    if (roll < 30) return ["non-ASCII", `${seq}:${"é😀".repeat(1 + randomInt(rng, 60))}`];
    return ["ASCII", `${seq}:${"q".repeat(randomInt(rng, 300))}`];
  };
  let checks = 0;
  for (let i = 0; i < 20_000; i++) {
    const room = rooms[randomInt(rng, rooms.length)]!;
    const roll = randomInt(rng, 1_000);
    if (roll === 0) {
      history.forget(room);
      models = new Map(models).set(room, modelHistory(150, 12_000));
      continue;
    }
    const seq = next.get(room)! + (roll < 8 ? 3 : 1);
    next.set(room, seq);
    const [kind, frame] = frameOf(seq);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    history.record(room, [{ seq, frame }]);
    models.get(room)!.record({ seq, frame });
    const after = seq - randomInt(rng, 160);
    assert.deepEqual(history.since(room, after), models.get(room)!.since(after), `room ${room}, seq ${seq}`);
    checks += 1;
    const totals = [...models.values()].reduce(
      (sum, model) => ({ events: sum.events + model.stats().events, bytes: sum.bytes + model.stats().bytes }),
      { events: 0, bytes: 0 },
    );
    assert.deepEqual({ events: history.stats().events, bytes: history.stats().bytes }, totals);
  }
  assert.ok(checks > 19_000, `${checks} answers checked`);
  for (const kind of ["large", "medium", "lone surrogate", "NUL", "non-ASCII", "ASCII"]) {
    assert.ok((kinds.get(kind) ?? 0) > 100, `${kinds.get(kind)} ${kind} frames`);
  }
});

/** A shelf that refuses every chunk from its `failFrom`-th on, as a full memory would. */
class FailingShelf extends TextShelf {
  puts = 0;
  failFrom: number;
  constructor(failFrom: number) {
    super();
    this.failFrom = failFrom;
  }
  override putBytes(bytes: Uint8Array, note: string): number {
    if (++this.puts >= this.failFrom) throw new Error("out of memory");
    return super.putBytes(bytes, note);
  }
}

Deno.test("a shelf that fails mid-record drops the room's history instead of throwing, and keeps what comes next", () => {
  const shelf = new FailingShelf(3);
  const history = new BoundedEventHistory({ maxEvents: 1_000, maxBytes: 1_000_000 }, shelf);
  const failed: unknown[] = [];
  const error = console.error;
  console.error = (...args: unknown[]) => void failed.push(args[0]);
  try {
    // 64 events fill a chunk; the third chunk's put fails at seq 192.
    for (let seq = 1; seq <= 191; seq++) history.recordOne("r1", seq, `${seq}`.padEnd(40, "x"));
    assert.deepEqual(seqs(history.since("r1", 100))?.length, 91, "kept while the shelf works");
    shelf.failFrom = 3;
    history.recordOne("r1", 192, "192".padEnd(40, "x"));
    history.record("r2", events(1, 2));
  } finally {
    console.error = error;
  }
  assert.equal(failed.length, 1, "the failure is logged once");
  assert.equal(history.since("r1", 100), null, "a resume from before it gets a whole state, not a replay");
  assert.equal(history.since("r1", 191), null);
  shelf.failFrom = Infinity;
  history.recordOne("r1", 193, "193".padEnd(40, "x"));
  assert.deepEqual(seqs(history.since("r1", 192)), [193], "the history starts over with the next event");
  assert.deepEqual(history.stats(), { rooms: 2, events: 3, bytes: 60 });
});
