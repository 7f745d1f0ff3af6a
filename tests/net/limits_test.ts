// utf8Length: the frame size the limits are checked against.

import assert from "node:assert/strict";
import { DEFAULT_LIMITS, utf8Length } from "../../src/net/limits.ts";

const encoder = new TextEncoder();

Deno.test("utf8Length() equals the encoded length of long text in every script", () => {
  for (
    const text of [
      "a".repeat(10_000),
      "é".repeat(6_000),
      "€".repeat(6_000),
      "😀".repeat(5_000),
      "a€😀é".repeat(3_000),
    ]
  ) {
    assert.equal(utf8Length(text, 16_384), encoder.encode(text).length, text.slice(0, 4));
  }
});

Deno.test("utf8Length() with no limit to stay under counts every frame exactly, ASCII or not", () => {
  for (const text of ["", '{"event":"chat"}', "\u0000\u007f", "Zoë", "象棋 😀", "a".repeat(500) + "é"]) {
    assert.equal(utf8Length(text, 0), encoder.encode(text).length, JSON.stringify(text.slice(0, 8)));
  }
});

Deno.test("utf8Length() never reports short text as over a limit it is under", () => {
  for (const text of ["", "ping", "€".repeat(100), "😀".repeat(100)]) {
    const reported = utf8Length(text, 16_384);
    assert.ok(reported <= 16_384);
    assert.ok(reported <= encoder.encode(text).length);
  }
});

Deno.test("utf8Length() puts text just over the limit over it", () => {
  const limit = 1_000;
  const text = "€".repeat(334); // 1002 bytes, 334 units
  assert.ok(utf8Length(text, limit) > limit);
});

Deno.test("the default limits are the contract's", () => {
  assert.equal(DEFAULT_LIMITS.maxFrameBytes, 16 * 1024);
  assert.equal(DEFAULT_LIMITS.ratePerSecond, 20);
  assert.equal(DEFAULT_LIMITS.rateBurst, 40);
  assert.equal(DEFAULT_LIMITS.maxConnectionsPerRoom, 100);
  assert.equal(DEFAULT_LIMITS.maxConnectionsPerAddress, 50);
  assert.equal(DEFAULT_LIMITS.heartbeatMs, 30_000);
  assert.equal(DEFAULT_LIMITS.idleTimeoutMs, 60_000);
  assert.equal(DEFAULT_LIMITS.sendBufferBytes, 1024 * 1024);
  assert.ok(Object.isFrozen(DEFAULT_LIMITS));
});
