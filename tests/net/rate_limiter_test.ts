// TokenBucket: a burst of `capacity`, then `perSecond` steady, refilled by the time that passes.

import assert from "node:assert/strict";
import { TokenBucket } from "../../src/net/rate_limiter.ts";

function takeAll(bucket: TokenBucket, now: number): number {
  let taken = 0;
  while (bucket.take(now)) taken += 1;
  return taken;
}

Deno.test("take() allows a full burst at once, then refuses", () => {
  const bucket = new TokenBucket(20, 40, 0);
  assert.equal(takeAll(bucket, 0), 40);
  assert.equal(bucket.take(0), false);
});

Deno.test("take() settles to the steady rate after the burst", () => {
  const bucket = new TokenBucket(20, 40, 0);
  takeAll(bucket, 0);
  // One token every 50 ms at 20 per second.
  for (let now = 50; now <= 5_000; now += 50) {
    assert.equal(bucket.take(now), true, `at ${now} ms`);
    assert.equal(bucket.take(now), false, `second take at ${now} ms`);
  }
});

Deno.test("take() refills in proportion to the time that passed", () => {
  const bucket = new TokenBucket(10, 40, 0);
  takeAll(bucket, 0);
  assert.equal(takeAll(bucket, 500), 5);
  assert.equal(takeAll(bucket, 1_500), 10);
});

Deno.test("take() never refills beyond the burst capacity", () => {
  const bucket = new TokenBucket(20, 40, 0);
  takeAll(bucket, 0);
  assert.equal(takeAll(bucket, 60_000), 40);
});

Deno.test("take() keeps fractions of a token between calls", () => {
  const bucket = new TokenBucket(20, 1, 0);
  assert.equal(bucket.take(0), true);
  assert.equal(bucket.take(25), false); // half a token
  assert.equal(bucket.take(50), true); // the other half arrived
});

Deno.test("take() over a long run admits the burst plus the rate times the seconds", () => {
  const bucket = new TokenBucket(20, 40, 0);
  let admitted = 0;
  // A client hammering every millisecond for ten seconds.
  for (let now = 0; now < 10_000; now += 1) if (bucket.take(now)) admitted += 1;
  assert.ok(admitted >= 40 + 199 && admitted <= 40 + 200, `admitted ${admitted}`);
});

Deno.test("take() ignores a clock that goes backwards", () => {
  const bucket = new TokenBucket(20, 2, 1_000);
  takeAll(bucket, 1_000);
  assert.equal(bucket.take(0), false);
  assert.equal(bucket.tokens, 0);
  assert.equal(bucket.take(1_050), true);
});

Deno.test("a refused take() does not spend a token", () => {
  const bucket = new TokenBucket(20, 1, 0);
  bucket.take(0);
  for (let i = 0; i < 10; i++) bucket.take(0);
  assert.equal(bucket.take(50), true);
});
