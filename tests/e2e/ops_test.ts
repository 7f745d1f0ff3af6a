// End-to-end: what an operator relies on, from source and as the binary — /readyz, /metrics as Prometheus
// text whose counters move during a game, the admin API and page behind the token, security headers and
// size limits, the origin check on upgrades, and forwarding headers believed only from trusted proxies.

import assert from "node:assert/strict";
import { FAST_SETTINGS } from "../support/auto_player.ts";
import {
  ignoreTarget,
  MACHINE_SPEED,
  type ServerProcess,
  startServer,
  TARGETS,
} from "../support/server_process.ts";
import { type Samples, scrapeMetrics, value } from "../support/prometheus_text.ts";
import { TestClient } from "../support/ws_client.ts";

const TOKEN = "test-admin-token-0123456789";

const scrape = (server: ServerProcess): Promise<Samples> => scrapeMetrics(server.url);

/**
 * Opens a WebSocket handshake over a plain TCP connection, so the test can send any headers (Origin,
 * X-Forwarded-For). Resolves with the response status and the connection (open while the upgrade holds).
 */
async function rawUpgrade(
  server: ServerProcess,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; conn: Deno.TcpConn }> {
  const { hostname, port } = new URL(server.url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  const lines = [
    `GET ${path} HTTP/1.1`,
    `Host: ${hostname}:${port}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Version: 13",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    "",
    "",
  ];
  await conn.write(new TextEncoder().encode(lines.join("\r\n")));
  const buffer = new Uint8Array(4096);
  let text = "";
  while (!text.includes("\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) break;
    text += new TextDecoder().decode(buffer.subarray(0, n));
  }
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  return { status, conn };
}

function admin(server: ServerProcess, method: string, path: string, token?: string, body?: unknown) {
  return fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      "content-type": "application/json",
    },
    body: body === undefined || method === "GET" ? undefined : JSON.stringify(body),
  });
}

interface Stats {
  overall: { active_connections: number; rooms: number; total_connections: number };
  rooms: { room_id: string; phase: string; stats: { active_connections: number } }[];
  connections: { id: string; channel: string; address: string; player_name: string | null }[];
}

async function stats(server: ServerProcess): Promise<Stats> {
  const response = await admin(server, "GET", "/api/stats", TOKEN);
  assert.equal(response.status, 200);
  return await response.json() as Stats;
}

/** Waits (bounded) until the server's own view satisfies `done`; the server updates after the socket closes. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  let last = await read();
  for (let i = 0; i < 200 && !done(last); i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    last = await read();
  }
  assert.ok(done(last), `${what}: ${JSON.stringify(last instanceof Map ? [...last] : last)}`);
  return last;
}

for (const target of TARGETS) {
  const ignore = ignoreTarget(target);

  Deno.test({
    name:
      `[${target}] /healthz and /readyz answer, and /metrics is Prometheus text whose counters move in a game`,
    ignore,
    async fn() {
      const server = await startServer(target, MACHINE_SPEED);
      const clients: TestClient[] = [];
      try {
        assert.equal((await fetch(`${server.url}/healthz`).then((r) => r.json())).status, "ok");
        const ready = await fetch(`${server.url}/readyz`);
        assert.equal(ready.status, 200);
        assert.deepEqual(await ready.json(), { status: "ready", checks: { accepting: true, store: true } });

        const before = await scrape(server);
        for (
          const family of [
            "liaptui_connections",
            "liaptui_rooms",
            "liaptui_event_loop_lag_seconds",
            "process_resident_memory_bytes",
            "liaptui_resumes_total",
            "liaptui_bots_active",
            "liaptui_queued_connections",
          ]
        ) {
          assert.ok([...before.keys()].some((k) => k.startsWith(family)), `${family} is exposed`);
        }
        assert.equal(
          value(
            before,
            'liaptui_build_info{version="0.1.0",runtime="' + (target === "binary" ? "bun" : "deno") + '"}',
          ),
          1,
        );
        assert.ok(value(before, "process_resident_memory_bytes") > 1_000_000);

        // A scripted session: a lobby visitor, a spectating host who starts a game of four bots, a bad frame.
        const lobby = await TestClient.connect(`${server.wsUrl}/ws/lobby`);
        clients.push(lobby);
        await lobby.next("room_list");
        const host = await TestClient.connect(`${server.wsUrl}/ws/metrics-room`);
        clients.push(host);
        await host.next("connected");
        host.send("join_room", { player_name: "Host", as: "spectator" });
        await host.next("joined_room");
        host.send("update_settings", { ...FAST_SETTINGS, max_rounds: 1 });
        await host.next("room_state");
        host.sendRaw("{not json");
        assert.equal((await host.nextError()).error?.code, "INVALID_JSON");
        const during = await scrape(server);
        assert.equal(value(during, 'liaptui_connections{endpoint="lobby"}'), 1);
        assert.equal(value(during, 'liaptui_connections{endpoint="room"}'), 1);
        assert.equal(value(during, 'liaptui_rooms{phase="WAITING"}'), 1);
        host.send("start_game", { fill_with_bots: true });
        await host.next("game_over", () => true, 60_000);
        // Leaving (rather than dropping) closes the room at once instead of after the reconnect grace.
        host.send("leave_room", {});
        await host.next("left_room");
        await host.close();
        await lobby.close();

        const after = await until(
          () => scrape(server),
          (s) =>
            value(s, 'liaptui_connections{endpoint="room"}') === 0 &&
            value(s, 'liaptui_rooms{phase="GAME_OVER"}') === 0,
          "the room closed with its last human",
        );
        const moved = (key: string, by = 1) =>
          assert.ok(value(after, key) - value(before, key) >= by, `${key} moved by at least ${by}`);
        moved('liaptui_connections_opened_total{endpoint="lobby"}');
        moved('liaptui_connections_opened_total{endpoint="room"}');
        moved('liaptui_connections_closed_total{code="1000"}', 2);
        moved("liaptui_games_started_total");
        moved("liaptui_games_finished_total");
        moved('liaptui_messages_in_total{event="join_room"}');
        moved('liaptui_messages_in_total{event="invalid"}');
        moved('liaptui_message_bytes_in_total{event="start_game"}', 10);
        moved('liaptui_messages_out_total{event="player_played"}', 8);
        moved('liaptui_message_bytes_out_total{event="joined_room"}', 50);
        moved('liaptui_messages_out_total{event="room_created"}');
        moved('liaptui_errors_total{code="INVALID_JSON"}');
        moved("liaptui_broadcast_fanout_count", 10);
        moved("liaptui_broadcast_fanout_sum", 10);
        assert.equal(
          value(after, "liaptui_games_started_total"),
          1,
          "a game is counted once, not per round or deal",
        );
        assert.equal(value(after, "liaptui_channel_stats_entries"), 1, "only the lobby's statistics remain");
        assert.equal(value(after, "liaptui_room_owner_entries"), 0);
      } finally {
        await Promise.all(clients.map((c) => c.close()));
        await server.stop();
      }
    },
  });

  Deno.test({
    name:
      `[${target}] the admin API refuses without the token and, with it, lists, kicks, notifies and closes`,
    ignore,
    async fn() {
      const closed = await startServer(target);
      try {
        for (const token of [undefined, TOKEN, ""]) {
          const response = await admin(closed, "GET", "/api/stats", token);
          assert.equal(response.status, 401, "no token configured: always 401");
          assert.deepEqual(await response.json(), { error: "Unauthorized" });
        }
        assert.equal(
          (await admin(closed, "POST", "/api/admin/notice", TOKEN, { message: "hi" })).status,
          401,
        );
      } finally {
        await closed.stop();
      }

      const server = await startServer(target, [], { LIAPTUI_ADMIN_TOKEN: TOKEN });
      const clients: TestClient[] = [];
      try {
        for (
          const [method, path] of [
            ["GET", "/api/stats"],
            ["POST", "/api/admin/rooms/x/close"],
            [
              "POST",
              "/api/admin/connections/x/kick",
            ],
            ["POST", "/api/admin/notice"],
            ["POST", "/api/admin/gc"],
          ]
        ) {
          for (const token of [undefined, "wrong-token-0123456789", `${TOKEN}x`]) {
            const response = await admin(server, method!, path!, token, { message: "x" });
            assert.equal(response.status, 401, `${method} ${path} with ${token}`);
            const body = await response.text();
            assert.equal(body, '{"error":"Unauthorized"}', "a refusal reveals nothing");
          }
        }

        const ann = await TestClient.connect(`${server.wsUrl}/ws/admin-room`);
        const bo = await TestClient.connect(`${server.wsUrl}/ws/admin-room`);
        const lobby = await TestClient.connect(`${server.wsUrl}/ws/lobby`);
        clients.push(ann, bo, lobby);
        ann.send("join_room", { player_name: "Ann" });
        await ann.next("joined_room");
        await lobby.next("room_list");

        const listed = await stats(server);
        assert.equal(listed.overall.active_connections, 3);
        assert.deepEqual(listed.rooms.map((r) => [r.room_id, r.stats.active_connections]), [[
          "admin-room",
          2,
        ]]);
        const annRow = listed.connections.find((c) => c.player_name === "Ann")!;
        assert.equal(annRow.channel, "admin-room");
        assert.equal(annRow.address, "127.0.0.1");

        const notice = await admin(server, "POST", "/api/admin/notice", TOKEN, { message: "Restart at 3" });
        assert.deepEqual(await notice.json(), { reached: 3 });
        for (const client of [ann, bo, lobby]) {
          assert.equal((await client.next("server_notice")).data?.message, "Restart at 3");
        }
        assert.equal((await admin(server, "POST", "/api/admin/notice", TOKEN, { message: "" })).status, 400);

        const kick = await admin(server, "POST", `/api/admin/connections/${annRow.id}/kick`, TOKEN);
        assert.deepEqual(await kick.json(), { kicked: true });
        assert.equal((await ann.closed).code, 4003);
        assert.equal(
          (await admin(server, "POST", `/api/admin/connections/${annRow.id}/kick`, TOKEN)).status,
          404,
        );

        const close = await admin(server, "POST", "/api/admin/rooms/admin-room/close", TOKEN);
        assert.deepEqual(await close.json(), { closed: true });
        assert.equal((await bo.closed).code, 4003);
        const after = await until(
          () => stats(server),
          (s) => s.rooms.length === 0 && s.overall.active_connections === 1,
          "room gone",
        );
        assert.equal(after.overall.rooms, 0);
        assert.equal((await admin(server, "POST", "/api/admin/rooms/admin-room/close", TOKEN)).status, 404);

        const page = await fetch(`${server.url}/admin`);
        assert.equal(page.status, 200);
        const html = await page.text();
        assert.doesNotMatch(html, /<script>(?!<\/script>)|<script [^>]*>[^<]+<\/script>/, "no inline script");
        assert.match(html, /<script src="\/admin\.js">/);
        assert.match(page.headers.get("content-security-policy") ?? "", /script-src 'self';/);
        const script = await fetch(`${server.url}/admin.js`);
        assert.match(script.headers.get("content-type") ?? "", /javascript/);
        assert.match(await script.text(), /\/api\/stats/);
      } finally {
        await Promise.all(clients.map((c) => c.close()));
        await server.stop();
      }
    },
  });

  Deno.test({
    name:
      `[${target}] HTML gets security headers, bodies and headers are size-limited, errors carry no stack`,
    ignore,
    async fn() {
      const server = await startServer(target, ["--max-body-bytes", "2048", "--max-header-bytes", "4096"], {
        LIAPTUI_ADMIN_TOKEN: TOKEN,
      });
      try {
        for (const path of ["/", "/room/abc", "/admin"]) {
          const response = await fetch(`${server.url}${path}`);
          await response.body?.cancel();
          assert.equal(response.headers.get("x-content-type-options"), "nosniff", path);
          assert.equal(response.headers.get("referrer-policy"), "no-referrer", path);
          const csp = response.headers.get("content-security-policy") ?? "";
          assert.match(csp, /default-src '(self|none)'/, path);
          assert.match(csp, /frame-ancestors 'none'/, path);
          assert.doesNotMatch(csp, /https?:\/\/|\*/, `${path}: no other origin is allowed`);
        }
        const big = await admin(server, "POST", "/api/admin/notice", TOKEN, { message: "x".repeat(4000) });
        assert.equal(big.status, 413);
        assert.deepEqual(await big.json(), { error: "Request body too large" });
        const headers = await fetch(`${server.url}/healthz`, { headers: { "x-padding": "y".repeat(5000) } });
        assert.equal(headers.status, 431);
        await headers.body?.cancel();
        const bad = await admin(server, "POST", "/api/admin/notice", TOKEN);
        assert.equal(bad.status, 400);
        const text = await bad.text();
        assert.doesNotMatch(text, /at .*\.ts|Error:|stack/i, "no stack trace in a response");
      } finally {
        await server.stop();
      }
    },
  });

  Deno.test({
    name: `[${target}] upgrades from foreign origins are refused; own, configured and origin-less ones pass`,
    ignore,
    async fn() {
      const server = await startServer(target, ["--allowed-origins", "https://friends.example"]);
      const conns: Deno.TcpConn[] = [];
      try {
        const { host } = new URL(server.url);
        const cases: [Record<string, string>, number][] = [
          [{ Origin: "https://evil.example" }, 403],
          [{ Origin: "null" }, 403],
          [{ Origin: `http://${host}` }, 101],
          [{ Origin: "https://friends.example" }, 101],
          [{}, 101],
        ];
        for (const [headers, expected] of cases) {
          const { status, conn } = await rawUpgrade(server, "/ws/lobby", headers);
          conns.push(conn);
          assert.equal(status, expected, JSON.stringify(headers));
        }
        const metrics = await scrape(server);
        assert.equal(value(metrics, 'liaptui_connections_refused_total{reason="origin"}'), 2);
      } finally {
        for (const conn of conns) conn.close();
        await server.stop();
      }
    },
  });

  Deno.test({
    name: `[${target}] X-Forwarded-For and Forwarded name the client only when the peer is a trusted proxy`,
    ignore,
    async fn() {
      for (const trusted of [false, true]) {
        const args = [
          "--max-connections-per-address",
          "2",
          ...(trusted ? ["--trusted-proxies", "127.0.0.1"] : []),
        ];
        const server = await startServer(target, args, { LIAPTUI_ADMIN_TOKEN: TOKEN });
        const conns: Deno.TcpConn[] = [];
        try {
          const forwarded: Record<string, string>[] = [
            { "X-Forwarded-For": "203.0.113.7" },
            { "X-Forwarded-For": "198.51.100.1, 203.0.113.8" },
            { Forwarded: 'for="[2001:db8::9]:4711"' },
          ];
          for (const headers of forwarded) {
            const { status, conn } = await rawUpgrade(server, "/ws/lobby", headers);
            conns.push(conn);
            assert.equal(status, 101);
          }
          const seen = await until(
            () => stats(server),
            (s) => s.overall.active_connections === (trusted ? 3 : 2),
            "the sockets are registered",
          );
          const addresses = seen.connections.map((c) => c.address).sort();
          if (trusted) {
            // The rightmost untrusted hop is the client; the one before it could be forged by that client.
            assert.deepEqual(addresses, ["2001:db8::9", "203.0.113.7", "203.0.113.8"]);
          } else {
            // Headers ignored: all three are 127.0.0.1, and the third is over the cap of 2.
            assert.deepEqual(addresses, ["127.0.0.1", "127.0.0.1"]);
          }
        } finally {
          for (const conn of conns) conn.close();
          await server.stop();
        }
      }
    },
  });
}
