// The gates of issue 12 over one chaos run, asserted unconditionally, and proof that each fault happened.

import assert from "node:assert/strict";
import { type ChaosReport, LEASE_MS, percentile } from "./chaos_run.ts";

export function assertGates(report: ChaosReport): void {
  const { counts } = report;
  // The faults happened: every planned step found a game in play.
  assert.ok(counts.kill >= 2, `${counts.kill} plain SIGKILLs`);
  assert.ok(
    counts.kill_unbroadcast >= 1 && report.unbroadcast >= 1,
    "a kill landed between append and broadcast",
  );
  assert.ok(counts.stop >= 1 && report.fencedNodes >= 1, "an owner stalled past its lease fenced itself");
  assert.ok(counts.redis_restart >= 1, "Redis restarted");
  // The gates.
  assert.equal(report.lost, 0, "actions lost");
  assert.equal(report.twice, 0, "actions applied twice");
  assert.equal(report.gaps, 0, "seq gaps seen by clients in the stream");
  assert.equal(report.reconnectGaps, 0, "seq gaps seen by clients coming back");
  assert.equal(report.repeats, 0, "seq repeats seen by clients");
  assert.deepEqual(report.unfinished, [], "every game finishes");
  const p95 = percentile(report.failovers, 95);
  assert.ok(report.failovers.length >= 2, `${report.failovers.length} failovers measured`);
  assert.ok(p95 <= LEASE_MS + 2_000, `failover p95 ${Math.round(p95)} ms`);
}
