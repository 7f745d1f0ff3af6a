// /metrics reads resumes from the resume code's own counters and the resume buffer's size from the history;
// store appends form a strict histogram and a counter by result; the lease families appear in cluster mode only;
// every family is in docs/deploy.md.

import assert from "node:assert/strict";
import { EventLoopLag } from "../../src/http/event_loop_lag.ts";
import { METRICS, renderMetrics, type ScrapeSources } from "../../src/http/prometheus.ts";
import { CloseCode } from "../../src/protocol/codes.ts";
import { StoreJournals } from "../../src/rooms/room_journal.ts";
import { memoryStore } from "../../src/store/memory_store.ts";
import { makeGateway } from "../net/fakes.ts";
import { tick } from "../support/faulty_store.ts";
import { parsePrometheus } from "../support/prometheus_text.ts";

function sample(text: string, name: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  assert.ok(line, `${name} is in the scrape`);
  return Number(line.slice(name.length + 1));
}

Deno.test("resumes show on /metrics by outcome, with the replayed events and the buffer's size", () => {
  const harness = makeGateway();
  const scrape = () =>
    renderMetrics({
      gateway: harness.gateway,
      lag: new EventLoopLag(() => 0),
      version: "test",
      runtime: "deno",
      uptimeSeconds: () => 1,
    });
  const ann = harness.connect("r1");
  ann.send({ event: "join_room", data: { player_name: "Ann", as: "player" } });
  const token = String(ann.transport.events("joined_room")[0]?.data?.session_token);
  const bo = harness.connect("r1");
  bo.send({ event: "join_room", data: { player_name: "Bo", as: "spectator" } });
  const before = scrape();
  assert.equal(sample(before, 'liaptui_resumes_total{outcome="recovered"}'), 0);
  assert.ok(sample(before, "liaptui_resume_buffer_events") > 0, "the joins are kept");

  const lastSeen = Math.max(...ann.transport.messages.map((m) => m.seq ?? 0));
  ann.close();
  bo.send({ event: "chat", data: { message: "hi" } });
  harness.connect("r1", { token, lastSeq: String(lastSeen) });
  harness.connect("r1", { token });
  harness.connect("r1", { token: "bogus" });

  const after = scrape();
  const counters = harness.gateway.resumeCounters;
  assert.equal(counters.recovered, 1);
  assert.equal(sample(after, 'liaptui_resumes_total{outcome="recovered"}'), 1);
  assert.equal(sample(after, 'liaptui_resumes_total{outcome="snapshot"}'), 1);
  assert.equal(sample(after, 'liaptui_resumes_total{outcome="refused"}'), 1);
  assert.ok(counters.replayedEvents > 0);
  assert.equal(sample(after, "liaptui_resume_replayed_events_total"), counters.replayedEvents);
  assert.equal(sample(after, "liaptui_resume_buffer_bytes"), harness.gateway.history.stats().bytes);
  harness.gateway.shutdown();
});

function scrapeOf(harness: ReturnType<typeof makeGateway>, extra: Partial<ScrapeSources> = {}): string {
  return renderMetrics({
    gateway: harness.gateway,
    lag: new EventLoopLag(() => 0),
    version: "test",
    runtime: "deno",
    uptimeSeconds: () => 1,
    ...extra,
  });
}

Deno.test("store appends show as a counter by result and a cumulative histogram of seconds", () => {
  const harness = makeGateway();
  const { metrics } = harness.gateway;
  const before = parsePrometheus(scrapeOf(harness));
  for (const result of ["ok", "fenced", "conflict", "duplicate", "finished", "not_found", "error"]) {
    assert.equal(before.get(`liaptui_store_appends_total{result="${result}"}`), 0, `${result} is there at 0`);
  }
  assert.equal(before.get("liaptui_store_append_duration_seconds_count"), 0);

  metrics.appended("ok", 0.0004);
  metrics.appended("ok", 0.003);
  metrics.appended("fenced", 0.003);
  metrics.appended("conflict", 0.2);
  metrics.appended("error", 3);
  const after = parsePrometheus(scrapeOf(harness));
  assert.equal(after.get('liaptui_store_appends_total{result="ok"}'), 2);
  assert.equal(after.get('liaptui_store_appends_total{result="fenced"}'), 1);
  assert.equal(after.get('liaptui_store_appends_total{result="conflict"}'), 1);
  assert.equal(after.get('liaptui_store_appends_total{result="error"}'), 1);
  const bucket = (le: string) => after.get(`liaptui_store_append_duration_seconds_bucket{le="${le}"}`);
  assert.equal(bucket("0.0005"), 1);
  assert.equal(bucket("0.0025"), 1);
  assert.equal(bucket("0.005"), 3);
  assert.equal(bucket("0.25"), 4);
  assert.equal(bucket("2.5"), 4, "3 s is over the last bound");
  assert.equal(bucket("+Inf"), 5);
  assert.equal(after.get("liaptui_store_append_duration_seconds_count"), 5);
  assert.ok(Math.abs(after.get("liaptui_store_append_duration_seconds_sum")! - 3.2064) < 1e-9);
  harness.gateway.shutdown();
});

Deno.test("the lease families appear in cluster mode only, with the held leases read at scrape time", () => {
  const harness = makeGateway();
  const single = parsePrometheus(scrapeOf(harness));
  assert.ok(
    ![...single.keys()].some((k) => k.startsWith("liaptui_lease")),
    "no lease families on one server",
  );

  let held = 3;
  harness.gateway.metrics.takeovers += 2;
  harness.gateway.metrics.leasesLost.inc("unreachable");
  const cluster = { cluster: { leasesHeld: () => held } };
  const first = parsePrometheus(scrapeOf(harness, cluster));
  assert.equal(first.get("liaptui_leases_held"), 3);
  assert.equal(first.get("liaptui_lease_takeovers_total"), 2);
  assert.equal(first.get('liaptui_leases_lost_total{reason="unreachable"}'), 1);
  assert.equal(first.get('liaptui_leases_lost_total{reason="taken"}'), 0);
  held = 1;
  assert.equal(parsePrometheus(scrapeOf(harness, cluster)).get("liaptui_leases_held"), 1);
  harness.gateway.shutdown();
});

Deno.test("a socket redirected to the room's owner counts under its own close code, 4010", async () => {
  // Another node holds every room's lease, so a join here is redirected there (the claim race's loser).
  const inner = memoryStore();
  const store = {
    ...inner,
    ownership: {
      ...inner.ownership,
      acquire: () => Promise.resolve({ kind: "busy" as const, owner: "node-a" }),
    },
  };
  const harness = makeGateway({}, {
    journals: new StoreJournals(store, "node-b"),
    ownerUrl: (owner, roomId) => Promise.resolve(`ws://${owner}.test/ws/${roomId}`),
  });
  const client = harness.connect("r1");
  client.send({ event: "join_room", data: { player_name: "Ann" } });
  for (let i = 0; i < 50 && client.transport.closes.length === 0; i++) await tick();
  assert.deepEqual(client.transport.closes.map((c) => c.code), [CloseCode.REDIRECT], "the server redirected");
  client.close();

  const scrape = parsePrometheus(scrapeOf(harness));
  assert.equal(scrape.get('liaptui_connections_closed_total{code="4010"}'), 1);
  assert.equal(scrape.get('liaptui_connections_closed_total{code="other"}') ?? 0, 0, "not counted as other");
  harness.gateway.shutdown();
});

Deno.test("every family /metrics can show is written once and is listed in docs/deploy.md", async () => {
  const harness = makeGateway();
  const text = scrapeOf(harness, { cluster: { leasesHeld: () => 0 } });
  const declared = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
  assert.deepEqual(
    [...declared].sort(),
    Object.keys(METRICS).sort(),
    "the scrape declares the whole catalogue",
  );
  const deploy = await Deno.readTextFile(new URL("../../docs/deploy.md", import.meta.url));
  const missing = Object.keys(METRICS).filter((name) =>
    !deploy.includes(`\`${name.replace(/^liaptui_/, "")}`)
  );
  assert.deepEqual(missing, [], "docs/deploy.md names every family");
  harness.gateway.shutdown();
});
