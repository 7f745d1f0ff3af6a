// ClientAddress and OriginCheck: forwarding headers believed only from trusted proxies; which pages may open
// sockets.

import assert from "node:assert/strict";
import { ClientAddress } from "../../src/http/client_address.ts";
import { OriginCheck } from "../../src/http/origin_check.ts";

const headers = (init: Record<string, string>) => new Headers(init);

Deno.test("without trusted proxies the forwarding headers are ignored", () => {
  const resolve = new ClientAddress([]);
  assert.equal(resolve.resolve("10.0.0.5", headers({ "x-forwarded-for": "203.0.113.1" })), "10.0.0.5");
  assert.equal(resolve.resolve("::ffff:10.0.0.5", headers({})), "10.0.0.5", "IPv4-mapped peers read as IPv4");
});

Deno.test("a peer outside the trusted list is the client, whatever it claims", () => {
  const resolve = new ClientAddress(["127.0.0.1"]);
  assert.equal(
    resolve.resolve("198.51.100.9", headers({ "x-forwarded-for": "203.0.113.1" })),
    "198.51.100.9",
  );
});

Deno.test("through trusted proxies the nearest untrusted hop is the client", () => {
  const resolve = new ClientAddress(["127.0.0.1", "10.0.0.0/8", "::1"]);
  const xff = "1.1.1.1, 203.0.113.5, 10.1.2.3";
  assert.equal(resolve.resolve("127.0.0.1", headers({ "x-forwarded-for": xff })), "203.0.113.5");
  assert.equal(resolve.resolve("::1", headers({ "x-forwarded-for": "10.0.0.1" })), "10.0.0.1", "all trusted");
  assert.equal(resolve.resolve("10.200.0.1", headers({})), "10.200.0.1", "no header: the proxy itself");
});

Deno.test("Forwarded wins over X-Forwarded-For and its quoted IPv6 and ports are read", () => {
  const resolve = new ClientAddress(["127.0.0.1"]);
  const both = headers({
    forwarded: 'for=192.0.2.60:4711;proto=https, for="[2001:DB8::1]:80"',
    "x-forwarded-for": "203.0.113.9",
  });
  assert.equal(resolve.resolve("127.0.0.1", both), "2001:db8::1");
  assert.equal(resolve.resolve("127.0.0.1", headers({ forwarded: "for=192.0.2.60:4711" })), "192.0.2.60");
});

Deno.test("a CIDR range matches its addresses only", () => {
  const resolve = new ClientAddress(["192.168.4.0/22"]);
  const via = (peer: string) => resolve.resolve(peer, headers({ "x-forwarded-for": "203.0.113.1" }));
  assert.equal(via("192.168.7.255"), "203.0.113.1");
  assert.equal(via("192.168.8.0"), "192.168.8.0");
  assert.equal(
    new ClientAddress(["0.0.0.0/0"]).resolve("8.8.8.8", headers({ "x-forwarded-for": "1.2.3.4" })),
    "1.2.3.4",
  );
});

Deno.test("OriginCheck allows its own origin, configured ones, none at all, and * ", () => {
  const check = new OriginCheck(["https://friends.example"]);
  assert.ok(check.allows(undefined, "play.example:8080"));
  assert.ok(check.allows("https://play.example:8080", "play.example:8080"));
  assert.ok(check.allows("https://FRIENDS.example", "play.example"));
  assert.ok(!check.allows("https://evil.example", "play.example"));
  assert.ok(!check.allows("null", "play.example"));
  assert.ok(
    !check.allows("https://play.example:8443", "play.example:8080"),
    "another port is another origin",
  );
  assert.ok(new OriginCheck(["*"]).allows("https://evil.example", "play.example"));
});
