// Redis going away under a node: a restart keeps every acknowledged append (AOF, fsync always), commands
// during an outage fail at once with a StoreError, the node reconnects by itself, a retried action is never
// applied twice, and pub/sub hints still arrive afterwards.

import assert from "node:assert/strict";
import { type Grant, StoreError } from "../../src/store/ports.ts";
import { openRedisStore, type RedisStore } from "../../src/store/redis_store.ts";
import { entry } from "../store/conformance.ts";
import { type RedisServer, startRedis } from "./redis_server.ts";

async function withStores(
  count: number,
  body: (server: RedisServer, stores: RedisStore[]) => Promise<void>,
  commandTimeoutMs?: number,
): Promise<void> {
  const server = await startRedis();
  const stores: RedisStore[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const options = { url: server.url, nodeId: `node-${i}` };
      stores.push(
        await openRedisStore(commandTimeoutMs === undefined ? options : { ...options, commandTimeoutMs }),
      );
    }
    await body(server, stores);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
    await server.stop();
  }
}

async function until(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function openRoom(store: RedisStore): Promise<Grant> {
  await store.log.create({ roomId: "R1", createdAt: 1, data: { name: "R1" } });
  const acquired = await store.ownership.acquire("R1", "node-0");
  if (acquired.kind !== "granted") throw new Error(`not granted: ${acquired.kind}`);
  return acquired.grant;
}

/**
 * What a room does when an append's outcome is unknown: send the same action again (same id, same seq) until
 * the store answers; ok or duplicate-with-that-seq both mean "stored once".
 */
async function appendSurely(store: RedisStore, grant: Grant, seq: number): Promise<string> {
  for (;;) {
    try {
      const result = await store.log.append(grant, seq, entry(seq));
      if (result.kind === "ok" || (result.kind === "duplicate" && result.seq === seq)) return result.kind;
      throw new Error(`append ${seq}: ${JSON.stringify(result)}`);
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

Deno.test("a Redis restart keeps every acknowledged append, and the store reconnects and carries on", async () => {
  await withStores(1, async (server, [store]) => {
    const grant = await openRoom(store!);
    for (let seq = 1; seq <= 20; seq++) await appendSurely(store!, grant, seq);
    await server.restart();
    await until("reconnect", () => store!.connected());
    assert.equal(await store!.log.head("R1"), 20);
    assert.deepEqual((await store!.log.read("R1", 0, 100)).map((e) => e.seq), range(1, 20));
    // The lease's expiry is absolute in the AOF, so the owner still holds the room after a quick restart.
    assert.deepEqual(await store!.log.append(grant, 21, entry(21)), { kind: "ok", seq: 21 });
  });
});

Deno.test("during an outage appends fail at once with a StoreError; retried with the same id, each lands once", async () => {
  await withStores(1, async (server, [store]) => {
    const grant = await openRoom(store!);
    await appendSurely(store!, grant, 1);
    await server.down();
    await until("the store to notice", () => !store!.connected());
    const started = performance.now();
    const failed = await store!.log.append(grant, 2, entry(2)).catch((e) => e);
    assert.ok(failed instanceof StoreError, String(failed));
    assert.match(failed.message, /^redis: append failed: /);
    assert.ok(performance.now() - started < 1_000, "no waiting in an offline queue");
    const retried = appendSurely(store!, grant, 2);
    await server.up();
    assert.equal(await retried, "ok");
    await appendSurely(store!, grant, 3);
    assert.deepEqual((await store!.log.read("R1", 0, 10)).map((e) => e.actionId), ["a1", "a2", "a3"]);
  });
});

Deno.test("an append whose reply never came (Redis paused) is retried and answered duplicate, not applied twice", async () => {
  await withStores(1, async (server, [store]) => {
    const grant = await openRoom(store!);
    await appendSurely(store!, grant, 1);
    server.signal("SIGSTOP");
    try {
      // The command reaches Redis's socket but the reply cannot come: the client gives up (command timeout).
      const first = await store!.log.append(grant, 2, entry(2)).catch((e) => e);
      assert.ok(first instanceof StoreError && /timed out/i.test(first.message), String(first));
    } finally {
      server.signal("SIGCONT");
    }
    // Redis ran the append once it woke up; the retry learns that instead of writing again.
    assert.equal(await appendSurely(store!, grant, 2), "duplicate");
    assert.equal(await store!.log.head("R1"), 2);
    assert.deepEqual((await store!.log.read("R1", 0, 10)).map((e) => e.actionId), ["a1", "a2"]);
  }, 300);
});

Deno.test("pub/sub hints reach other nodes, and still do after Redis restarts (no node left deaf)", async () => {
  await withStores(2, async (server, [a, b]) => {
    const heard: string[] = [];
    const off = b!.hints.on("room:R1", (message) => heard.push(message));
    // A subscription takes effect asynchronously: say it until it is heard.
    await until("the first hint", async () => {
      await a!.hints.notify("room:R1", "before");
      return heard.includes("before");
    });
    await server.restart();
    await until("both reconnect", () => a!.connected() && b!.connected());
    await until("a hint after the restart", async () => {
      await a!.hints.notify("room:R1", "after").catch(() => {}); // Only until the connection is back.
      return heard.includes("after");
    });
    off();
    const count = heard.length;
    await a!.hints.notify("room:R1", "unheard");
    await a!.hints.notify("other", "x"); // A round trip later, the unsubscribed topic has still said nothing.
    assert.equal(heard.length, count);
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
