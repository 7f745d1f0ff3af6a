// The typed client against a scripted socket and a fake clock: tokens, resume, de-duplication, gaps, backoff,
// close codes, requests, redirects and liveness, with no real socket or timer.

import assert from "node:assert/strict";
import { Client, type ClientOptions } from "../../src/client/client.ts";
import type { LobbyChannel, RoomChannel } from "../../src/client/channel.ts";
import type { ClientStatus } from "../../src/client/client_status.ts";
import { ClientCloseCode, RequestError } from "../../src/client/client_status.ts";
import { CloseCode } from "../../src/protocol/codes.ts";
import { memoryTokenStore } from "../../src/client/token_store.ts";
import { FakeClock } from "../../src/rooms/clock.ts";
import { fakeSockets } from "./fake_socket.ts";

const ROOM_URL = "ws://server.test/ws/friday";

function setup(options: ClientOptions = {}, url = ROOM_URL) {
  const clock = new FakeClock(0);
  const net = fakeSockets();
  const statuses: ClientStatus[] = [];
  const client = new Client<RoomChannel>(url, {
    WebSocket: net.WebSocket,
    timers: clock,
    random: () => 0.5,
    ...options,
  });
  client.onStatus((status) => statuses.push(status));
  return { clock, net, client, statuses };
}

/** A server envelope on the room channel. */
function ev(event: string, data: unknown = {}, extra: Record<string, unknown> = {}) {
  return { event, data, room_id: "friday", timestamp: 1, ...extra };
}

function roomState(seq: number) {
  return { room_id: "friday", seats: [null, null, null, null], seq };
}

/** Opens the first socket and joins as Ann with token T1; seq 1 is her player_joined. */
async function joined(options: ClientOptions = {}) {
  const t = setup(options);
  const opened = t.client.connect();
  t.net.last().open();
  await opened;
  t.net.last().receive(ev("connected", { connection_id: "k1", room_id: "friday", player_name: null }));
  t.net.last().receive(ev("player_joined", { player_name: "Ann", seat: 0, as: "player" }, { seq: 1 }));
  t.net.last().receive(
    ev("joined_room", {
      room_id: "friday",
      player_name: "Ann",
      seat: 0,
      session_token: "T1",
      room: roomState(1),
    }),
  );
  return t;
}

Deno.test("connect() opens the channel URL and resolves on open; batches arrive unwrapped, in order, typed", async () => {
  const { net, client } = setup();
  const seen: string[] = [];
  const seats: (number | null)[] = [];
  client.onMessage((m) => seen.push(m.event));
  client.on("player_joined", (data) => seats.push(data.seat));
  const opened = client.connect();
  assert.equal(net.sockets.length, 1);
  assert.equal(net.last().url, ROOM_URL);
  net.last().open();
  await opened;
  assert.deepEqual(client.status, { state: "open" });
  net.last().receive(ev("message_batch", {
    messages: [
      ev("player_joined", { player_name: "Ann", seat: 0, as: "player" }, { seq: 1 }),
      ev("player_joined", { player_name: "Bo", seat: 1, as: "player" }, { seq: 2 }),
    ],
    count: 2,
  }));
  assert.deepEqual(seen, ["player_joined", "player_joined"]);
  assert.deepEqual(seats, [0, 1]);
  assert.equal(client.lastSeq, 2);
});

Deno.test("joined_room's token is kept, and a reconnect after 1006 carries ?token= and the last seq delivered", async () => {
  const { net, client, clock, statuses } = await joined();
  assert.equal(client.token, "T1");
  net.last().receive(ev("chat", { player_name: "Ann", message: "hi" }, { seq: 2 }));
  net.last().serverClose(1006);
  const waiting = statuses.at(-1);
  assert.equal(waiting?.state, "reconnecting");
  assert.equal(net.sockets.length, 1, "no socket before the backoff delay");
  clock.advance(waiting?.state === "reconnecting" ? waiting.delayMs : 0);
  assert.equal(net.sockets.length, 2);
  assert.equal(net.last().path, "/ws/friday");
  assert.equal(net.last().params.get("token"), "T1");
  assert.equal(net.last().params.get("last_seq"), "2");
});

Deno.test("replayed broadcasts with seq <= last delivered are dropped and counted; later ones pass", async () => {
  const { net, client, clock } = await joined();
  net.last().receive(ev("chat", { player_name: "Ann", message: "a" }, { seq: 2 }));
  net.last().receive(ev("chat", { player_name: "Ann", message: "b" }, { seq: 3 }));
  net.last().serverClose(1001);
  clock.advance(60_000);
  const socket = net.last();
  assert.equal(socket.params.get("last_seq"), "3");
  socket.open();
  const chats: string[] = [];
  client.on("chat", (data) => chats.push(data.message));
  // A replay that overlaps what was seen (as a resume from an older seq would): each old event is dropped once.
  socket.receive(ev("message_batch", {
    messages: [
      ev("chat", { player_name: "Ann", message: "b" }, { seq: 3 }),
      ev("chat", { player_name: "Ann", message: "c" }, { seq: 4 }),
      ev("chat", { player_name: "Ann", message: "c" }, { seq: 4 }),
      ev("chat", { player_name: "Ann", message: "d" }, { seq: 5 }),
    ],
    count: 4,
  }));
  socket.receive(ev("resumed", { replayed: 2, recovered: true }));
  assert.deepEqual(chats, ["c", "d"]);
  assert.equal(client.duplicates, 2);
  assert.equal(client.lastSeq, 5);
});

Deno.test("a gap on a live connection is reported and asks once for a fresh game_state, which becomes the baseline", async () => {
  const { net, client } = await joined();
  const gaps: unknown[] = [];
  client.onGap((gap) => gaps.push(gap));
  const socket = net.last();
  socket.receive(ev("chat", { player_name: "Ann", message: "x" }, { seq: 4 }));
  socket.receive(ev("chat", { player_name: "Ann", message: "y" }, { seq: 6 }));
  assert.deepEqual(gaps, [{ expected: 2, received: 4 }, { expected: 5, received: 6 }]);
  assert.equal(socket.sentOf("get_state").length, 1, "one resync while the first is outstanding");
  socket.receive(
    ev("game_state", { room: roomState(9), you: null, game: null }, {
      id: socket.sentOf("get_state")[0]!.id,
    }),
  );
  assert.equal(client.lastSeq, 9);
  socket.receive(ev("chat", { player_name: "Ann", message: "z" }, { seq: 10 }));
  assert.equal(gaps.length, 2);
  socket.receive(ev("chat", { player_name: "Ann", message: "z" }, { seq: 12 }));
  assert.equal(gaps.length, 3);
  assert.equal(socket.sentOf("get_state").length, 2, "a new gap after the snapshot asks again");
});

Deno.test("a resume that was not recovered treats the jump before its game_state as expected and asks for nothing", async () => {
  const { net, client, clock } = await joined();
  const gaps: unknown[] = [];
  client.onGap((gap) => gaps.push(gap));
  net.last().serverClose(1006);
  clock.advance(60_000);
  const socket = net.last();
  socket.open();
  // The gap is no longer kept: resumed {recovered: false}, player_reconnected (seq 7), then a fresh game_state
  // that covers up to 7. Until that game_state arrives the jump is the catching up, not a loss to repair.
  socket.receive(ev("connected", { connection_id: "k2", room_id: "friday", player_name: "Ann" }));
  socket.receive(ev("resumed", { replayed: 0, recovered: false }));
  socket.receive(ev("player_reconnected", { player_name: "Ann", seat: 0 }, { seq: 7 }));
  socket.receive(ev("game_state", { room: roomState(7), you: null, game: null }));
  assert.deepEqual(gaps, [{ expected: 2, received: 7 }]);
  assert.equal(socket.sentOf("get_state").length, 0);
  socket.receive(ev("chat", { player_name: "Ann", message: "back" }, { seq: 8 }));
  assert.equal(gaps.length, 1);
  assert.equal(client.lastSeq, 8);
});

Deno.test("backoff waits are full-jitter draws under a doubling ceiling with a cap, reset by a stable connection", () => {
  const draws = [0.999, 0.999, 0.999, 0.999, 0.999, 0.999, 0.5];
  const { net, client, clock, statuses } = setup({
    backoff: { initialMs: 100, maxMs: 1_000 },
    stableAfterMs: 5_000,
    random: () => draws.shift() ?? 0,
  });
  client.connect();
  const delays: number[] = [];
  for (let i = 0; i < 6; i++) {
    net.last().serverClose(1006); // never opened: a refused connection
    const status = statuses.at(-1)!;
    assert.equal(status.state, "reconnecting");
    if (status.state === "reconnecting") delays.push(status.delayMs);
    clock.advance(status.state === "reconnecting" ? status.delayMs : 0);
  }
  assert.equal(delays.length, 6);
  assert.deepEqual(delays, [99, 199, 399, 799, 999, 999]);
  // Open long enough to count as stable: the next wait starts from the first ceiling again.
  net.last().open();
  clock.advance(5_000);
  net.last().serverClose(1006);
  const after = statuses.at(-1)!;
  assert.ok(after.state === "reconnecting" && after.delayMs === 50, JSON.stringify(after));
});

Deno.test("1001, 1006, 1011 and 4008 are reconnected; 4001 stops as session_replaced, 1008, 4029 and 4003 as refused", async () => {
  for (const code of [1001, 1006, 1011, 4008]) {
    const { net, clock, client } = await joined();
    net.last().serverClose(code);
    clock.advance(60_000);
    assert.equal(net.sockets.length, 2, `reconnects after ${code}`);
    assert.equal(client.status.state, "connecting");
  }
  const stops = [[4001, "session_replaced"], [1008, "refused"], [4029, "refused"], [
    4003,
    "refused",
  ]] as const;
  for (const [code, cause] of stops) {
    const { net, clock, client } = await joined();
    net.last().serverClose(code, "bye");
    clock.advance(600_000);
    assert.equal(net.sockets.length, 1, `no reconnect after ${code}`);
    assert.deepEqual(await client.closed, { code, reason: "bye", cause });
    assert.deepEqual(client.status, { state: "closed", code, reason: "bye", cause });
  }
});

Deno.test("a refused connection reported with code 0 (as Deno does) is reported as 1006 and retried", () => {
  const { net, client, statuses } = setup();
  client.connect();
  net.last().serverClose(0);
  const status = statuses.at(-1)!;
  assert.ok(status.state === "reconnecting" && status.code === 1006, JSON.stringify(status));
});

Deno.test("shouldReconnect can allow a code the default refuses", async () => {
  const { net, clock } = await joined({ shouldReconnect: () => true });
  net.last().serverClose(4029);
  clock.advance(60_000);
  assert.equal(net.sockets.length, 2);
});

Deno.test("close() during a backoff wait stops for good: no socket is opened later, closed settles", async () => {
  const { net, client, clock } = await joined();
  net.last().serverClose(1006);
  const closed = client.close();
  clock.advance(600_000);
  assert.equal(net.sockets.length, 1);
  assert.deepEqual(await closed, { code: 1000, reason: "", cause: "closed" });
  assert.equal(clock.pending, 0, "no timer left behind");
});

Deno.test("close() called from a status handler stops for good, whichever state announced it", async () => {
  for (const state of ["connecting", "reconnecting"] as const) {
    const { net, client, clock } = await joined();
    client.onStatus((status) => {
      if (status.state === state) client.close();
    });
    net.last().serverClose(1006);
    clock.advance(600_000);
    assert.equal((await client.closed).cause, "closed", state);
    assert.equal(net.sockets.length, 1, `no socket opened after close() (${state})`);
    assert.equal(clock.pending, 0, `no timer left behind (${state})`);
  }
});

Deno.test("close() on an open socket closes it with the code, fails pending requests and never reconnects", async () => {
  const { net, client, clock } = await joined();
  const socket = net.last();
  const pending = client.request("get_state");
  client.close(4000, "done");
  assert.deepEqual(socket.closeCalls, [{ code: 4000, reason: "done" }]);
  socket.serverClose(4000, "done");
  await assert.rejects(pending, (e: unknown) => e instanceof RequestError && e.code === "DISCONNECTED");
  assert.deepEqual(await client.closed, { code: 4000, reason: "done", cause: "closed" });
  clock.advance(600_000);
  assert.equal(net.sockets.length, 1);
  assert.equal(clock.pending, 0);
});

Deno.test("close() stops even when the server never finishes the close handshake", async () => {
  const { client, clock } = await joined();
  client.close();
  clock.advance(3_000);
  assert.equal((await client.closed).cause, "closed");
  assert.equal(clock.pending, 0);
});

Deno.test("request() resolves on the reply with its id and rejects with the server's code, TIMEOUT or NOT_CONNECTED", async () => {
  const { net, client, clock } = setup();
  await assert.rejects(
    client.request("get_state"),
    (e: unknown) => e instanceof RequestError && e.code === "NOT_CONNECTED",
  );
  client.connect();
  const socket = net.last();
  socket.open();
  const join = client.request("join_room", { player_name: "Ann" });
  const sent = socket.sentOf("join_room")[0]!;
  assert.deepEqual(sent.data, { player_name: "Ann" });
  assert.equal(typeof sent.id, "string");
  // Replies to other ids, and broadcasts, do not settle it.
  socket.receive(ev("pong", { server_time: 1 }, { id: "someone-else" }));
  socket.receive(ev("player_joined", { player_name: "Ann", seat: 0, as: "player" }, { seq: 1 }));
  socket.receive(
    ev("joined_room", {
      room_id: "friday",
      player_name: "Ann",
      seat: 0,
      session_token: "T",
      room: roomState(1),
    }, { id: sent.id }),
  );
  const reply = await join;
  assert.equal(reply.event, "joined_room");
  assert.equal(reply.data.session_token, "T");

  const again = client.request("join_room", { player_name: "Ann" });
  const id = socket.sentOf("join_room")[1]!.id;
  socket.receive({
    event: "error",
    error: { code: "ALREADY_IN_GAME", message: "You already joined", details: {}, timestamp: 1 },
    id,
  });
  await assert.rejects(
    again,
    (e: unknown) =>
      e instanceof RequestError && e.code === "ALREADY_IN_GAME" && e.id === id &&
      e.message === "You already joined",
  );

  const slow = client.request("get_state", {}, { timeoutMs: 500 });
  clock.advance(500);
  await assert.rejects(slow, (e: unknown) => e instanceof RequestError && e.code === "TIMEOUT");
});

Deno.test("send() writes the typed message only while open and reports whether it went out", () => {
  const { net, client } = setup();
  assert.equal(client.send("chat", { message: "early" }), false);
  client.connect();
  net.last().open();
  assert.equal(client.send("chat", { message: "hi" }, "c-x"), true);
  assert.equal(client.send("start_game"), true);
  assert.deepEqual(net.last().sent, [
    { event: "chat", data: { message: "hi" }, id: "c-x" },
    { event: "start_game", data: {} },
  ]);
});

Deno.test("reconnectNow() cuts a backoff wait short, and does nothing while connected", async () => {
  const { net, client, clock } = await joined({ backoff: { initialMs: 10_000, maxMs: 10_000 } });
  client.reconnectNow();
  assert.equal(net.sockets.length, 1, "open: nothing to do");
  net.last().serverClose(1006);
  assert.equal(client.status.state, "reconnecting");
  client.reconnectNow();
  assert.equal(net.sockets.length, 2);
  assert.equal(net.last().params.get("token"), "T1");
  clock.advance(60_000);
  assert.equal(net.sockets.length, 2, "the cancelled wait opens nothing later");
});

Deno.test("maxAttempts gives up after that many failed reconnects in a row", async () => {
  const { net, client, clock } = setup({ maxAttempts: 2 });
  const connecting = client.connect();
  net.last().serverClose(1006);
  clock.advance(60_000);
  net.last().serverClose(1006);
  clock.advance(60_000);
  net.last().serverClose(1006, "refused");
  await assert.rejects(connecting, /gave_up/);
  assert.equal(net.sockets.length, 3);
  assert.equal((await client.closed).cause, "gave_up");
});

Deno.test("AUTHENTICATION_FAILED forgets the token in the client and the store; the next connection goes without", () => {
  const tokens = memoryTokenStore();
  tokens.set("friday", "OLD");
  const { net, client, clock } = setup({ tokens });
  client.connect();
  assert.equal(net.last().params.get("token"), "OLD");
  assert.equal(net.last().params.get("last_seq"), null, "nothing delivered yet, nothing to resume after");
  net.last().open();
  net.last().receive(ev("connected", { connection_id: "k", room_id: "friday", player_name: null }));
  net.last().receive({
    event: "error",
    error: { code: "AUTHENTICATION_FAILED", message: "Unknown token", details: {}, timestamp: 1 },
  });
  assert.equal(client.token, null);
  assert.equal(tokens.get("friday"), null);
  net.last().receive(ev("chat", { player_name: "Bo", message: "hi" }, { seq: 40 }));
  net.last().serverClose(1006);
  clock.advance(60_000);
  assert.equal(net.last().params.get("token"), null);
  assert.equal(net.last().params.get("last_seq"), null);
  net.last().open();
  // A visitor's stream starts over: seq 1 of a recreated room is not mistaken for a duplicate of 40.
  const chats: string[] = [];
  client.on("chat", (data) => chats.push(data.message));
  net.last().receive(ev("chat", { player_name: "Cy", message: "new room" }, { seq: 1 }));
  assert.deepEqual(chats, ["new room"]);
});

Deno.test("a visitor who stays while the room closes and reopens gets the new room's stream from seq 1", () => {
  const { net, client } = setup();
  client.connect();
  net.last().open();
  const chats: string[] = [];
  const gaps: unknown[] = [];
  client.on("chat", (data) => chats.push(data.message));
  client.onGap((gap) => gaps.push(gap));
  net.last().receive(ev("chat", { player_name: "Ann", message: "old room" }, { seq: 40 }));
  net.last().receive(ev("player_joined", { player_name: "Bo", seat: 0, as: "player" }, { seq: 1 }));
  net.last().receive(ev("chat", { player_name: "Bo", message: "new room" }, { seq: 2 }));
  net.last().receive(ev("chat", { player_name: "Bo", message: "new room" }, { seq: 2 }));
  assert.deepEqual(chats, ["old room", "new room"]);
  assert.equal(client.lastSeq, 2);
  assert.equal(client.duplicates, 1);
  assert.deepEqual(gaps, []);
});

Deno.test("room_closed ends the session: the token is forgotten and a new room's seq 1 is delivered", async () => {
  const { net, client } = await joined();
  net.last().receive(ev("chat", { player_name: "Ann", message: "old" }, { seq: 2 }));
  net.last().receive(ev("room_closed", { message: "This room cannot go on" }));
  assert.equal(client.token, null);
  const joins: string[] = [];
  client.on("player_joined", (data) => joins.push(data.player_name));
  net.last().receive(ev("player_joined", { player_name: "Bo", seat: 0, as: "player" }, { seq: 1 }));
  assert.deepEqual(joins, ["Bo"]);
});

Deno.test("left_room forgets the token, so a reconnect does not take the seat back", async () => {
  const { net, client, clock } = await joined();
  net.last().receive(ev("left_room", {}));
  assert.equal(client.token, null);
  net.last().serverClose(1006);
  clock.advance(60_000);
  assert.equal(net.last().params.get("token"), null);
});

Deno.test("a token and last_seq in the URL are adopted, the token kept in the store", () => {
  const tokens = memoryTokenStore();
  const { client, net } = setup({ tokens }, `${ROOM_URL}?token=URLTOKEN&last_seq=3`);
  assert.equal(client.url, ROOM_URL);
  assert.equal(client.token, "URLTOKEN");
  assert.equal(tokens.get("friday"), "URLTOKEN");
  client.connect();
  assert.equal(client.lastSeq, 3);
  assert.equal(
    net.last().url,
    `${ROOM_URL}?token=URLTOKEN&last_seq=3`,
    "the first connection uses the URL as given",
  );
});

Deno.test("the lobby keeps a created room's token in the shared store, where that room's client finds it", async () => {
  const tokens = memoryTokenStore();
  const clock = new FakeClock(0);
  const net = fakeSockets();
  const lobby = new Client<LobbyChannel>("http://server.test/ws/lobby", {
    WebSocket: net.WebSocket,
    timers: clock,
    tokens,
  });
  assert.equal(lobby.roomId, null);
  assert.equal(lobby.url, "ws://server.test/ws/lobby");
  lobby.connect();
  net.last().open();
  const created = lobby.request("create_room", { room_name: "Friday", player_name: "Ann" });
  const id = net.last().sentOf("create_room")[0]!.id;
  net.last().receive({
    event: "room_created",
    data: { room_id: "AB12CD", room_name: "Friday", session_token: "TOK", player_name: "Ann" },
    room_id: "lobby",
    id,
    timestamp: 1,
  });
  assert.equal((await created).data.room_id, "AB12CD");
  assert.equal(lobby.token, null, "the lobby itself holds no seat");
  const room = new Client<RoomChannel>("ws://server.test/ws/AB12CD", {
    WebSocket: net.WebSocket,
    timers: clock,
    tokens,
  });
  room.connect();
  assert.equal(net.last().params.get("token"), "TOK");
});

Deno.test("redirect {path} reconnects at once to that node with token and last_seq; a later failure returns to the channel", async () => {
  const { net, client, clock } = await joined();
  const first = net.last();
  first.receive(ev("redirect", { path: "/n/node-b/ws/friday" }));
  assert.deepEqual(first.closeCalls.map((c) => c.code), [4000]);
  assert.equal(client.status.state, "reconnecting");
  clock.advance(0);
  const second = net.last();
  assert.equal(net.sockets.length, 2);
  assert.equal(second.path, "/n/node-b/ws/friday");
  assert.equal(second.params.get("token"), "T1");
  assert.equal(second.params.get("last_seq"), "1");
  second.open();
  second.receive(ev("connected", { connection_id: "k", room_id: "friday", player_name: "Ann" }));
  second.serverClose(1006);
  clock.advance(60_000);
  assert.equal(net.last().path, "/ws/friday", "after a failure the load balancer picks the node again");

  const abs = setup();
  abs.client.connect();
  abs.net.last().open();
  abs.net.last().receive(ev("redirect", { url: "https://node-c.test/n/c/ws/friday" }));
  abs.clock.advance(0);
  assert.equal(abs.net.last().url, "wss://node-c.test/n/c/ws/friday");
});

Deno.test("a redirect loop is slowed down by backoff after a few quick hops", async () => {
  const { net, clock, statuses } = await joined();
  const delays: number[] = [];
  for (let i = 0; i < 6; i++) {
    if (i > 0) net.last().open(); // The first socket is open already.
    net.last().receive(ev("redirect", { path: `/n/${i % 2 ? "a" : "b"}/ws/friday` }));
    const status = statuses.at(-1)!;
    delays.push(status.state === "reconnecting" ? status.delayMs : -1);
    clock.advance(60_000);
  }
  assert.deepEqual(delays.slice(0, 3), [0, 0, 0]);
  assert.ok(delays.slice(3).every((d) => d > 0), String(delays));
});

Deno.test("liveness: silence brings a ping; no answer drops the socket and reconnects; any frame counts as an answer", async () => {
  const { net, clock, client, statuses } = await joined({ liveness: { idleMs: 1_000, timeoutMs: 500 } });
  const socket = net.last();
  clock.advance(999);
  socket.receive(ev("chat", { player_name: "Ann", message: "still here" }, { seq: 2 }));
  clock.advance(1_000);
  assert.equal(socket.sentOf("ping").length, 0, "traffic in the last idle period: no ping");
  clock.advance(1);
  assert.equal(socket.sentOf("ping").length, 1);
  socket.receive(ev("pong", { server_time: 5 }));
  clock.advance(500);
  assert.equal(client.status.state, "open");
  clock.advance(1_000);
  assert.equal(socket.sentOf("ping").length, 2);
  clock.advance(500);
  assert.deepEqual(socket.closeCalls.map((c) => c.code), [4000]);
  const status = statuses.at(-1)!;
  assert.ok(status.state === "reconnecting" && status.code === 1006, JSON.stringify(status));
});

Deno.test("the server's ping is answered with pong unless answerPings is off", async () => {
  const on = await joined();
  on.net.last().receive(ev("ping", { timestamp: 5 }));
  assert.deepEqual(on.net.last().sentOf("pong"), [{ event: "pong", data: {} }]);
  const off = await joined({ answerPings: false });
  off.net.last().receive(ev("ping", { timestamp: 5 }));
  assert.deepEqual(off.net.last().sentOf("pong"), []);
});

Deno.test("messages() yields every delivered envelope in order and ends when the client stops", async () => {
  const { net, client } = await joined();
  const iterator = client.messages();
  net.last().receive(ev("chat", { player_name: "Ann", message: "1" }, { seq: 2 }));
  net.last().receive(ev("chat", { player_name: "Ann", message: "1" }, { seq: 2 }));
  net.last().receive(ev("hand", { pieces: [] }));
  client.close();
  net.last().serverClose(1000);
  const events: string[] = [];
  for await (const message of iterator) events.push(message.event);
  assert.deepEqual(events, ["chat", "hand"]);
});

Deno.test("waitFor() resolves on the next matching event and rejects on timeout", async () => {
  const { net, client, clock } = await joined();
  const hand = client.waitFor("hand", (m) => m.data.pieces.length === 1);
  net.last().receive(ev("hand", { pieces: [] }));
  net.last().receive(ev("hand", { pieces: [{ id: 3, kind: "HORSE", color: "RED", points: 6 }] }));
  assert.equal((await hand).data.pieces[0]?.id, 3);
  const never = client.waitFor("game_over", () => true, 100);
  clock.advance(100);
  await assert.rejects(never, /timed out/);
});

Deno.test("reconnect: false stops at the first close with cause disconnected", async () => {
  const { net, client, clock } = await joined({ reconnect: false });
  net.last().serverClose(1001, "shutting down");
  clock.advance(600_000);
  assert.equal(net.sockets.length, 1);
  assert.deepEqual(await client.closed, { code: 1001, reason: "shutting down", cause: "disconnected" });
});

Deno.test("the client's close codes are the server's", () => {
  for (const [name, code] of Object.entries(ClientCloseCode)) {
    if (name === "ABNORMAL") continue; // Reported by the host, never sent by the server.
    assert.equal(CloseCode[name as keyof typeof CloseCode], code, name);
  }
});

Deno.test("without a host WebSocket the client says so when made, and works with an injected one", () => {
  const saved = Object.getOwnPropertyDescriptor(globalThis, "WebSocket");
  Reflect.deleteProperty(globalThis, "WebSocket");
  try {
    assert.throws(
      () => new Client<RoomChannel>(ROOM_URL),
      /No global WebSocket here: pass options.WebSocket/,
    );
    const { client, net } = setup();
    client.connect();
    assert.equal(net.sockets.length, 1);
  } finally {
    if (saved !== undefined) Object.defineProperty(globalThis, "WebSocket", saved);
  }
});

/**
 * Compile-time checks, enforced by `deno check` (never called): requests and events are typed per channel,
 * and a mistake below that stopped being one would fail the check on its unused `@ts-expect-error`.
 */
export function typedByChannel(room: Client<RoomChannel>, lobby: Client<LobbyChannel>): void {
  room.send("play", { piece_ids: [1] });
  room.send("start_game");
  // @ts-expect-error: join_room needs a player_name
  room.send("join_room", {});
  // @ts-expect-error: start_game has no direct reply, so request() refuses it
  room.request("start_game");
  // @ts-expect-error: create_room is a lobby request
  room.request("create_room", { room_name: "x", player_name: "y" });
  lobby.request("create_room", { room_name: "x", player_name: "y" }).then((reply) => {
    const token: string | undefined = reply.data.session_token;
    return token;
  });
  room.on("your_turn", (turn) => {
    // @ts-expect-error: a declare prompt's options are numbers, not id lists
    if (turn.action === "declare") turn.options[0]!.length;
  });
  // @ts-expect-error: not an event of a room channel
  room.on("room_list", () => {});
}

Deno.test("reconnect: false does not follow a redirect: the event is delivered and the server's 4010 close ends it", async () => {
  const { net, client } = await joined({ reconnect: false });
  const redirects: unknown[] = [];
  client.on("redirect", (data) => redirects.push(data));
  net.last().receive(ev("redirect", { room_id: "friday", url: "ws://node-b.test/n/b/ws/friday" }));
  assert.equal(redirects.length, 1);
  assert.equal(net.sockets.length, 1, "no new socket");
  net.last().serverClose(CloseCode.REDIRECT);
  const closed = await client.closed;
  assert.equal(closed.code, CloseCode.REDIRECT);
});
