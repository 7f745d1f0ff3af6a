// The liaptui Redis Function library against a real redis-server: leases and their epochs, the checked
// append with each of its explicit answers, and what a stale or racing writer gets.

import assert from "node:assert/strict";
import { roomKeys } from "../../src/store/redis_keys.ts";
import { RedisFunctions } from "../../src/store/redis_functions.ts";
import { withRedis } from "./redis_fixture.ts";

const TTL = 6_000;

async function createAndAcquire(fns: RedisFunctions, room: string, token: string) {
  assert.deepEqual(await fns.roomCreate(room, 1_700_000_000_000, '{"name":"x"}'), { status: "created" });
  const grant = await fns.leaseAcquire(room, token, "node-a", TTL);
  assert.equal(grant.status, "granted");
  return grant.status === "granted" ? grant : assert.fail("not granted");
}

function entry(n: number) {
  return { kind: "action", data: JSON.stringify({ n }) };
}

Deno.test("room_create creates a room once and tells a second creator the head", async () => {
  await withRedis(async ({ fns, client }) => {
    assert.deepEqual(await fns.roomCreate("R1", 5, '{"name":"first"}'), { status: "created" });
    assert.deepEqual(await fns.roomCreate("R1", 6, '{"name":"second"}'), { status: "exists", head: 0 });
    const meta = await client.hgetall(roomKeys("R1").meta);
    assert.deepEqual(meta, {
      status: "open",
      epoch: "0",
      seq: "0",
      created: "5",
      data: '{"name":"first"}',
      token: "",
      owner: "",
    });
  });
});

Deno.test("lease_acquire: not_found, then granted with epoch 1, then busy for everyone else", async () => {
  await withRedis(async ({ fns }) => {
    assert.deepEqual(await fns.leaseAcquire("R1", "t1", "node-a", TTL), { status: "not_found" });
    await fns.roomCreate("R1", 1, "{}");
    assert.deepEqual(await fns.leaseAcquire("R1", "t1", "node-a", TTL), {
      status: "granted",
      epoch: 1,
      head: 0,
    });
    const busy = await fns.leaseAcquire("R1", "t2", "node-b", TTL);
    assert.equal(busy.status, "busy");
    if (busy.status !== "busy") return;
    assert.equal(busy.owner, "node-a");
    assert.equal(busy.epoch, 1);
    assert.ok(busy.remainingMs > 0 && busy.remainingMs <= TTL, `remaining ${busy.remainingMs}`);
  });
});

Deno.test("release hands the room over at once and the next grant has a higher epoch and the head", async () => {
  await withRedis(async ({ fns }) => {
    const first = await createAndAcquire(fns, "R1", "t1");
    assert.equal(
      (await fns.logAppend({
        room: "R1",
        token: "t1",
        epoch: first.epoch,
        seq: 1,
        actionId: "a1",
        fields: entry(1),
      })).status,
      "ok",
    );
    assert.deepEqual(await fns.leaseRelease("R1", "wrong"), { status: "fenced", epoch: 1 });
    assert.deepEqual(await fns.leaseRelease("R1", "t1"), { status: "ok" });
    assert.deepEqual(await fns.leaseAcquire("R1", "t2", "node-b", TTL), {
      status: "granted",
      epoch: 2,
      head: 1,
    });
  });
});

Deno.test("renew extends only the current holder's lease and cannot revive a lapsed one", async () => {
  await withRedis(async ({ fns, client }) => {
    const keys = roomKeys("R1");
    await createAndAcquire(fns, "R1", "t1");
    await client.pexpire(keys.lease, 500);
    assert.deepEqual(await fns.leaseRenew("R1", "t1", TTL), { status: "ok" });
    assert.ok((await client.pttl(keys.lease)) > 1_000, "renew moved the expiry");
    assert.deepEqual(await fns.leaseRenew("R1", "other", TTL), { status: "fenced", epoch: 1 });
    await client.del(keys.lease); // The lease lapsed (as PX would), nobody took it yet.
    assert.deepEqual(await fns.leaseRenew("R1", "t1", TTL), { status: "fenced", epoch: 1 });
    assert.equal(await client.exists(keys.lease), 0, "a fenced renew wrote nothing");
  });
});

Deno.test("a lease expires on Redis's clock and the room can then be taken", async () => {
  await withRedis(async ({ fns, client }) => {
    await fns.roomCreate("R1", 1, "{}");
    assert.equal((await fns.leaseAcquire("R1", "t1", "node-a", 30)).status, "granted");
    // Wait for the event (the key gone), not for a fixed time.
    while (await client.exists(roomKeys("R1").lease) === 1) await new Promise((r) => setTimeout(r, 10));
    const grant = await fns.leaseAcquire("R1", "t2", "node-b", TTL);
    assert.equal(grant.status, "granted");
    assert.equal(grant.status === "granted" && grant.epoch, 2);
  });
});

Deno.test("append writes <seq>-0 entries in order and answers ok with the seq", async () => {
  await withRedis(async ({ fns, client }) => {
    const grant = await createAndAcquire(fns, "R1", "t1");
    for (let seq = 1; seq <= 5; seq++) {
      const reply = await fns.logAppend({
        room: "R1",
        token: "t1",
        epoch: grant.epoch,
        seq,
        actionId: `a${seq}`,
        fields: entry(seq),
      });
      assert.deepEqual(reply, { status: "ok", seq });
    }
    const log = await client.xrange(roomKeys("R1").log, "-", "+");
    assert.deepEqual(log.map(([id]) => id), ["1-0", "2-0", "3-0", "4-0", "5-0"]);
    assert.deepEqual(log[2]![1], ["kind", "action", "data", '{"n":3}']);
    assert.equal(await client.hget(roomKeys("R1").meta, "seq"), "5");
    assert.equal(await client.hget(roomKeys("R1").ids, "a4"), "4");
  });
});

Deno.test("append answers conflict with the head for a skipped or repeated seq and writes nothing", async () => {
  await withRedis(async ({ fns, client }) => {
    const grant = await createAndAcquire(fns, "R1", "t1");
    const base = { room: "R1", token: "t1", epoch: grant.epoch, fields: entry(0) };
    assert.deepEqual(await fns.logAppend({ ...base, seq: 2, actionId: "x" }), {
      status: "conflict",
      head: 0,
    });
    assert.deepEqual(await fns.logAppend({ ...base, seq: 1, actionId: "a" }), { status: "ok", seq: 1 });
    assert.deepEqual(await fns.logAppend({ ...base, seq: 1, actionId: "b" }), {
      status: "conflict",
      head: 1,
    });
    assert.deepEqual(await fns.logAppend({ ...base, seq: 0, actionId: "c" }), {
      status: "conflict",
      head: 1,
    });
    assert.equal(await client.xlen(roomKeys("R1").log), 1);
    assert.deepEqual(await client.hkeys(roomKeys("R1").ids), ["a"], "refused ids were not recorded");
  });
});

Deno.test("append answers duplicate with the first seq for a retried action id, whatever seq it names", async () => {
  await withRedis(async ({ fns, client }) => {
    const grant = await createAndAcquire(fns, "R1", "t1");
    const base = { room: "R1", token: "t1", epoch: grant.epoch, fields: entry(0) };
    assert.deepEqual(await fns.logAppend({ ...base, seq: 1, actionId: "a" }), { status: "ok", seq: 1 });
    assert.deepEqual(await fns.logAppend({ ...base, seq: 2, actionId: "b" }), { status: "ok", seq: 2 });
    assert.deepEqual(await fns.logAppend({ ...base, seq: 2, actionId: "a" }), {
      status: "duplicate",
      seq: 1,
    });
    assert.deepEqual(await fns.logAppend({ ...base, seq: 3, actionId: "a" }), {
      status: "duplicate",
      seq: 1,
    });
    assert.equal(await client.xlen(roomKeys("R1").log), 2);
  });
});

Deno.test("a stale owner is fenced after a takeover: its append changes nothing", async () => {
  await withRedis(async ({ fns, client }) => {
    const old = await createAndAcquire(fns, "R1", "t1");
    await fns.logAppend({
      room: "R1",
      token: "t1",
      epoch: old.epoch,
      seq: 1,
      actionId: "a",
      fields: entry(1),
    });
    await client.del(roomKeys("R1").lease); // The old owner stalled past its lease.
    const next = await fns.leaseAcquire("R1", "t2", "node-b", TTL);
    assert.equal(next.status === "granted" && next.epoch, 2);
    const stale = await fns.logAppend({
      room: "R1",
      token: "t1",
      epoch: old.epoch,
      seq: 2,
      actionId: "b",
      fields: entry(2),
    });
    assert.deepEqual(stale, { status: "fenced", epoch: 2 });
    // Even a duplicate is not revealed to a fenced writer, and the right token with an old epoch is fenced too.
    assert.deepEqual(
      await fns.logAppend({
        room: "R1",
        token: "t1",
        epoch: old.epoch,
        seq: 2,
        actionId: "a",
        fields: entry(2),
      }),
      { status: "fenced", epoch: 2 },
    );
    assert.deepEqual(
      await fns.logAppend({
        room: "R1",
        token: "t2",
        epoch: 1,
        seq: 2,
        actionId: "b",
        fields: entry(2),
      }),
      { status: "fenced", epoch: 2 },
    );
    assert.equal(await client.xlen(roomKeys("R1").log), 1);
    assert.deepEqual(
      await fns.logAppend({
        room: "R1",
        token: "t2",
        epoch: 2,
        seq: 2,
        actionId: "b",
        fields: entry(2),
      }),
      { status: "ok", seq: 2 },
    );
  });
});

Deno.test("an owner whose lease lapsed is fenced even when nobody took the room", async () => {
  await withRedis(async ({ fns, client }) => {
    const grant = await createAndAcquire(fns, "R1", "t1");
    await client.del(roomKeys("R1").lease);
    assert.deepEqual(
      await fns.logAppend({
        room: "R1",
        token: "t1",
        epoch: grant.epoch,
        seq: 1,
        actionId: "a",
        fields: entry(1),
      }),
      { status: "fenced", epoch: 1 },
    );
    assert.equal(await client.exists(roomKeys("R1").log), 0);
  });
});

Deno.test("finish closes the log: appends answer finished, the room cannot be taken, the log stays", async () => {
  await withRedis(async ({ fns, client }) => {
    const grant = await createAndAcquire(fns, "R1", "t1");
    const base = { room: "R1", token: "t1", epoch: grant.epoch, fields: entry(0) };
    assert.deepEqual(await fns.logAppend({ ...base, seq: 1, actionId: "last" }), { status: "ok", seq: 1 });
    assert.deepEqual(await fns.roomFinish("R1", "other", grant.epoch), { status: "fenced", epoch: 1 });
    assert.deepEqual(await fns.roomFinish("R1", "t1", grant.epoch), { status: "ok", seq: 1 });
    assert.equal(await client.hget(roomKeys("R1").meta, "status"), "finished");
    assert.deepEqual(await fns.logAppend({ ...base, seq: 2, actionId: "late" }), { status: "finished" });
    assert.deepEqual(await fns.logAppend({ ...base, seq: 2, actionId: "last" }), { status: "finished" });
    assert.deepEqual(await fns.roomFinish("R1", "t1", grant.epoch), { status: "finished" });
    await fns.leaseRelease("R1", "t1");
    assert.deepEqual(await fns.leaseAcquire("R1", "t2", "node-b", TTL), { status: "not_found" });
    assert.equal(await client.xlen(roomKeys("R1").log), 1);
  });
});

Deno.test("append to a room that was never created answers not_found and creates nothing", async () => {
  await withRedis(async ({ fns, client }) => {
    assert.deepEqual(
      await fns.logAppend({
        room: "R9",
        token: "t",
        epoch: 1,
        seq: 1,
        actionId: "a",
        fields: entry(1),
      }),
      { status: "not_found" },
    );
    assert.equal(await client.dbsize(), 0);
  });
});

Deno.test("bad arguments are refused with an error before any write", async () => {
  await withRedis(async ({ fns, client }) => {
    const grant = await createAndAcquire(fns, "R1", "t1");
    const k = roomKeys("R1");
    const call = (args: string[]) =>
      client.call("FCALL", ["lt_log_append", 4, k.meta, k.lease, k.log, k.ids, ...args]);
    const epoch = String(grant.epoch);
    await assert.rejects(call(["t1", epoch, "one", "a", "f", "v"]), /seq must be a whole number/);
    await assert.rejects(call(["t1", epoch, "1", "a", "lonely"]), /field\/value pairs/);
    await assert.rejects(call(["t1", epoch, "1", "a"]), /field\/value pairs/);
    await assert.rejects(call(["", epoch, "1", "a", "f", "v"]), /token is missing/);
    await assert.rejects(call(["t1", epoch, "1", "", "f", "v"]), /action_id is missing/);
    assert.equal(await client.exists(k.log), 0);
    assert.equal(await client.hget(k.meta, "seq"), "0");
  });
});

Deno.test("two writers racing for the same seq: exactly one ok, the other a conflict, 50 times over", async () => {
  await withRedis(async ({ fns, connect }) => {
    const grant = await createAndAcquire(fns, "R1", "t1");
    const other = new RedisFunctions(await connect("liaptui:test:other"));
    for (let seq = 1; seq <= 50; seq++) {
      const base = { room: "R1", token: "t1", epoch: grant.epoch, seq, fields: entry(seq) };
      const replies = await Promise.all([
        fns.logAppend({ ...base, actionId: `x${seq}` }),
        other.logAppend({ ...base, actionId: `y${seq}` }),
      ]);
      const statuses = replies.map((r) => r.status).sort();
      assert.deepEqual(statuses, ["conflict", "ok"], `seq ${seq}`);
    }
  });
});

Deno.test("two nodes racing to take a free room: exactly one is granted, 50 rooms over", async () => {
  await withRedis(async ({ fns, connect }) => {
    const other = new RedisFunctions(await connect("liaptui:test:other"));
    for (let n = 0; n < 50; n++) {
      const room = `race${n}`;
      const created = await Promise.all([
        fns.roomCreate(room, 1, "{}"),
        other.roomCreate(room, 2, "{}"),
      ]);
      assert.deepEqual(created.map((c) => c.status).sort(), ["created", "exists"]);
      const grants = await Promise.all([
        fns.leaseAcquire(room, `a${n}`, "node-a", TTL),
        other.leaseAcquire(room, `b${n}`, "node-b", TTL),
      ]);
      assert.deepEqual(grants.map((g) => g.status).sort(), ["busy", "granted"], room);
    }
  });
});
