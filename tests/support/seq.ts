// The room-stream numbering check shared by room and end-to-end tests: seq values with no gap and no repeat.

import assert from "node:assert/strict";

/** Asserts `seqs` is non-empty and counts up by one from `first` (default: whatever it starts at). */
export function assertContiguous(seqs: readonly number[], who: string, first?: number): void {
  assert.ok(seqs.length > 0, `${who} saw room broadcasts`);
  const start = first ?? seqs[0]!;
  assert.deepEqual(seqs, seqs.map((_, i) => start + i), `${who} saw every seq once, without gaps`);
}
