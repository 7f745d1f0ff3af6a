// POST /api/admin/gc in-process: behind the token, it runs the runtime's collection once and reports memory;
// without a collector to call it says so instead of pretending.

import assert from "node:assert/strict";
import { adminRoutes } from "../../src/http/admin_routes.ts";
import { silentLogger } from "../../src/net/logger.ts";
import { Operator } from "../../src/net/operator.ts";
import { makeGateway } from "../net/fakes.ts";

const TOKEN = "admin-gc-test-token-0123456789";

function routes(collectGarbage?: () => void) {
  const net = makeGateway();
  const operator = new Operator(net.gateway, net.clock, silentLogger);
  return { api: adminRoutes(operator, TOKEN, collectGarbage), shutdown: () => net.gateway.shutdown() };
}

const post = (token?: string): RequestInit => ({
  method: "POST",
  headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
});

Deno.test("POST /admin/gc collects once behind the token and answers the heap and resident size after it", async () => {
  let collections = 0;
  const { api, shutdown } = routes(() => collections += 1);
  for (const token of [undefined, "wrong-token-0123456789"]) {
    assert.equal((await api.request("/admin/gc", post(token))).status, 401);
  }
  assert.equal(collections, 0, "a refused request collects nothing");
  const response = await api.request("/admin/gc", post(TOKEN));
  assert.equal(response.status, 200);
  assert.equal(collections, 1);
  const body = await response.json() as Record<string, number>;
  assert.deepEqual(Object.keys(body).sort(), [
    "external_bytes",
    "heap_total_bytes",
    "heap_used_bytes",
    "rss_bytes",
  ]);
  assert.ok(body.heap_used_bytes! > 0 && body.heap_used_bytes! <= body.heap_total_bytes!);
  assert.ok(body.rss_bytes! > body.heap_used_bytes!);
  shutdown();
});

Deno.test("POST /admin/gc without a collector to call is 501, not a report of an uncollected heap", async () => {
  const { api, shutdown } = routes();
  const response = await api.request("/admin/gc", post(TOKEN));
  assert.equal(response.status, 501);
  assert.deepEqual(await response.json(), { error: "Not available on this server" });
  shutdown();
});
