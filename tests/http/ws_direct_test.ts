// The direct socket route (answered before Hono's router where the runtime can upgrade a bare request): a
// plain upgrade goes direct and reaches the gateway as through the Hono route; anything else is left to that
// route, whose answers (404, 426, 403, 431) and refusal metrics stay what they were.

import assert from "node:assert/strict";
import { defineWebSocketHelper, type WSEvents } from "hono/ws";
import { createApp } from "../../src/http/app.ts";
import type { DirectUpgrade } from "../../src/http/ws_direct.ts";
import { FakeTransport, makeGateway } from "../net/fakes.ts";
import { type FakeSocket, fakeSocket, UPGRADE } from "./fake_socket.ts";

/** What Bun hands `fetch` as its second argument: here just a marker the fake checks it was given. */
const ENV = { server: "fake" };

function harness(options: { accept?: boolean; cluster?: boolean; maxHeaderBytes?: number } = {}) {
  const net = makeGateway();
  const direct: FakeSocket[] = [];
  const routed: FakeSocket[] = [];
  const envs: unknown[] = [];
  const directUpgrade: DirectUpgrade = {
    peer: () => "10.7.7.7",
    upgrade(_request, env, events) {
      envs.push(env);
      if (options.accept === false) return false;
      direct.push(fakeSocket(events as WSEvents<FakeTransport>));
      return true;
    },
  };
  const upgradeWebSocket = defineWebSocketHelper<FakeTransport>((_c, events) => {
    routed.push(fakeSocket(events));
    return new Response(null, { status: 200 });
  });
  const app = createApp<FakeTransport>({
    gateway: net.gateway,
    upgradeWebSocket,
    transportOf: (ws) => ws.raw!,
    remoteAddress: () => "10.1.1.1",
    directUpgrade,
    version: "1",
    startedAt: 0,
    now: () => 0,
    limits: { maxBodyBytes: 64 * 1024, maxHeaderBytes: options.maxHeaderBytes ?? 16 * 1024 },
    ...(options.cluster ? { cluster: { nodeId: "n1", route: () => Promise.resolve(null) } } : {}),
  });
  const fetch = (path: string, init: RequestInit = {}) =>
    app.fetch(new Request(`http://localhost${path}`, init), ENV);
  return { app, net, direct, routed, envs, fetch };
}

Deno.test("a plain upgrade is answered directly and its socket reaches the gateway with its query and peer", async () => {
  const { net, direct, routed, envs, fetch } = harness();
  const answer = await fetch("/ws/t1?token=not-a-token&last_seq=3", { headers: UPGRADE });
  assert.equal(answer, undefined, "nothing to send after a direct upgrade");
  assert.equal(direct.length, 1);
  assert.equal(routed.length, 0, "Hono's route never saw it");
  assert.deepEqual(envs, [ENV], "the runtime got its own fetch argument back");
  const socket = direct[0]!;
  socket.events.onOpen?.(new Event("open"), socket.ws);
  assert.deepEqual(socket.transport.errorCodes, ["AUTHENTICATION_FAILED"], "the token reached the gateway");
  const connection = [...net.gateway.registry.all()][0];
  assert.equal(connection?.channel, "t1");
  assert.equal(connection?.address, "10.7.7.7", "the runtime's peer address, as the per-address cap counts");
  socket.events.onMessage?.(new MessageEvent("message", { data: '{"event":"ping","id":"p"}' }), socket.ws);
  assert.equal(socket.transport.last().event, "pong");
  socket.events.onClose?.(new CloseEvent("close", { code: 1000 }), socket.ws);
  assert.equal(net.gateway.registry.size, 0);
});

Deno.test("the lobby, an empty token and a same-origin page go direct too", async () => {
  const { direct, routed, fetch } = harness();
  await fetch("/ws/lobby", { headers: UPGRADE });
  await fetch("/ws/Room_1?token=", { headers: { upgrade: "WebSocket" } });
  await fetch("/ws/r2", { headers: { ...UPGRADE, origin: "http://localhost", host: "localhost" } });
  assert.equal(direct.length, 3);
  assert.equal(routed.length, 0);
  const empty = direct[1]!;
  empty.events.onOpen?.(new Event("open"), empty.ws);
  assert.deepEqual(empty.transport.errorCodes, [], "an empty token is no token");
});

Deno.test("anything but a plain upgrade is left to the Hono route, which answers it as before", async () => {
  const { net, direct, fetch } = harness({ maxHeaderBytes: 2048 });
  const cases: [string, RequestInit, number][] = [
    ["/ws/bad!id", { headers: UPGRADE }, 404],
    ["/ws/a%20b", { headers: UPGRADE }, 404],
    ["/ws/x/y", { headers: UPGRADE }, 404],
    ["/ws/room-1", {}, 426],
    ["/ws/room-1", { headers: { upgrade: "h2c" } }, 426],
    ["/ws/room-1", { headers: { ...UPGRADE, origin: "https://evil.example", host: "localhost" } }, 403],
    ["/ws/room-1", { headers: { ...UPGRADE, "x-padding": "p".repeat(4096) } }, 431],
    ["/ws/room-1", { method: "POST", headers: UPGRADE, body: "x" }, 404],
  ];
  for (const [path, init, status] of cases) {
    const response = await fetch(path, init);
    assert.equal(response?.status, status, `${init.method ?? "GET"} ${path}`);
    await response?.body?.cancel();
  }
  assert.equal(direct.length, 0);
  assert.equal(net.gateway.metrics.connectionsRefused.get("origin"), 1, "the refusal is still counted");
});

Deno.test("a request the runtime will not upgrade goes on to the Hono route", async () => {
  const { direct, routed, envs, fetch } = harness({ accept: false });
  const response = await fetch("/ws/room-1", { headers: UPGRADE });
  assert.equal(envs.length, 1, "the direct upgrade was tried");
  assert.equal(direct.length, 0);
  assert.equal(routed.length, 1, "and the route upgraded it");
  assert.equal(response?.status, 200);
});

Deno.test("cluster nodes never upgrade directly: their room routing lives in the Hono route", async () => {
  const { direct, routed, envs, fetch } = harness({ cluster: true });
  await fetch("/ws/room-1", { headers: UPGRADE });
  assert.equal(envs.length, 0);
  assert.equal(direct.length, 0);
  assert.equal(routed.length, 1);
});
