// Start-up checks against a real redis-server: a fit server passes, each unfit setting is named in one line,
// and the Function library is loaded when missing or older, and never downgraded.

import assert from "node:assert/strict";
import { checkRedis, ensureLibrary, judgeRedis, readRedisFacts } from "../../src/store/redis_checks.ts";
import { LIBRARY_NAME, LIBRARY_VERSION } from "../../src/store/redis_library.ts";
import { openRedisStore } from "../../src/store/redis_store.ts";
import { StoreError } from "../../src/store/ports.ts";
import { freePort } from "../support/server_process.ts";
import { withRedis } from "./redis_fixture.ts";

const FIT = { version: "7.0.15", appendonly: "yes", appendfsync: "always", maxmemoryPolicy: "noeviction" };

Deno.test("judgeRedis passes a fit server and names each unfit setting", () => {
  assert.deepEqual(judgeRedis(FIT), { errors: [], warnings: [] });
  assert.match(judgeRedis({ ...FIT, version: "6.2.14" }).errors.join(), /6\.2\.14 is too old.*7\.0/);
  assert.match(judgeRedis({ ...FIT, appendonly: "no" }).errors.join(), /appendonly no.*set appendonly yes/);
  assert.match(
    judgeRedis({ ...FIT, maxmemoryPolicy: "allkeys-lru" }).errors.join(),
    /allkeys-lru.*noeviction/,
  );
  const everysec = judgeRedis({ ...FIT, appendfsync: "everysec" });
  assert.deepEqual(everysec.errors, []);
  assert.match(everysec.warnings.join(), /appendfsync everysec.*about a second/);
  const hidden = judgeRedis({ ...FIT, appendonly: null, appendfsync: null, maxmemoryPolicy: null });
  assert.deepEqual(hidden.errors, []);
  assert.equal(hidden.warnings.length, 3, "settings Redis will not show are warned about, not guessed");
});

Deno.test("the harness's redis-server passes the checks; CONFIG SET makes it fail them", async () => {
  await withRedis(async ({ client }) => {
    const facts = await readRedisFacts(client);
    assert.match(facts.version, /^7\./);
    assert.deepEqual({ ...facts, version: "7" }, { ...FIT, version: "7" });
    assert.deepEqual(await checkRedis(client), {
      warnings: [],
      library: `${LIBRARY_NAME} v${LIBRARY_VERSION} present`,
    });
    await client.config("SET", "appendfsync", "everysec");
    assert.match((await checkRedis(client)).warnings.join(), /appendfsync everysec/);
    await client.config("SET", "maxmemory-policy", "volatile-ttl");
    await assert.rejects(checkRedis(client), /maxmemory-policy volatile-ttl/);
  });
});

Deno.test("ensureLibrary loads a missing library, replaces an older one and refuses to downgrade a newer one", async () => {
  await withRedis(async ({ client }) => {
    await client.call("FUNCTION", ["FLUSH"]);
    assert.equal(await ensureLibrary(client), "loaded");
    assert.equal(await ensureLibrary(client), "present");
    const fake = (version: string) =>
      `#!lua name=${LIBRARY_NAME}\nredis.register_function{function_name='lt_version', ` +
      `callback=function() return '${version}' end, flags={'no-writes'}}`;
    await client.call("FUNCTION", ["LOAD", "REPLACE", fake("0")]);
    assert.equal(await ensureLibrary(client), "replaced");
    await client.call("FUNCTION", ["LOAD", "REPLACE", fake("999")]);
    await assert.rejects(ensureLibrary(client), /v999, newer than this node's v1: upgrade this node/);
  });
});

Deno.test("openRedisStore stops with one clear line when Redis is unreachable, unfit or the URL is wrong", async () => {
  const refused = await openRedisStore({ url: `redis://127.0.0.1:${freePort()}`, nodeId: "n" }).catch((e) =>
    e
  );
  assert.ok(refused instanceof StoreError);
  assert.match(refused.message, /^redis: cannot reach Redis at 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  assert.doesNotMatch(refused.message, /\n/);
  await assert.rejects(openRedisStore({ url: "http://x", nodeId: "n" }), /redis: expected a redis:\/\/ URL/);
  await withRedis(async ({ server, client }) => {
    await client.config("SET", "appendonly", "no");
    await assert.rejects(openRedisStore({ url: server.url, nodeId: "n" }), /redis: Redis has appendonly no/);
  });
});
