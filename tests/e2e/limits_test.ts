// End-to-end: the server's limits over real sockets — frame size, flood, address and room caps, heartbeat and
// idle close, a slow consumer, permessage-deflate — against the server from source and the compiled binary.
// Some clients here speak WebSocket by hand over TCP, to stop reading or to see the handshake and frame bits.

import assert from "node:assert/strict";
import { collectedMemory } from "../support/collected_memory.ts";
import { health, untilHealth } from "../support/health.ts";
import { ignoreTarget, type ServerProcess, startServer, TARGETS } from "../support/server_process.ts";
import { TestClient } from "../support/ws_client.ts";

const MiB = 1024 * 1024;
const ADMIN_TOKEN = "limits-test-admin-token-0123456789";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function healthConnections(server: ServerProcess): Promise<number> {
  return (await health(server)).connections;
}

/** Waits until the server counts exactly `count` open connections. */
async function untilConnections(server: ServerProcess, count: number): Promise<void> {
  await untilHealth(server, { connections: count });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

/** One client-to-server text frame, masked as RFC 6455 requires. */
function maskedTextFrame(text: string): Uint8Array {
  const payload = encoder.encode(text);
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = new Uint8Array(header + 4 + length);
  frame[0] = 0x81; // FIN + text
  if (length < 126) frame[1] = 0x80 | length;
  else if (length < 65_536) {
    frame[1] = 0x80 | 126;
    new DataView(frame.buffer).setUint16(2, length);
  } else {
    frame[1] = 0x80 | 127;
    new DataView(frame.buffer).setBigUint64(2, BigInt(length));
  }
  const mask = crypto.getRandomValues(new Uint8Array(4));
  frame.set(mask, header);
  for (let i = 0; i < length; i++) frame[header + 4 + i] = payload[i]! ^ mask[i % 4]!;
  return frame;
}

interface ServerFrame {
  opcode: number;
  /** The permessage-deflate bit. */
  compressed: boolean;
  payload: Uint8Array;
}

/** A WebSocket client written by hand over TCP: it reads only when asked to, which a browser never allows. */
class RawSocket {
  readonly response: string;
  #conn: Deno.Conn;
  #pending: Uint8Array;
  #closed = false;
  /** The server ended the connection (not our own close or a read timeout). */
  endedByPeer = false;

  private constructor(conn: Deno.Conn, response: string, pending: Uint8Array) {
    this.#conn = conn;
    this.response = response;
    this.#pending = pending;
  }

  static async open(server: ServerProcess, path: string, headers: Record<string, string> = {}) {
    const port = Number(new URL(server.url).port);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    const request = [
      `GET ${path} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${key}`,
      "Sec-WebSocket-Version: 13",
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      "",
      "",
    ].join("\r\n");
    await RawSocket.#writeAll(conn, encoder.encode(request));
    let bytes: Uint8Array = new Uint8Array(0);
    const chunk = new Uint8Array(4096);
    for (;;) {
      const n = await conn.read(chunk);
      if (n === null) {
        conn.close();
        throw new Error("the server closed the connection during the handshake");
      }
      bytes = concat(bytes, chunk.subarray(0, n));
      const end = bytes.findIndex((_, i) =>
        bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10
      );
      if (end >= 0) return new RawSocket(conn, decoder.decode(bytes.subarray(0, end)), bytes.slice(end + 4));
    }
  }

  static async #writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
    for (let written = 0; written < data.length;) written += await conn.write(data.subarray(written));
  }

  send(event: string, data: unknown): Promise<void> {
    return RawSocket.#writeAll(this.#conn, maskedTextFrame(JSON.stringify({ event, data })));
  }

  /**
   * Reads frames until `stop` says so or the connection ends, keeping only what `stop` needs to look at.
   * Resolves with the frame that stopped it, or null.
   */
  async readUntil(stop: (frame: ServerFrame) => boolean, timeoutMs: number): Promise<ServerFrame | null> {
    const timer = setTimeout(() => this.close(), timeoutMs);
    const chunk = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const frame = this.#takeFrame();
        if (frame !== null) {
          if (stop(frame)) return frame;
          continue;
        }
        const n = this.#closed ? null : await this.#conn.read(chunk).catch(() => null);
        if (n === null) {
          if (!this.#closed) this.endedByPeer = true;
          return null;
        }
        this.#pending = this.#pending.length === 0
          ? chunk.slice(0, n)
          : concat(this.#pending, chunk.subarray(0, n));
      }
    } finally {
      clearTimeout(timer);
    }
  }

  #takeFrame(): ServerFrame | null {
    const b = this.#pending;
    if (b.length < 2) return null;
    let length = b[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return null;
      length = (b[2]! << 8) | b[3]!;
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return null;
      length = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(2));
      offset = 10;
    }
    if (b.length < offset + length) return null;
    this.#pending = b.subarray(offset + length);
    return {
      opcode: b[0]! & 0x0f,
      compressed: (b[0]! & 0x40) !== 0,
      payload: b.subarray(offset, offset + length),
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#conn.close();
  }
}

/** liaptui_slow_consumer_closes_total from /metrics. */
async function slowConsumerCloses(server: ServerProcess): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("liaptui_slow_consumer_closes_total "));
  return Number(line?.split(" ")[1] ?? NaN);
}

function closeCodeOf(frame: ServerFrame | null): number | null {
  if (frame === null || frame.opcode !== 8 || frame.payload.length < 2) return null;
  return (frame.payload[0]! << 8) | frame.payload[1]!;
}

/** Text of a server frame, inflating it when the permessage-deflate bit is set (RFC 7692 §7.2.2). */
async function frameText(frame: ServerFrame): Promise<string> {
  if (!frame.compressed) return decoder.decode(frame.payload);
  const tail = concat(frame.payload, new Uint8Array([0x00, 0x00, 0xff, 0xff]));
  const inflated = new Blob([tail]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  const chunks: Uint8Array[] = [];
  const reader = inflated.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
  } catch {
    // The flush marker has no final block, so the stream reports an early end after yielding everything.
  }
  return decoder.decode(chunks.reduce(concat, new Uint8Array(0)));
}

/**
 * The idle close under test. The warning goes out a quarter of it before the close (1 s here), and the server
 * sweeps every heartbeat (300 ms): a stall of the server shorter than a second cannot make it skip the warning.
 */
const IDLE_MS = 4_000;

const TIGHT_LIMITS = [
  "--max-frame-bytes",
  "2048",
  "--rate",
  "10",
  "--rate-burst",
  "10",
  "--max-connections-per-room",
  "2",
  "--max-connections-per-address",
  "6",
  "--heartbeat-ms",
  "300",
  "--idle-timeout-ms",
  String(IDLE_MS),
];

for (const target of TARGETS) {
  Deno.test({
    name:
      `[${target}] each limit answers with its error or close code, and recoverable ones leave the socket usable`,
    ignore: ignoreTarget(target),
    async fn(t) {
      const server = await startServer(target, TIGHT_LIMITS);
      const open: TestClient[] = [];
      const connect = async (path: string, options: { answerPings?: boolean } = {}) => {
        const client = await TestClient.connect(`${server.wsUrl}${path}`, options);
        open.push(client);
        return client;
      };
      const closeAll = () => Promise.all(open.splice(0).map((client) => client.close()));
      try {
        await t.step(
          "a frame over --max-frame-bytes gets MESSAGE_TOO_LARGE and the socket still answers ping",
          async () => {
            const client = await connect("/ws/big");
            await client.next("connected");
            client.send("chat", { message: "x".repeat(3_000) });
            const error = await client.nextError();
            assert.equal(error.error?.code, "MESSAGE_TOO_LARGE");
            assert.equal(error.error?.details?.limit, 2048);
            await client.roundTrip();
            await closeAll();
          },
        );

        await t.step("a frame over the hard limit (1 MiB) closes the socket with 1009", async () => {
          const client = await connect("/ws/huge");
          await client.next("connected");
          client.sendRaw(JSON.stringify({ event: "chat", data: { message: "x".repeat(MiB + 10) } }));
          assert.equal((await client.closed).code, 1009);
          await closeAll();
        });

        await t.step(
          "a flood gets one RATE_LIMITED, then sustained abuse closes the socket with 1008",
          async () => {
            const client = await connect("/ws/flood");
            await client.next("connected");
            for (let i = 0; i < 200; i++) client.send("ping", { i });
            const closed = await client.closed;
            if (target === "binary") assert.equal(closed.code, 1008);
            else {
              // Deno's server socket drops its queued close frame when data frames from the peer are already in
              // flight (a flood, by definition), so this client sees an abnormal closure instead of 1008; a
              // client that pauses between frames does receive 1008. The server side of the rule is checked below.
              assert.ok([1008, 1006, 0].includes(closed.code), `closed with ${closed.code}`);
            }
            await untilConnections(server, 0);
            const errors = client.received.filter((m) => m.event === "error");
            assert.deepEqual(errors.map((m) => m.error?.code), ["RATE_LIMITED"]);
            assert.ok(
              client.received.filter((m) => m.event === "pong").length <= 12,
              "only the burst was served",
            );
            await closeAll();
          },
        );

        await t.step(
          "a full room queues newcomers in order and lets the first in when a place frees up",
          async () => {
            const first = await connect("/ws/cap");
            await first.next("connected");
            const second = await connect("/ws/cap");
            await second.next("connected");
            const third = await connect("/ws/cap");
            assert.deepEqual((await third.next("queued")).data, { position: 1, room_id: "cap" });
            const fourth = await connect("/ws/cap");
            assert.equal((await fourth.next("queued")).data?.position, 2);

            // While waiting, keep-alives are served and everything else is refused with the position.
            await third.roundTrip();
            third.send("join_room", { player_name: "Early" }, "j");
            const full = await third.nextError();
            assert.equal(full.error?.code, "ROOM_FULL");
            assert.equal(full.error?.details?.position, 1);
            assert.equal(full.id, "j");

            await first.close();
            await third.next("queue_processed");
            assert.equal((await third.next("connected")).data?.room_id, "cap");
            assert.equal((await fourth.next("queued")).data?.position, 1, "the line moves up");
            third.send("join_room", { player_name: "Third" });
            assert.equal((await third.next("joined_room")).data?.seat, 0);
            await closeAll();
          },
        );

        await t.step(
          "the server pings; a client that stays silent is warned, then closed with 4000",
          async () => {
            // Taken before either socket opens, so the server's silence clock starts after it.
            const start = Date.now();
            const lively = await connect("/ws/idle");
            const silent = await connect("/ws/idle", { answerPings: false });
            await silent.next("connected");
            const ping = await silent.next("ping", () => true, IDLE_MS);
            assert.equal(typeof ping.data?.timestamp, "number");
            const warning = await silent.next("timeout_warning", () => true, 2 * IDLE_MS);
            // Sent once the silence passes 3 s, so the close is always less than one second away.
            assert.equal(warning.data?.seconds_left, 1);
            assert.equal((await silent.closed).code, 4000);
            const silentFor = Date.now() - start;
            assert.ok(silentFor >= IDLE_MS, `closed after ${silentFor} ms of silence, not before ${IDLE_MS}`);

            // The lively client opened first and answers pings: it has outlived the idle timeout and stays.
            assert.ok(lively.received.some((m) => m.event === "ping"), "the lively client was pinged too");
            assert.ok(!lively.received.some((m) => m.event === "timeout_warning"));
            await lively.roundTrip();
            await closeAll();
          },
        );

        await t.step("connections beyond --max-connections-per-address are closed with 4029", async () => {
          await untilConnections(server, 0);
          for (let i = 0; i < 6; i++) await (await connect("/ws/lobby")).next("room_list");
          const extra = await connect("/ws/lobby");
          assert.equal((await extra.closed).code, 4029);
          assert.equal(extra.received.length, 0, "a refused socket hears nothing first");
          await open[0]!.close();
          await untilConnections(server, 5);
          const admitted = await connect("/ws/lobby");
          await admitted.next("room_list");
          await closeAll();
        });

        await t.step(
          target === "binary"
            ? "permessage-deflate is negotiated when offered, and only frames of 1 KiB or more are compressed"
            : "permessage-deflate is not negotiated: Deno's server WebSocket does not implement it",
          async () => {
            const raw = await RawSocket.open(server, "/ws/deflate", {
              "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits",
            });
            try {
              assert.match(raw.response, /^HTTP\/1\.1 101/);
              const negotiated = /^sec-websocket-extensions:.*permessage-deflate/im.test(raw.response);
              assert.equal(negotiated, target === "binary");
              await raw.send("ping", { pad: "y".repeat(1_500) });
              const frames: ServerFrame[] = [];
              await raw.readUntil((frame) => {
                frames.push({ ...frame, payload: frame.payload.slice() });
                return frame.opcode === 1 && frames.length >= 2;
              }, 3_000);
              const [connected, pong] = frames;
              assert.ok(connected !== undefined && pong !== undefined, "connected and pong arrived");
              assert.equal(connected.compressed, false, "a small frame is never compressed");
              assert.equal(
                pong.compressed,
                target === "binary",
                "a large frame is compressed where negotiated",
              );
              const message = JSON.parse(await frameText(pong)) as { event: string; data: { pad: string } };
              assert.equal(message.event, "pong");
              assert.equal(message.data.pad.length, 1_500);
            } finally {
              raw.close();
            }
          },
        );
      } finally {
        await closeAll();
        await server.stop();
      }
    },
  });

  Deno.test({
    name: `[${target}] a client that stops reading is closed with 4008 and the server's memory stays bounded`,
    ignore: ignoreTarget(target),
    async fn() {
      const server = await startServer(target, [
        "--send-buffer-bytes",
        "262144",
        "--rate",
        "10000",
        "--rate-burst",
        "100000",
      ], { LIAPTUI_ADMIN_TOKEN: ADMIN_TOKEN });
      const slow = await RawSocket.open(server, "/ws/firehose");
      const clients: TestClient[] = [];
      try {
        assert.match(slow.response, /^HTTP\/1\.1 101/);
        await slow.send("join_room", { player_name: "Slow" });
        for (const name of ["Reader", "Talker"]) {
          const client = await TestClient.connect(`${server.wsUrl}/ws/firehose`);
          clients.push(client);
          client.send("join_room", { player_name: name });
          await client.next("joined_room");
        }
        const [reader, talker] = clients as [TestClient, TestClient];
        await reader.next("player_joined", (m) => m.data?.player_name === "Talker");
        assert.equal(await healthConnections(server), 3);

        const start = await collectedMemory(server, ADMIN_TOKEN);
        const startRss = server.rss();
        assert.ok(startRss !== null, "RSS is readable on this platform");
        let peakRss = startRss;
        // 100 chats of ~1.6 KB per burst stay under every reader's 256 KiB buffer; the slow one never drains.
        const burst = 100;
        let sent = 0;
        let readerBytes = 0;
        let counted = 0;
        while (readerBytes < 25 * MiB) {
          for (let i = 0; i < burst; i++) talker.send("chat", { message: `${sent + i} `.padEnd(500, "€") });
          sent += burst;
          const last = `${sent - 1} `.padEnd(500, "€");
          await reader.next("chat", (m) => m.data?.message === last, 10_000);
          for (; counted < reader.frames.length; counted++) {
            readerBytes += encoder.encode(reader.frames[counted]!).length;
          }
          peakRss = Math.max(peakRss, server.rss() ?? 0);
        }
        // The talker read every broadcast too: at least 50 MiB went out to the two readers.
        await talker.next("chat", (m) => m.data?.message === `${sent - 1} `.padEnd(500, "€"), 10_000);

        const dropped = reader.received.find((m) => m.event === "player_disconnected");
        assert.equal(dropped?.data?.player_name, "Slow", "the room saw the slow consumer go");
        assert.equal(await healthConnections(server), 2, "only the two readers are left");
        await reader.roundTrip();
        await talker.roundTrip();
        const end = await collectedMemory(server, ADMIN_TOKEN);
        const growth = end.rss - start.rss;
        console.log(
          `[${target}] slow consumer: ${sent} chats, ${(readerBytes / MiB).toFixed(1)} MiB per reader; ` +
            `RSS ${(startRss / MiB).toFixed(1)} MiB at start, peak ${(peakRss / MiB).toFixed(1)} MiB ` +
            `(+${((peakRss - startRss) / MiB).toFixed(1)} MiB); after a collection ` +
            `${(start.rss / MiB).toFixed(1)} → ${(end.rss / MiB).toFixed(1)} MiB, heap ` +
            `${(start.heap / MiB).toFixed(1)} → ${(end.heap / MiB).toFixed(1)} MiB`,
        );
        // Judged after a collection: the peak mostly says when the collector last ran, and under V8 it moved
        // from +14 to +79 MiB for the same code with 50 MiB of chats going through. Whatever the server still
        // holds shows here: 12–16 MiB of RSS and under 3 MiB of heap (the room keeps each chat command, text
        // dropped, to replay on a rollback) in runs at 04:15 UTC on 2026-12-02; had the slow member's frames
        // been kept rather than it being closed, another 25 MiB.
        assert.ok(growth < 32 * MiB, `RSS after a collection grew by ${(growth / MiB).toFixed(1)} MiB`);
        assert.ok(
          end.heap - start.heap < 8 * MiB,
          `the heap grew by ${((end.heap - start.heap) / MiB).toFixed(1)} MiB`,
        );

        assert.equal(await slowConsumerCloses(server), 1, "closed as a slow consumer (4008), once");
        // Reading at last: whatever was still buffered, then the close frame the server queued behind it. A
        // close frame behind a buffer nobody reads cannot be delivered until the client reads, and Bun does not
        // keep a closed socket's unsent data for long: it may end the connection before this point (seen on a
        // loaded machine, for main's build too). Then the server must have ended it, not left it open.
        const close = await slow.readUntil((frame) => frame.opcode === 8, 10_000);
        if (close !== null) assert.equal(closeCodeOf(close), 4008);
        else assert.ok(slow.endedByPeer, "no close frame and the connection still open after 10 s");
        console.log(`[${target}] slow consumer: ${close !== null ? "close frame 4008" : "connection ended"}`);
      } finally {
        slow.close();
        await Promise.all(clients.map((client) => client.close()));
        await server.stop();
      }
    },
  });
}
