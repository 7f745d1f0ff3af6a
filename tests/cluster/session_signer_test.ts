// Signed session tokens: any node with the cluster secret accepts a token issued for the room, and nothing
// else: another room, another cluster's secret, a changed character, or garbage.

import assert from "node:assert/strict";
import { SessionSigner } from "../../src/net/session_signer.ts";

const SECRET = "0123456789abcdef0123456789abcdef";

Deno.test("a token verifies for its room on any node with the secret", () => {
  const token = new SessionSigner(SECRET).issue("T4BLE");
  assert.match(token, /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/);
  assert.ok(new SessionSigner(SECRET).verify("T4BLE", token), "another node, same secret");
  assert.notEqual(new SessionSigner(SECRET).issue("T4BLE"), token, "fresh every time");
});

Deno.test("a token is refused for another room, under another secret, changed, or malformed", () => {
  const signer = new SessionSigner(SECRET);
  const token = signer.issue("T4BLE");
  assert.equal(signer.verify("OTHER", token), false);
  assert.equal(new SessionSigner(`${SECRET}x`).verify("T4BLE", token), false);
  const last = token.at(-1) === "A" ? "B" : "A";
  assert.equal(signer.verify("T4BLE", token.slice(0, -1) + last), false);
  const first = token[0] === "A" ? "B" : "A";
  assert.equal(signer.verify("T4BLE", first + token.slice(1)), false, "the nonce is bound too");
  for (const bad of ["", ".", "abc", `${token}.x`, `.${token.split(".")[1]}`, "x".repeat(200)]) {
    assert.equal(signer.verify("T4BLE", bad), false, bad);
  }
});

Deno.test("a short secret is refused", () => {
  assert.throws(() => new SessionSigner("short"), /at least 32 characters/);
});
