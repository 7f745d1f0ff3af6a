// The lease keeper with a fake clock and a scripted Ownership: renewals on schedule, a lost lease reported
// once, and the self-fence before the lease could lapse in Redis when renewals fail or hang.

import assert from "node:assert/strict";
import { FakeClock } from "../../src/rooms/clock.ts";
import { keptOwnership, LeaseKeeper, type LossReason } from "../../src/store/lease_keeper.ts";
import type { AcquireResult, Grant, Ownership } from "../../src/store/ports.ts";

const LEASE = 6_000;
const GRANT: Grant = { roomId: "R1", token: "t", epoch: 1, head: 0 };

/** An Ownership whose renew answers what the test says: true, false, a rejection, or never. */
class ScriptedOwnership implements Ownership {
  renewals: number[] = [];
  released: Grant[] = [];
  answer: "yes" | "no" | "fail" | "hang" = "yes";
  constructor(private readonly clock: FakeClock) {}
  acquire(): Promise<AcquireResult> {
    return Promise.resolve({ kind: "not_found" });
  }
  renew(): Promise<boolean> {
    this.renewals.push(this.clock.now());
    switch (this.answer) {
      case "yes":
        return Promise.resolve(true);
      case "no":
        return Promise.resolve(false);
      case "fail":
        return Promise.reject(new Error("connection closed"));
      case "hang":
        return new Promise(() => {});
    }
  }
  release(grant: Grant): Promise<void> {
    this.released.push(grant);
    return Promise.resolve();
  }
}

function setup() {
  const clock = new FakeClock(0);
  const ownership = new ScriptedOwnership(clock);
  const lost: { grant: Grant; reason: LossReason; at: number }[] = [];
  const keeper = new LeaseKeeper({
    ownership,
    leaseMs: LEASE,
    timing: clock,
    onLost: (grant, reason) => lost.push({ grant, reason, at: clock.now() }),
  });
  /** Moves time in small steps, letting renew promises settle between them. */
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t += 50) {
      clock.advance(50);
      for (let i = 0; i < 3; i++) await Promise.resolve();
    }
  };
  return { clock, ownership, lost, keeper, run };
}

Deno.test("LeaseKeeper renews every third of the lease while Redis agrees, and never reports a loss", async () => {
  const { ownership, lost, keeper, run } = setup();
  keeper.hold(GRANT, 0);
  await run(10 * LEASE);
  assert.deepEqual(lost, []);
  assert.ok(keeper.isLive("R1"));
  assert.equal(ownership.renewals.length, 30, `renewals at ${ownership.renewals}`);
  const gaps = ownership.renewals.slice(1).map((t, i) => t - ownership.renewals[i]!);
  assert.ok(gaps.every((gap) => gap === 2_000), `gaps ${gaps}`);
  keeper.stop();
});

Deno.test("LeaseKeeper reports a lease Redis refused to renew as taken, once, and stops keeping it", async () => {
  const { clock, ownership, lost, keeper, run } = setup();
  keeper.hold(GRANT, 0);
  ownership.answer = "no";
  await run(3 * LEASE);
  assert.deepEqual(lost.map((l) => [l.reason, l.at]), [["taken", 2_000]]);
  assert.equal(keeper.isLive("R1"), false);
  assert.equal(ownership.renewals.length, 1);
  assert.equal(clock.pending, 0, "no timer is left once nothing is kept");
});

for (const answer of ["fail", "hang"] as const) {
  Deno.test(`LeaseKeeper fences itself before the lease can lapse when renewals ${answer}`, async () => {
    const { clock, ownership, lost, keeper, run } = setup();
    keeper.hold(GRANT, 0);
    ownership.answer = answer;
    await run(4_900);
    assert.ok(keeper.isLive("R1"), "still live just before the self-fence");
    assert.equal(lost.length, 0);
    await run(LEASE);
    assert.equal(lost.length, 1);
    assert.equal(lost[0]!.reason, "unreachable");
    assert.ok(lost[0]!.at >= 5_000 - 50 && lost[0]!.at <= 5_000, `fenced at ${lost[0]!.at}`);
    assert.ok(lost[0]!.at < LEASE, "before Redis could hand the room to anyone else");
    assert.equal(keeper.isLive("R1"), false);
    if (answer === "fail") {
      assert.ok(ownership.renewals.length >= 4, `a failed renewal is retried soon: ${ownership.renewals}`);
    } else {
      assert.equal(ownership.renewals.length, 1, "a hanging renewal is not piled up behind");
    }
    assert.equal(clock.pending, 0);
  });
}

Deno.test("LeaseKeeper: a renewal that succeeds after failures extends the lease from when it was sent", async () => {
  const { ownership, lost, keeper, run } = setup();
  keeper.hold(GRANT, 0);
  ownership.answer = "fail";
  await run(3_000);
  ownership.answer = "yes";
  await run(3 * LEASE);
  assert.deepEqual(lost, []);
  assert.ok(keeper.isLive("R1"));
  keeper.stop();
});

Deno.test("LeaseKeeper.release gives the lease up and renews no more", async () => {
  const { clock, ownership, lost, keeper, run } = setup();
  keeper.hold(GRANT, 0);
  await run(2_100);
  await keeper.release("R1");
  const renewed = ownership.renewals.length;
  await run(2 * LEASE);
  assert.deepEqual(ownership.released, [GRANT]);
  assert.equal(ownership.renewals.length, renewed);
  assert.deepEqual(lost, []);
  assert.equal(keeper.isLive("R1"), false);
  assert.equal(clock.pending, 0);
});

Deno.test("LeaseKeeper refuses a schedule that cannot renew inside the lease", () => {
  const clock = new FakeClock(0);
  assert.throws(
    () =>
      new LeaseKeeper({
        ownership: new ScriptedOwnership(clock),
        timing: clock,
        leaseMs: 1_000,
        renewEveryMs: 900,
        onLost: () => {},
      }),
    /renewals must come well inside the lease/,
  );
});

Deno.test("keptOwnership keeps what it grants and stops keeping what is released", async () => {
  const clock = new FakeClock(0);
  const inner = new ScriptedOwnership(clock);
  inner.acquire = () => Promise.resolve({ kind: "granted", grant: GRANT });
  const keeper = new LeaseKeeper({ ownership: inner, timing: clock, leaseMs: LEASE, onLost: () => {} });
  const ownership = keptOwnership(inner, keeper, clock);
  assert.deepEqual(await ownership.acquire("R1", "node-a"), { kind: "granted", grant: GRANT });
  assert.ok(keeper.isLive("R1"));
  clock.advance(2_000);
  assert.equal(inner.renewals.length, 1, "the keeper renews what was granted");
  await ownership.release(GRANT);
  assert.equal(keeper.isLive("R1"), false);
  assert.deepEqual(inner.released, [GRANT]);
  assert.equal(clock.pending, 0);
});
