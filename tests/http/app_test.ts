// The HTTP routes in-process through `app.request()` (no socket): the page and its security headers, health,
// 404s, the socket route's answers to plain requests, the upgrade wiring into the gateway, and onError.

import assert from "node:assert/strict";
import type { Context } from "hono";
import { defineWebSocketHelper } from "hono/ws";
import { type ClusterRouting, createApp } from "../../src/http/app.ts";
import { EventLoopLag } from "../../src/http/event_loop_lag.ts";
import { renderMetrics } from "../../src/http/prometheus.ts";
import { type LogFields, type Logger, silentLogger } from "../../src/net/logger.ts";
import { FakeTransport, makeGateway } from "../net/fakes.ts";
import { parsePrometheus } from "../support/prometheus_text.ts";
import { type FakeSocket, fakeSocket, UPGRADE } from "./fake_socket.ts";

const STARTED_AT = 1_000_000;

/** The app as main.ts builds it, on a fake-clock gateway and an upgrade helper that records instead of upgrading. */
function harness(
  options: { remoteAddress?: (c: Context) => string; log?: Logger; cluster?: ClusterRouting } = {},
) {
  const net = makeGateway();
  const sockets: FakeSocket[] = [];
  let now = STARTED_AT;
  const upgradeWebSocket = defineWebSocketHelper<FakeTransport>(async (_c, events) => {
    sockets.push(fakeSocket(events));
    await Promise.resolve();
    return new Response(null, { status: 200, headers: { "x-fake-upgrade": String(sockets.length) } });
  });
  const app = createApp<FakeTransport>({
    gateway: net.gateway,
    upgradeWebSocket,
    transportOf: (ws) => ws.raw!,
    remoteAddress: options.remoteAddress ?? (() => "10.1.2.3"),
    version: "9.8.7",
    startedAt: STARTED_AT,
    now: () => now,
    log: options.log,
    ...(options.cluster !== undefined ? { cluster: options.cluster } : {}),
  });
  return {
    app,
    net,
    sockets,
    advance(ms: number) {
      now += ms;
    },
  };
}

const CSP_BASE = "default-src 'none'; script-src 'self'; style-src 'self'; " +
  "connect-src 'self'{sockets}; img-src 'self' data:; base-uri 'none'; form-action 'none'; " +
  "frame-ancestors 'none'";

function csp(sockets: string): string {
  return CSP_BASE.replace("{sockets}", sockets);
}

for (const path of ["/", "/room/abc-123", "/room/x"]) {
  Deno.test(`GET ${path} serves the embedded page with the CSP and security headers`, async () => {
    const { app } = harness();
    const response = await app.request(path, { headers: { host: "play.example:8080" } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/html; charset=UTF-8");
    assert.equal(
      response.headers.get("content-security-policy"),
      csp(" ws://play.example:8080 wss://play.example:8080"),
    );
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.equal(response.headers.get("referrer-policy"), "no-referrer");
    const body = await response.text();
    assert.match(body, /^<!doctype html>/i);
    assert.match(body, /<title>Liap Tui<\/title>/);
  });
}

Deno.test("the CSP names the socket origin only for a well-formed Host, so a forged Host cannot widen it", async () => {
  const { app } = harness();
  const cases: [string | null, string][] = [
    ["127.0.0.1:8080", " ws://127.0.0.1:8080 wss://127.0.0.1:8080"],
    ["[::1]:9000", " ws://[::1]:9000 wss://[::1]:9000"],
    ["evil.example; script-src *", ""],
    ["a/b", ""],
    ["", ""],
    [null, ""],
  ];
  for (const [host, sockets] of cases) {
    const request = new Request("http://localhost/");
    if (host === null) request.headers.delete("host");
    else request.headers.set("host", host);
    const response = await app.request(request);
    assert.equal(response.headers.get("content-security-policy"), csp(sockets), `Host: ${host}`);
    await response.body?.cancel();
  }
});

Deno.test("GET /healthz reports status, version, uptime and the live connection and room counts", async () => {
  const { app, net, advance } = harness();
  advance(12_400);
  const first = await app.request("/healthz");
  assert.equal(first.status, 200);
  assert.match(first.headers.get("content-type") ?? "", /^application\/json/);
  assert.deepEqual(await first.json(), {
    status: "ok",
    version: "9.8.7",
    uptime_s: 12,
    connections: 0,
    rooms: 0,
  });

  const lobby = net.connect("lobby");
  const player = net.connect("table-1");
  player.send({ event: "join_room", data: { player_name: "Ann" } });
  advance(600);
  const second = await app.request("/healthz");
  assert.deepEqual(await second.json(), {
    status: "ok",
    version: "9.8.7",
    uptime_s: 13,
    connections: 2,
    rooms: 1,
  });
  lobby.close();
  player.close();
});

Deno.test("unknown paths and methods answer 404 with a JSON error", async () => {
  const { app } = harness();
  for (const [method, path] of [["GET", "/nope"], ["GET", "/room/"], ["POST", "/"], ["DELETE", "/healthz"]]) {
    const response = await app.request(path!, { method });
    assert.equal(response.status, 404, `${method} ${path}`);
    assert.deepEqual(await response.json(), { error: "Not found" }, `${method} ${path}`);
  }
});

Deno.test("the size limits' refusals (431, 413) carry nosniff like every other response with a body", async () => {
  const { app } = harness();
  const headers = await app.request("/healthz", { headers: { "x-padding": "p".repeat(20_000) } });
  assert.equal(headers.status, 431);
  assert.deepEqual(await headers.json(), { error: "Request headers too large" });
  assert.equal(headers.headers.get("x-content-type-options"), "nosniff", "431");
  const body = await app.request("/", { method: "POST", body: "b".repeat(70_000) });
  assert.equal(body.status, 413);
  assert.deepEqual(await body.json(), { error: "Request body too large" });
  assert.equal(body.headers.get("x-content-type-options"), "nosniff", "413");
});

Deno.test("a socket route with a bad room id answers 404 before looking at the upgrade", async () => {
  const { app, sockets } = harness();
  for (const id of ["bad!id", "x".repeat(33), "a%20b"]) {
    const response = await app.request(`/ws/${id}`, { headers: UPGRADE });
    assert.equal(response.status, 404, id);
    assert.deepEqual(await response.json(), {
      error: "Room ids are 1–32 characters of A–Z, a–z, 0–9, _ and -",
    });
  }
  assert.equal(sockets.length, 0, "no upgrade was attempted");
});

Deno.test("a plain GET on a socket route answers 426 with Upgrade: websocket", async () => {
  const { app, sockets } = harness();
  for (const headers of [{}, { upgrade: "h2c" }] as Record<string, string>[]) {
    for (const path of ["/ws/lobby", "/ws/room-1"]) {
      const response = await app.request(path, { headers });
      assert.equal(response.status, 426, path);
      assert.equal(response.headers.get("upgrade"), "websocket");
      assert.deepEqual(await response.json(), { error: "This endpoint speaks WebSocket" });
    }
  }
  assert.equal(sockets.length, 0);
});

Deno.test("an upgrade opens a gateway connection for the channel, routes its frames and removes it on close", async () => {
  const { app, net, sockets } = harness();
  const response = await app.request("/ws/Room_1", { headers: { upgrade: "WebSocket" } });
  assert.equal(response.headers.get("x-fake-upgrade"), "1", "the case of the Upgrade header does not matter");
  const [socket] = sockets;
  if (socket === undefined) throw new Error("no socket was upgraded");
  socket.events.onOpen?.(new Event("open"), socket.ws);
  assert.equal(net.gateway.registry.size, 1);
  const connected = socket.transport.events("connected")[0];
  assert.equal(connected?.data?.room_id, "Room_1");
  assert.equal(connected?.data?.player_name, null);

  socket.events.onMessage?.(new MessageEvent("message", { data: '{"event":"ping","id":"p"}' }), socket.ws);
  assert.equal(socket.transport.last().event, "pong");
  assert.equal(socket.transport.last().id, "p");

  socket.events.onClose?.(new CloseEvent("close", { code: 1000 }), socket.ws);
  assert.equal(net.gateway.registry.size, 0);
  // A late frame or error after the close changes nothing and throws nothing.
  socket.events.onError?.(new Event("error"), socket.ws);
  assert.equal(net.gateway.registry.size, 0);
});

Deno.test("a cluster node counts the sockets it redirects or turns away at the door on /metrics", async () => {
  const answers: Record<string, { redirect: string } | { retry: string }> = {
    elsewhere: { redirect: "ws://node-a.test/n/node-a/ws/elsewhere" },
    stranded: { retry: "the room's node cannot be reached" },
  };
  const route = (roomId: string) => Promise.resolve(answers[roomId] ?? null);
  const { app, net, sockets } = harness({ cluster: { nodeId: "node-b", route } });
  await app.request("/ws/elsewhere", { headers: UPGRADE });
  await app.request("/ws/stranded", { headers: UPGRADE });
  for (const socket of sockets) socket.events.onOpen?.(new Event("open"), socket.ws);
  assert.deepEqual(sockets.map((s) => s.transport.closes.map((c) => c.code)), [[4010], [1013]]);
  assert.equal(net.gateway.registry.size, 0, "neither reached the gateway");

  const scrape = parsePrometheus(renderMetrics({
    gateway: net.gateway,
    lag: new EventLoopLag(() => 0),
    version: "test",
    runtime: "deno",
    uptimeSeconds: () => 1,
  }));
  assert.equal(scrape.get('liaptui_connections_closed_total{code="4010"}'), 1);
  assert.equal(scrape.get('liaptui_connections_closed_total{code="1013"}'), 1);
  assert.equal(scrape.get('liaptui_connections_refused_total{reason="redirect"}'), 1);
  assert.equal(scrape.get('liaptui_connections_refused_total{reason="unavailable"}'), 1);
});

Deno.test("a socket error removes the connection just as a close does", async () => {
  const { app, net, sockets } = harness();
  await app.request("/ws/lobby", { headers: UPGRADE });
  const socket = sockets[0]!;
  socket.events.onOpen?.(new Event("open"), socket.ws);
  assert.equal(net.gateway.registry.size, 1);
  socket.events.onError?.(new Event("error"), socket.ws);
  assert.equal(net.gateway.registry.size, 0);
});

Deno.test("the ?token= query reaches the gateway: an unknown token is AUTHENTICATION_FAILED, an empty one is none", async () => {
  const { app, sockets } = harness();
  await app.request("/ws/t1?token=not-a-token", { headers: UPGRADE });
  await app.request("/ws/t1?token=", { headers: UPGRADE });
  const [withToken, empty] = sockets;
  if (withToken === undefined || empty === undefined) throw new Error("expected two upgrades");
  withToken.events.onOpen?.(new Event("open"), withToken.ws);
  empty.events.onOpen?.(new Event("open"), empty.ws);
  assert.deepEqual(withToken.transport.errorCodes, ["AUTHENTICATION_FAILED"]);
  assert.deepEqual(empty.transport.errorCodes, []);
  withToken.events.onClose?.(new CloseEvent("close"), withToken.ws);
  empty.events.onClose?.(new CloseEvent("close"), empty.ws);
});

Deno.test("the remote address from the runtime is what the per-address limit counts", async () => {
  let address = "10.9.9.9";
  const { app, net, sockets } = harness({ remoteAddress: () => address });
  const limit = net.limits.maxConnectionsPerAddress;
  for (let i = 0; i <= limit; i++) await app.request("/ws/lobby", { headers: UPGRADE });
  address = "10.0.0.2";
  await app.request("/ws/lobby", { headers: UPGRADE });
  for (const socket of sockets) socket.events.onOpen?.(new Event("open"), socket.ws);
  const refused = sockets.filter((s) => s.transport.lastCloseCode === 4029);
  assert.deepEqual(
    refused.map((s) => sockets.indexOf(s)),
    [limit],
    "only the one over the limit, not 10.0.0.2",
  );
  for (const socket of sockets) socket.events.onClose?.(new CloseEvent("close"), socket.ws);
  assert.equal(net.gateway.registry.size, 0);
});

Deno.test("a handler that throws answers 500 with a reference, and the log line carries the same reference", async () => {
  const logged: { message: string; fields?: LogFields; error?: unknown }[] = [];
  const log: Logger = {
    ...silentLogger,
    error: (message, fields, error) => void logged.push({ message, fields, error }),
  };
  const { app } = harness({
    remoteAddress: () => {
      throw new Error("the runtime lost the peer address");
    },
    log,
  });
  const response = await app.request("/ws/lobby", { headers: UPGRADE });
  assert.equal(response.status, 500);
  const body = (await response.json()) as { error: string; ref: string };
  assert.equal(body.error, "Internal server error");
  assert.match(body.ref, /^[0-9a-f]{8}$/);
  assert.equal(logged.length, 1);
  assert.deepEqual(logged[0]!.fields, { method: "GET", path: "/ws/lobby", ref: body.ref });
  assert.match(String(logged[0]!.error), /lost the peer address/);
});
