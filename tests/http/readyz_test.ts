// /readyz in-process: its store check follows the store's writes through the real room pipeline. A failed
// append makes it 503 until the store writes again or the write probe passes; fake sockets, memory store.

import assert from "node:assert/strict";
import { opsRoutes } from "../../src/http/ops_routes.ts";
import { Readiness } from "../../src/http/readiness.ts";
import { silentLogger } from "../../src/net/logger.ts";
import { Operator } from "../../src/net/operator.ts";
import { StoreJournals } from "../../src/rooms/room_journal.ts";
import { WriteHealth } from "../../src/store/write_health.ts";
import { faultyStore, tick } from "../support/faulty_store.ts";
import { type Client, makeGateway } from "../net/fakes.ts";

async function settle(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 50 && !done(); i++) await tick();
  assert.ok(done(), what);
}

function harness() {
  const { store, failing } = faultyStore();
  const probe = { passes: false, runs: 0 };
  const health = new WriteHealth({
    probe: () => {
      probe.runs += 1;
      return probe.passes ? Promise.resolve() : Promise.reject(new Error("disk full (test probe)"));
    },
  });
  const net = makeGateway({}, { journals: new StoreJournals(health.watch(store)) });
  const readiness = new Readiness();
  readiness.add("store", () => health.writable());
  const ops = opsRoutes({
    readiness,
    metricsText: () => "",
    operator: new Operator(net.gateway, net.clock, silentLogger),
    adminToken: null,
  });
  const readyz = async () => {
    const response = await ops.request("/readyz");
    return { status: response.status, body: await response.json() };
  };
  return { net, failing, probe, readyz };
}

/** Sends one chat and waits for its broadcast or its error; returns which. */
async function chat(client: Client, text: string): Promise<"sent" | string> {
  const before = client.transport.frames.length;
  client.send({ event: "chat", data: { message: text } });
  await settle(() => client.transport.frames.length > before, `an answer to ${text}`);
  const answer = client.transport.frames.at(-1)!;
  return answer.event === "chat" ? "sent" : answer.error?.code ?? answer.event;
}

Deno.test("/readyz is 503 once a write fails, and ready again when the probe passes or the store writes", async () => {
  const { net, failing, probe, readyz } = harness();
  const ann = net.connect("r1");
  ann.send({ event: "join_room", data: { player_name: "Ann" } });
  await settle(() => ann.transport.events("joined_room").length === 1, "Ann joined");
  assert.deepEqual(await readyz(), { status: 200, body: { status: "ready", checks: { store: true } } });
  assert.equal(probe.runs, 0, "no probe while the store writes");

  failing.on = true;
  assert.equal(await chat(ann, "lost"), "SERVER_ERROR");
  assert.deepEqual(await readyz(), { status: 503, body: { status: "not ready", checks: { store: false } } });
  assert.equal(probe.runs, 1, "the probe was asked, and failed");

  probe.passes = true; // the disk has room again
  assert.deepEqual((await readyz()).status, 200);
  assert.equal(probe.runs, 2);

  assert.equal(await chat(ann, "lost again"), "SERVER_ERROR", "the store itself still fails");
  assert.deepEqual(
    (await readyz()).status,
    200,
    "a passing probe answers for the store until it fails again",
  );
  probe.passes = false;
  assert.equal(await chat(ann, "and again"), "SERVER_ERROR");
  assert.deepEqual((await readyz()).status, 503);

  failing.on = false;
  assert.equal(await chat(ann, "stored"), "sent");
  const runs = probe.runs;
  assert.deepEqual((await readyz()).status, 200, "a stored write clears the failure");
  assert.equal(probe.runs, runs, "without a probe");
  net.gateway.shutdown();
});
