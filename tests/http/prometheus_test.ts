// /metrics reads resumes from the resume code's own counters and the resume buffer's size from the history.

import assert from "node:assert/strict";
import { EventLoopLag } from "../../src/http/event_loop_lag.ts";
import { renderMetrics } from "../../src/http/prometheus.ts";
import { makeGateway } from "../net/fakes.ts";

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
