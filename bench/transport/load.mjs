// Load generator of the transport benchmark (Bun only): many sockets in one process, one scenario per run.
// Prints `MEASURE start` / `MEASURE end` when the runner should sample the server, then one JSON result line.
// Usage: bun load.mjs --kind ws|sio --url http://127.0.0.1:PORT --scenario fanout|rooms|idle|connects|reconnect|slow

import { connect as tcpConnect } from "node:net";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
};
const KIND = arg("kind", "ws");
const URL_BASE = arg("url", "http://127.0.0.1:8080");
const SCENARIO = arg("scenario", "fanout");
const SIO_DIR = arg("sio-dir", "");
/**
 * Unmeasured warm-up before `fanout` and `rooms`, as a fraction of the measured load (default 0.5): a
 * server runs for days, and without it a few-second run mostly measures JavaScriptCore compiling the server's
 * code (perf put JSC's JIT threads at a quarter of liaptui's CPU in a cold `fanout`). `--warmup 0`: cold.
 */
const WARMUP = Number(arg("warmup", 0.5));
/**
 * Whether the sockets offer permessage-deflate (`--deflate yes`). Off by default: liaptui accepts the offer
 * (its protocol says so) and raw Bun does not, and Bun's client then sets up zlib for every liaptui socket:
 * in `idle` the load generator spent 6.4 s of CPU on 5,000 connects against 1.1 s without the offer, filled
 * its core and capped liaptui's connects/s at a seventh of raw Bun's while the server's core sat at 25 %.
 */
const DEFLATE = arg("deflate", "no") === "yes";
/** Every scenario stops by this deadline, whatever was delivered. */
const DEADLINE_MS = Number(arg("deadline-ms", 60_000));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

let sioConnect = null;
if (KIND === "sio") {
  const path = Bun.resolveSync("socket.io-client", SIO_DIR);
  sioConnect = (await import(path)).io;
}

/**
 * One client socket with the same face for both transports: frames are strings holding one envelope
 * (liaptui's own wire, or the "m" event's payload for Socket.IO).
 */
function openClient(room, token, lastSeq) {
  const client = { onFrame: () => {}, onClose: () => {}, send: null, close: null, opened: null };
  if (KIND === "sio") {
    const socket = sioConnect(URL_BASE, {
      transports: ["websocket"],
      query: { room },
      reconnection: false,
      forceNew: true,
    });
    socket.on("m", (frame) => client.onFrame(frame));
    socket.on("disconnect", () => client.onClose(null));
    client.send = (text) => socket.emit("m", text);
    client.close = () => socket.disconnect();
    client.opened = new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    });
    return client;
  }
  const query = token ? `?token=${token}${lastSeq === undefined ? "" : `&last_seq=${lastSeq}`}` : "";
  const ws = new WebSocket(`${URL_BASE.replace("http", "ws")}/ws/${room}${query}`, {
    perMessageDeflate: DEFLATE,
  });
  ws.onmessage = (e) => client.onFrame(e.data);
  ws.onclose = (e) => client.onClose(e.code);
  client.send = (text) => ws.send(text);
  client.close = () => ws.close();
  client.opened = new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  return client;
}

/** A room broadcast's `seq`, if the frame has one (direct replies have none). */
const seqOf = (frame) => {
  const match = /"seq":(\d+)/.exec(frame);
  return match === null ? undefined : Number(match[1]);
};

const eventOf = (frame) => {
  const i = frame.indexOf('"event":"');
  return i < 0 ? "" : frame.slice(i + 9, frame.indexOf('"', i + 9));
};

/**
 * Connects and joins; resolves with the client and its session token once `joined_room` arrives. Until a
 * scenario sets its own `onFrame`, the client keeps noting the last room `seq` it saw.
 */
async function joinedClient(room, name, as = "player") {
  const client = openClient(room);
  await client.opened;
  // The last room seq this player saw: what it resumes from after a drop (see `reconnect`).
  client.lastSeq = undefined;
  const track = (frame) => {
    const seq = seqOf(frame);
    if (seq !== undefined && !(seq <= client.lastSeq)) client.lastSeq = seq;
  };
  const joined = new Promise((resolve, reject) => {
    client.onFrame = (frame) => {
      track(frame);
      const event = eventOf(frame);
      if (event === "joined_room") {
        const t = frame.indexOf('"session_token":"');
        resolve(frame.slice(t + 17, frame.indexOf('"', t + 17)));
      } else if (event === "error") reject(new Error(frame));
    };
  });
  client.send(JSON.stringify({ event: "join_room", data: { player_name: name, as } }));
  client.token = await joined;
  client.onFrame = track;
  return client;
}

/** Runs `tasks` with at most `limit` in flight. */
async function pool(count, limit, task) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, count) }, async () => {
    while (next < count) await task(next++);
  });
  await Promise.all(workers);
}

function percentiles(samples, count) {
  const s = samples.subarray(0, count).sort();
  const at = (q) => (count === 0 ? null : Number(s[Math.min(count - 1, Math.floor(q * count))].toFixed(3)));
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1 - 1e-12) };
}

/**
 * Counts chat copies per receiver: in order per sender (a copy with a smaller or repeated number counts as
 * reordered, a skipped number as a gap), and the latency from the timestamp the sender put in the message.
 */
function tally(receivers, senders, expectedPerReceiver) {
  const t = {
    copies: 0,
    reordered: 0,
    gaps: 0,
    latencies: new Float32Array(receivers * expectedPerReceiver + 1024),
    lastSeen: new Int32Array(receivers * senders).fill(-1),
  };
  t.record = (receiver, frame) => {
    const i = frame.indexOf('"message":"');
    if (i < 0) return null;
    const message = frame.slice(i + 11, frame.indexOf('"', i + 11));
    const [s, n, sent] = message.split("|");
    const sender = Number(s);
    const seq = Number(n);
    const slot = receiver * senders + sender;
    const last = t.lastSeen[slot];
    if (seq <= last) t.reordered++;
    else {
      if (seq !== last + 1) t.gaps++;
      t.lastSeen[slot] = seq;
    }
    if (t.copies < t.latencies.length) t.latencies[t.copies] = now() - Number(sent);
    t.copies++;
    return sender;
  };
  return t;
}

const chat = (sender, n, pad = "") =>
  JSON.stringify({ event: "chat", data: { message: `${sender}|${n}|${now()}|${pad}` } });

/**
 * One room, `members` sockets, the first `senders` of them sending `perSender` messages, `window` in flight each.
 * A warm-up round of `WARMUP`× as many messages goes first, unmeasured and fully delivered (see `WARMUP`).
 */
async function fanout(
  { members = 100, senders = 20, perSender = 500, window = 4, slow = false, pad = 0 } = {},
) {
  const room = "fanout";
  const host = await joinedClient(room, "m0", "player");
  host.send(JSON.stringify({ event: "update_settings", data: { max_spectators: 100 } }));
  await sleep(100);
  const clients = [host];
  const normal = slow ? members - 1 : members;
  for (let i = 1; i < normal; i++) {
    clients.push(await joinedClient(room, `m${i}`, i < 4 ? "player" : "spectator"));
  }
  const slowClient = slow ? await slowSocket(room, `m${normal}`) : null;
  const padding = "x".repeat(pad);
  /** Sends `count` chats per sender and resolves once every copy arrived (or at the deadline). */
  const round = async (count, measured) => {
    const t = tally(normal, senders, senders * count);
    const expected = normal * senders * count;
    const sent = new Int32Array(senders);
    let done;
    const finished = new Promise((r) => (done = r));
    const sendNext = (s) => {
      if (sent[s] < count) clients[s].send(chat(s, sent[s]++, padding));
    };
    clients.forEach((client, r) => {
      client.onFrame = (frame) => {
        if (eventOf(frame) !== "chat") return;
        if (t.record(r, frame) === r) sendNext(r);
        if (t.copies >= expected) done();
      };
    });
    if (measured) await mark("start");
    const started = now();
    for (let s = 0; s < senders; s++) for (let w = 0; w < window; w++) sendNext(s);
    await Promise.race([finished, sleep(DEADLINE_MS)]);
    const seconds = (now() - started) / 1000;
    if (measured) await mark("end");
    return { t, expected, seconds };
  };
  const warmup = Math.round(perSender * WARMUP);
  if (warmup > 0 && !slow) await round(warmup, false);
  const { t, expected, seconds } = await round(perSender, true);
  const slowResult = slowClient ? await slowClient.finish() : undefined;
  const lat = percentiles(t.latencies, Math.min(t.copies, t.latencies.length));
  for (const c of clients) c.close();
  return {
    expected,
    delivered: t.copies,
    lost: expected - t.copies,
    reordered: t.reordered,
    gaps: t.gaps,
    seconds,
    copies_per_s: t.copies / seconds,
    latency_ms: lat,
    warmup_per_sender: slow ? 0 : warmup,
    slow: slowResult,
  };
}

/**
 * `rooms` rooms of `size` players; every player sends `rate` messages a second for `seconds`, after an unmeasured
 * warm-up of `WARMUP` × `seconds` at the same rate.
 */
async function rooms({ rooms = 250, size = 4, rate = 20, seconds = 10 } = {}) {
  const clients = [];
  await pool(rooms * size, 50, async (i) => {
    clients[i] = await joinedClient(`r${Math.floor(i / size)}`, `p${i % size}`, "player");
  });
  const total = rooms * size;
  /** `length` seconds at `rate`; resolves once every copy arrived, or 5 s after the last send. */
  const round = async (length, measured) => {
    const perSender = Math.round(rate * length);
    // Receivers count per room-local sender index.
    const t = tally(total, size, size * perSender);
    const expected = total * size * perSender;
    let done;
    const finished = new Promise((r) => (done = r));
    clients.forEach((client, r) => {
      client.onFrame = (frame) => {
        if (eventOf(frame) !== "chat") return;
        t.record(r, frame);
        if (t.copies >= expected) done();
      };
    });
    if (measured) await mark("start");
    const started = now();
    const period = 1000 / rate;
    const sent = new Int32Array(total);
    // Each sender is offset within the period so the load is smooth, not 1,000 sends every 50 ms.
    await new Promise((resolve) => {
      const tick = setInterval(() => {
        const elapsed = now() - started;
        let left = 0;
        for (let i = 0; i < total; i++) {
          const due = Math.min(perSender, Math.floor((elapsed - (i / total) * period) / period) + 1);
          while (sent[i] < due) clients[i].send(chat(i % size, sent[i]++));
          if (sent[i] < perSender) left++;
        }
        if (left === 0) {
          clearInterval(tick);
          resolve();
        }
      }, 5);
    });
    await Promise.race([finished, sleep(5_000)]);
    const elapsed = (now() - started) / 1000;
    if (measured) await mark("end");
    return { t, expected, elapsed };
  };
  if (WARMUP > 0) await round(seconds * WARMUP, false);
  const { t, expected, elapsed } = await round(seconds, true);
  for (const c of clients) c.close();
  return {
    expected,
    delivered: t.copies,
    lost: expected - t.copies,
    reordered: t.reordered,
    gaps: t.gaps,
    seconds: elapsed,
    copies_per_s: t.copies / elapsed,
    latency_ms: percentiles(t.latencies, Math.min(t.copies, t.latencies.length)),
    warmup_seconds: seconds * WARMUP,
  };
}

/**
 * `count` sockets join rooms `${prefix}0`, `${prefix}1`, … of four, with at most `concurrency` handshakes in
 * flight; a failed join is counted and the others go on.
 */
async function joinRooms(prefix, count, concurrency) {
  const clients = [];
  let failed = 0;
  const started = now();
  await pool(count, concurrency, async (i) => {
    try {
      clients[i] = await joinedClient(`${prefix}${Math.floor(i / 4)}`, `p${i % 4}`, "player");
    } catch {
      failed++;
    }
  });
  return { clients, failed, seconds: (now() - started) / 1000 };
}

/** An unmeasured warm-up round of joins; it must not fail, or the measured round would not be comparable. */
async function warmUp(prefix, count, concurrency) {
  const warm = await joinRooms(prefix, count, concurrency);
  if (warm.failed > 0) throw new Error(`${warm.failed} of ${count} warm-up joins failed`);
  return warm.clients;
}

function connectFigures(connections, measured, warmCount) {
  return {
    connections,
    failed: measured.failed,
    seconds: measured.seconds,
    connects_per_s: (connections - measured.failed) / measured.seconds,
    warmup_connections: warmCount,
  };
}

/**
 * `connections` sockets join rooms of four (at most `concurrency` handshakes in flight), then sit idle. Cold by
 * default (`warmup` 0): its RSS per connection is meant as the cost of a connection on a fresh server, and
 * after a warm-up allocators reuse what the warm-up grew (raw Bun then showed 1.4 KiB instead of 4).
 */
async function idle({ connections = 5000, concurrency = 100, warmup = 0 } = {}) {
  const warmCount = Math.round(connections * warmup);
  const warm = await warmUp("w", warmCount, concurrency);
  await sleep(500);
  await mark("start");
  const measured = await joinRooms("i", connections, concurrency);
  await sleep(1000);
  await mark("end");
  for (const c of [...measured.clients, ...warm]) c?.close();
  return connectFigures(connections, measured, warmCount);
}

/**
 * Connects on a server that has already served some: a warm-up round of `WARMUP`× `connections` sockets joins
 * rooms of four and leaves (unmeasured), then `connections` sockets connect and join (measured) as in `idle`.
 * `idle` measures the same joins on a fresh server, where about a quarter of liaptui's CPU per connect is
 * JavaScriptCore compiling the connect path once; this is the rate a running server keeps.
 */
async function connects({ connections = 5000, concurrency = 100 } = {}) {
  const warmCount = Math.round(connections * WARMUP);
  for (const c of await warmUp("cw", warmCount, concurrency)) c.close();
  await sleep(1000);
  await mark("start");
  const measured = await joinRooms("c", connections, concurrency);
  await mark("end");
  for (const c of measured.clients) c?.close();
  return connectFigures(connections, measured, warmCount);
}

/**
 * `connections` players in rooms of four; every socket is dropped at once, then all reconnect: with their
 * session token and the last `seq` they saw where the target has them (liaptui: back when `resumed` arrives,
 * `recovered` if the events missed meanwhile were replayed, resynced if a fresh `game_state` came instead),
 * else by joining again.
 */
async function reconnect({ connections = 1000 } = {}) {
  const clients = [];
  await pool(connections, 50, async (i) => {
    clients[i] = await joinedClient(`s${Math.floor(i / 4)}`, `p${i % 4}`, "player");
  });
  const tokens = clients.map((c) => c.token);
  await mark("start");
  const started = now();
  for (const c of clients) c.close();
  const times = new Float64Array(connections);
  let recovered = 0;
  let resumed = 0;
  let recoveredWithReplay = 0;
  let failed = 0;
  const again = [];
  const useToken = TARGET_HAS_TOKENS();
  await Promise.all(tokens.map(async (token, i) => {
    try {
      const room = `s${Math.floor(i / 4)}`;
      if (useToken) {
        const client = openClient(room, token, clients[i].lastSeq);
        again[i] = client;
        const replayed = await new Promise((resolve, reject) => {
          client.onFrame = (frame) => {
            const event = eventOf(frame);
            if (event === "resumed") resolve(frame.includes('"recovered":true'));
            else if (event === "error") reject(new Error(frame));
          };
          client.opened.catch(reject);
        });
        resumed++;
        if (replayed) recoveredWithReplay++;
      } else {
        again[i] = await joinedClient(room, `p${i % 4}`, "player");
      }
      times[recovered++] = now() - started;
    } catch {
      failed++; // Counted and reported.
    }
  }));
  await mark("end");
  for (const c of again) c?.close();
  const sorted = times.subarray(0, recovered).sort();
  const at = (
    q,
  ) => (recovered === 0
    ? null
    : Number(sorted[Math.min(recovered - 1, Math.ceil(q * connections) - 1)]?.toFixed(1) ?? NaN));
  return {
    connections,
    recovered,
    resumed_with_token: resumed,
    recovered_by_replay: recoveredWithReplay,
    resynced: resumed - recoveredWithReplay,
    failed,
    ms_to_50pct: at(0.5),
    ms_to_99pct: recovered >= Math.ceil(0.99 * connections) ? at(0.99) : null,
    ms_to_all: recovered === connections ? at(1) : null,
  };
}
const TARGET_HAS_TOKENS = () => arg("tokens", "no") === "yes";

/**
 * A member that joins and then never reads: a hand-made WebSocket client on a paused TCP socket. `finish()`
 * resumes reading and reports how many chat frames got through and whether the server closed it (and how).
 */
function slowSocket(room, name) {
  if (KIND === "sio") return slowSocketIo(room, name);
  const url = new URL(URL_BASE);
  const socket = tcpConnect(Number(url.port), url.hostname);
  const chunks = [];
  let closed = false;
  let joined = null;
  const isJoined = new Promise((r) => (joined = r));
  socket.on("data", (chunk) => {
    chunks.push(chunk);
    // Paused once, as soon as the join is confirmed; after `finish()` resumes, everything is read.
    if (joined !== null && Buffer.concat(chunks).includes("joined_room")) {
      socket.pause();
      joined();
      joined = null;
    }
  });
  socket.on("close", () => (closed = true));
  socket.on("error", () => (closed = true));
  socket.write(
    `GET /ws/${room} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  socket.write(
    maskedText(JSON.stringify({ event: "join_room", data: { player_name: name, as: "spectator" } })),
  );
  return isJoined.then(() => ({
    async finish() {
      socket.resume();
      for (let waited = 0; !closed && waited < 5000; waited += 50) await sleep(50);
      const frames = parseFrames(Buffer.concat(chunks));
      socket.destroy();
      return {
        closed_by_server: frames.closeCode !== null,
        close_code: frames.closeCode,
        // A close frame queued behind a buffer the client does not read can only arrive once it reads again;
        // a server may give up on flushing before that (Bun does, seconds after the close) and just end the
        // connection. So also: did the connection end, and what does liaptui's own metric say?
        connection_ended: closed,
        server_slow_closes: await serverSlowCloses(),
        chat_frames: frames.chats,
      };
    },
  }));
}

/** liaptui's count of 4008 closes from `/metrics`; null for servers without it. */
async function serverSlowCloses() {
  try {
    const text = await (await fetch(`${URL_BASE}/metrics`)).text();
    const line = text.split("\n").find((l) => l.startsWith("liaptui_slow_consumer_closes_total "));
    return line === undefined ? null : Number(line.split(" ")[1]);
  } catch {
    return null;
  }
}

/** Socket.IO has no hand-made client here: its slow member is a normal client whose handler blocks. */
async function slowSocketIo(room, name) {
  const client = await joinedClient(room, name, "spectator");
  let chats = 0;
  let closeCode = null;
  client.onFrame = () => {
    chats++;
    const until = now() + 5;
    while (now() < until); // Busy: this client reads about 200 frames a second.
  };
  client.onClose = (code) => (closeCode = code ?? "disconnect");
  return {
    finish:
      () => (client.close(),
        { closed_by_server: closeCode !== null, close_code: closeCode, chat_frames: chats }),
  };
}

function maskedText(text) {
  const payload = Buffer.from(text);
  const header = payload.length < 126
    ? Buffer.from([0x81, 0x80 | payload.length])
    : Buffer.from([0x81, 0xfe, payload.length >> 8, payload.length & 255]);
  const mask = Buffer.from([1, 2, 3, 4]);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i & 3]));
  return Buffer.concat([header, mask, body]);
}

/** Counts chat frames and finds a close frame in what the server sent after the HTTP response. */
function parseFrames(data) {
  let at = data.indexOf("\r\n\r\n") + 4;
  let chats = 0;
  let closeCode = null;
  while (at + 2 <= data.length) {
    const opcode = data[at] & 0x0f;
    let len = data[at + 1] & 0x7f;
    let start = at + 2;
    if (len === 126) [len, start] = [data.readUInt16BE(at + 2), at + 4];
    else if (len === 127) [len, start] = [Number(data.readBigUInt64BE(at + 2)), at + 10];
    if (start + len > data.length) break;
    if (opcode === 1 && data.subarray(start, start + len).includes('"event":"chat"')) chats++;
    if (opcode === 8) closeCode = len >= 2 ? data.readUInt16BE(start) : 1005;
    at = start + len;
  }
  return { chats, closeCode };
}

async function mark(what) {
  console.log(`MEASURE ${what}`);
  // The runner samples /proc when it reads the line; give it a moment before the load starts or stops.
  await sleep(150);
}

const scenarios = {
  fanout: () => fanout(),
  rooms: () => rooms(),
  idle: () => idle(),
  connects: () => connects(),
  reconnect: () => reconnect(),
  // 16,000 chats of ~560 bytes (liaptui takes at most 500 characters a message), about 9 MB for the member
  // that stops reading: more than the loopback buffers of a socket that is not read hold.
  slow: () => fanout({ slow: true, perSender: 800, pad: 440 }),
};
const result = await scenarios[SCENARIO]();
console.log(`RESULT ${JSON.stringify(result)}`);
process.exit(0);
