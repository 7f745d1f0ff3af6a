// Session tokens: 128 random bits in unpadded base64url, encoded exactly as the platform's base64 would.

import assert from "node:assert/strict";
import { base64url16, newSessionToken } from "../../src/rooms/session_token.ts";

/** The reference encoding the table replaces. */
function viaBtoa(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

Deno.test("the table encoding matches btoa's base64url for edge and seeded byte patterns", () => {
  const samples = [
    new Uint8Array(16),
    new Uint8Array(16).fill(255),
    Uint8Array.from({ length: 16 }, (_, i) => i),
  ];
  let state = 12345;
  for (let n = 0; n < 500; n++) {
    samples.push(Uint8Array.from({ length: 16 }, () => (state = (state * 1103515245 + 12345) >>> 0) >>> 24));
  }
  for (const bytes of samples) {
    const padded = new Uint8Array(20);
    padded.set(bytes, 3);
    assert.equal(base64url16(padded, 3), viaBtoa(bytes), bytes.join(","));
  }
});

Deno.test("tokens are 22 base64url characters and do not repeat, across refills of the random pool", () => {
  const tokens = Array.from({ length: 1000 }, () => newSessionToken());
  for (const token of tokens) assert.match(token, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(new Set(tokens).size, tokens.length);
});
