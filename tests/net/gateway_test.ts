// Gateway: admission, per-frame checks, queueing, heartbeats, slow consumers, shutdown and token reconnects,
// driven through fake sockets and a fake clock.

import assert from "node:assert/strict";
import { CloseCode, ErrorCode } from "../../src/protocol/codes.ts";
import { connectionOf, makeGateway } from "./fakes.ts";

/** Connects to a room and joins it as a player; returns the client and its session token. */
function joined(harness: ReturnType<typeof makeGateway>, room: string, name: string) {
  const client = harness.connect(room);
  client.send({ event: "join_room", data: { player_name: name } });
  const reply = client.transport.events("joined_room")[0];
  assert.ok(reply, `${name} joined ${room}: ${client.transport.sent.join("\n")}`);
  return { client, token: String(reply.data?.session_token) };
}

Deno.test("open() on a room channel answers connected and subscribes to the room topic", () => {
  const { gateway, connect } = makeGateway();
  const client = connect("friday-game");
  const connection = connectionOf(client);
  assert.deepEqual(client.transport.events("connected").map((f) => f.data), [{
    connection_id: connection.id,
    room_id: "friday-game",
    player_name: null,
  }]);
  assert.deepEqual(client.transport.subscriptions, ["room:friday-game"]);
  assert.equal(gateway.registry.get(connection.id), connection);
  gateway.shutdown();
});

Deno.test("open() on the lobby answers room_list with the public rooms", () => {
  const harness = makeGateway();
  joined(harness, "open-table", "Ann");
  const lobby = harness.connect("lobby");
  const list = lobby.transport.events("room_list");
  assert.equal(list.length, 1);
  const rooms = list[0]?.data?.rooms as { room_id: string }[];
  assert.deepEqual(rooms.map((room) => room.room_id), ["open-table"]);
  assert.deepEqual(lobby.transport.subscriptions, ["lobby"]);
  harness.gateway.shutdown();
});

Deno.test("a frame over maxFrameBytes gets MESSAGE_TOO_LARGE and the connection still answers ping", () => {
  const { gateway, connect } = makeGateway({ maxFrameBytes: 256, hardFrameBytes: 4096 });
  const client = connect("r1");
  client.transport.clear();
  client.send({ event: "chat", data: { message: "x".repeat(300) } });
  assert.deepEqual(client.transport.errorCodes, [ErrorCode.MESSAGE_TOO_LARGE]);
  assert.equal(client.transport.closes.length, 0);

  client.send({ event: "ping", data: { n: 1 }, id: "p" });
  const pong = client.transport.last();
  assert.equal(pong.event, "pong");
  assert.equal(pong.id, "p");
  assert.equal(pong.data?.n, 1);
  gateway.shutdown();
});

Deno.test("a frame over maxFrameBytes is measured in UTF-8 bytes, not characters", () => {
  const { gateway, connect } = makeGateway({ maxFrameBytes: 256, hardFrameBytes: 4096 });
  const client = connect("r1");
  client.transport.clear();
  // 100 three-byte characters: 100 UTF-16 units but over 300 bytes.
  client.send({ event: "ping", data: { t: "€".repeat(100) } });
  assert.deepEqual(client.transport.errorCodes, [ErrorCode.MESSAGE_TOO_LARGE]);
  gateway.shutdown();
});

Deno.test("a frame's bytes are counted in UTF-8 bytes, however short the frame", () => {
  const { gateway, connect } = makeGateway({ maxFrameBytes: 4096, hardFrameBytes: 8192 });
  const client = connect("r1");
  const frame = JSON.stringify({ event: "ping", data: { t: "€".repeat(10) + "é" } });
  client.transport.clear();
  client.sendRaw(frame);
  assert.equal(client.transport.last().event, "pong");
  // 10 three-byte characters and one two-byte: 11 UTF-16 units, 32 bytes.
  const expected = new TextEncoder().encode(frame).length;
  assert.equal(expected, frame.length + 21);
  assert.equal(gateway.metrics.bytesIn.get("ping"), expected);
  assert.equal(gateway.registry.stats("r1").bytesIn, expected);
  gateway.shutdown();
});

Deno.test("a frame over hardFrameBytes closes the connection with 1009 and forgets it", () => {
  const { gateway, connect } = makeGateway({ maxFrameBytes: 256, hardFrameBytes: 1024 });
  const client = connect("r1");
  client.sendRaw("x".repeat(2000));
  assert.equal(client.transport.lastCloseCode, CloseCode.MESSAGE_TOO_BIG);
  assert.equal(gateway.registry.size, 0);
  gateway.shutdown();
});

Deno.test("a binary frame is answered with INVALID_DATA and the connection stays", () => {
  const { gateway, connect } = makeGateway();
  const client = connect("r1");
  client.transport.clear();
  client.sendRaw(new TextEncoder().encode('{"event":"ping"}'));
  assert.deepEqual(client.transport.errorCodes, [ErrorCode.INVALID_DATA]);
  assert.equal(client.transport.closes.length, 0);
  client.send({ event: "ping" });
  assert.equal(client.transport.last().event, "pong");
  gateway.shutdown();
});

Deno.test("a flood gets one RATE_LIMITED error, then a 1008 close after abuseStrikes refused frames", () => {
  const { gateway, connect } = makeGateway({ ratePerSecond: 1, rateBurst: 3, abuseStrikes: 5 });
  const client = connect("r1");
  client.transport.clear();
  for (let i = 0; i < 3; i++) client.send({ event: "ping" });
  assert.equal(client.transport.events("pong").length, 3);

  for (let i = 0; i < 4; i++) client.send({ event: "ping" });
  assert.deepEqual(client.transport.errorCodes, [ErrorCode.RATE_LIMITED]);
  assert.equal(client.transport.closes.length, 0);

  client.send({ event: "ping" });
  assert.deepEqual(client.transport.errorCodes, [ErrorCode.RATE_LIMITED]);
  assert.equal(client.transport.lastCloseCode, CloseCode.POLICY_VIOLATION);
  assert.equal(gateway.registry.size, 0);
  gateway.shutdown();
});

Deno.test("a client that slows down until its bucket refills is forgiven its strikes", () => {
  const { gateway, clock, connect } = makeGateway({ ratePerSecond: 1, rateBurst: 1, abuseStrikes: 3 });
  const client = connect("r1");
  for (let round = 0; round < 4; round++) {
    client.send({ event: "ping" });
    client.send({ event: "ping" });
    client.send({ event: "ping" });
    clock.advance(1_000);
  }
  assert.equal(client.transport.closes.length, 0);
  assert.equal(client.transport.errorCodes.length, 4, "one RATE_LIMITED per burst of refusals");
  gateway.shutdown();
});

Deno.test("a client sending at twice the rate is closed with 1008 although half its frames get through", () => {
  const { gateway, clock, connect } = makeGateway({ ratePerSecond: 10, rateBurst: 10, abuseStrikes: 20 });
  const client = connect("r1");
  client.transport.clear();
  for (let tick = 0; tick < 200 && client.transport.closes.length === 0; tick++) {
    client.send({ event: "ping" });
    client.send({ event: "ping" });
    clock.advance(100);
  }
  assert.equal(client.transport.lastCloseCode, CloseCode.POLICY_VIOLATION);
  assert.ok(client.transport.events("pong").length > 10, "some frames were served before the close");
  const errors = client.transport.errorCodes.length;
  assert.ok(errors >= 1 && errors <= 5, `RATE_LIMITED at most once a second, got ${errors}`);
  gateway.shutdown();
});

Deno.test("a frame over the hard limit closes with 1009 even while the client is rate limited", () => {
  const { gateway, connect } = makeGateway({ ratePerSecond: 1, rateBurst: 1, hardFrameBytes: 2_048 });
  const client = connect("r1");
  client.send({ event: "ping" });
  client.send({ event: "ping" });
  client.sendRaw("x".repeat(4_096));
  assert.equal(client.transport.lastCloseCode, CloseCode.MESSAGE_TOO_BIG);
  gateway.shutdown();
});

Deno.test("open() turns away a connection over the per-address cap with 4029", () => {
  const { gateway, connect } = makeGateway({ maxConnectionsPerAddress: 2 });
  connect("r1", { address: "9.9.9.9" });
  connect("lobby", { address: "9.9.9.9" });
  const third = connect("r2", { address: "9.9.9.9" });
  assert.equal(third.connection, null);
  assert.equal(third.transport.lastCloseCode, CloseCode.TOO_MANY_CONNECTIONS);
  assert.deepEqual(third.transport.sent, []);
  assert.notEqual(connect("r2", { address: "8.8.8.8" }).connection, null);
  assert.equal(gateway.registry.countForAddress("9.9.9.9"), 2);
  gateway.shutdown();
});

Deno.test("a closed connection frees its place under the per-address cap", () => {
  const { gateway, connect } = makeGateway({ maxConnectionsPerAddress: 1 });
  connect("r1", { address: "a" }).close();
  assert.notEqual(connect("r1", { address: "a" }).connection, null);
  gateway.shutdown();
});

Deno.test("a full room queues newcomers, admits the first when a member leaves, and renumbers the rest", () => {
  const { gateway, connect } = makeGateway({ maxConnectionsPerRoom: 2 });
  const first = connect("r1");
  connect("r1");
  const waiting1 = connect("r1");
  const waiting2 = connect("r1");
  assert.deepEqual(waiting1.transport.frames.map((f) => [f.event, f.data?.position]), [["queued", 1]]);
  assert.deepEqual(waiting2.transport.frames.map((f) => [f.event, f.data?.position]), [["queued", 2]]);
  assert.equal(gateway.registry.countInChannel("r1"), 2);
  waiting1.transport.clear();
  waiting2.transport.clear();

  first.close();

  assert.deepEqual(waiting1.transport.frames.map((f) => f.event), ["queue_processed", "connected"]);
  assert.equal(waiting1.transport.events("connected")[0]?.data?.connection_id, connectionOf(waiting1).id);
  assert.deepEqual(waiting2.transport.frames.map((f) => [f.event, f.data?.position]), [["queued", 1]]);
  assert.ok(gateway.registry.inChannel("r1").has(connectionOf(waiting1)));
  assert.ok(!gateway.registry.inChannel("r1").has(connectionOf(waiting2)));
  gateway.shutdown();
});

Deno.test("a queued connection that leaves the line moves the ones behind it up", () => {
  const { gateway, connect } = makeGateway({ maxConnectionsPerRoom: 1 });
  connect("r1");
  const ahead = connect("r1");
  const behind = connect("r1");
  behind.transport.clear();
  ahead.close();
  assert.deepEqual(behind.transport.frames.map((f) => [f.event, f.data?.position]), [["queued", 1]]);
  assert.equal(gateway.queue.size, 1);
  gateway.shutdown();
});

Deno.test("a queued connection gets keep-alives answered, ROOM_FULL for anything else, and no broadcasts", () => {
  const { gateway, connect } = makeGateway({ maxConnectionsPerRoom: 1 });
  const member = connect("r1");
  member.send({ event: "join_room", data: { player_name: "Ann" } });
  const waiting = connect("r1");
  waiting.transport.clear();

  waiting.send({ event: "ping", id: 1 });
  waiting.send({ event: "join_room", data: { player_name: "Bo" } });
  member.send({ event: "chat", data: { message: "hello" } });

  assert.deepEqual(waiting.transport.frames.map((f) => f.event), ["pong", "error"]);
  assert.equal(waiting.transport.last().error?.code, ErrorCode.ROOM_FULL);
  assert.equal(waiting.transport.last().error?.details.position, 1);
  gateway.shutdown();
});

/** A started gateway with the contract's heartbeat, idle close and warning times, and one socket on room r1. */
function heartbeating() {
  const harness = makeGateway({ heartbeatMs: 30_000, idleTimeoutMs: 60_000, idleWarningMs: 15_000 });
  harness.gateway.start();
  return { ...harness, client: harness.connect("r1") };
}

Deno.test("the heartbeat pings every heartbeatMs, warns before the idle close, and closes with 4000", () => {
  const { gateway, clock, client } = heartbeating();
  client.transport.clear();

  clock.advance(29_000);
  assert.deepEqual(client.transport.sent, []);
  clock.advance(1_000);
  assert.deepEqual(client.transport.frames.map((f) => f.event), ["ping"]);
  assert.equal(client.transport.last().data?.timestamp, clock.now());

  clock.advance(15_000);
  assert.deepEqual(client.transport.events("timeout_warning").map((f) => f.data), [{ seconds_left: 15 }]);
  assert.equal(client.transport.closes.length, 0);

  clock.advance(14_999);
  assert.equal(client.transport.closes.length, 0);
  clock.advance(1);
  assert.equal(client.transport.lastCloseCode, CloseCode.IDLE_TIMEOUT);
  assert.equal(gateway.registry.size, 0);
  gateway.shutdown();
});

Deno.test("sockets that connect together get their first pings spread over one interval, then one per interval", () => {
  // A seeded phase per socket: 0, 0.25, 0.5, 0.75 of the interval.
  const phases = [0, 0.25, 0.5, 0.75];
  let next = 0;
  const harness = makeGateway(
    { heartbeatMs: 20_000, idleTimeoutMs: 600_000, idleWarningMs: 15_000 },
    { pingPhase: () => phases[next++ % phases.length]! },
  );
  harness.gateway.start(); // sweeps every 5 s (min of heartbeat, warning / 2, 5 s)
  const clients = phases.map(() => harness.connect("r1"));
  const start = harness.clock.now();
  const pingTimes = () =>
    clients.map((c) => c.transport.events("ping").map((f) => Number(f.data?.timestamp) - start));

  harness.clock.advance(20_000);
  // First pings at 20, 15, 10 and 5 s: one socket per sweep instead of all four at 20 s.
  assert.deepEqual(pingTimes(), [[20_000], [15_000], [10_000], [5_000]]);
  harness.clock.advance(20_000);
  // Then exactly one interval apart, each in its own phase.
  assert.deepEqual(pingTimes(), [[20_000, 40_000], [15_000, 35_000], [10_000, 30_000], [5_000, 25_000]]);
  harness.gateway.shutdown();
});

Deno.test("a spread first ping changes nothing about the idle warning and close", () => {
  const harness = makeGateway(
    { heartbeatMs: 30_000, idleTimeoutMs: 60_000, idleWarningMs: 15_000 },
    { pingPhase: () => 0.9 },
  );
  harness.gateway.start();
  const start = harness.clock.now();
  const client = harness.connect("r1");
  harness.clock.advance(44_999);
  // First ping 27 s early (at the first sweep, 5 s in), the next one interval later; no warning yet.
  assert.deepEqual(client.transport.events("ping").map((f) => Number(f.data?.timestamp) - start), [
    5_000,
    35_000,
  ]);
  assert.equal(client.transport.events("timeout_warning").length, 0);
  harness.clock.advance(1);
  assert.deepEqual(client.transport.events("timeout_warning").map((f) => f.data), [{ seconds_left: 15 }]);
  harness.clock.advance(15_000);
  assert.equal(client.transport.lastCloseCode, CloseCode.IDLE_TIMEOUT);
  harness.gateway.shutdown();
});

Deno.test("any frame resets the idle clock", () => {
  const { gateway, clock, client } = heartbeating();
  clock.advance(50_000);
  assert.equal(client.transport.events("timeout_warning").length, 1);
  client.send({ event: "pong" });
  clock.advance(50_000);
  assert.equal(client.transport.closes.length, 0, "not closed 100 s after connecting");
  assert.equal(client.transport.events("timeout_warning").length, 2, "warned again after new silence");
  clock.advance(10_000);
  assert.equal(client.transport.lastCloseCode, CloseCode.IDLE_TIMEOUT);
  gateway.shutdown();
});

Deno.test("a connection goes connected → authenticated → active ⇄ inactive → disconnected", () => {
  const { gateway, clock, client } = heartbeating();
  const connection = connectionOf(client);
  assert.equal(connection.state, "connected");

  client.send({ event: "join_room", data: { player_name: "Ann" } });
  assert.equal(connection.state, "authenticated");

  client.send({ event: "get_state" });
  assert.equal(connection.state, "active");

  clock.advance(45_000);
  assert.equal(client.transport.events("timeout_warning").length, 1);
  assert.equal(connection.state, "inactive");

  client.send({ event: "pong" });
  assert.equal(connection.state, "active");

  client.close();
  assert.equal(connection.state, "disconnected");
  gateway.shutdown();
});

Deno.test("a visitor that goes quiet and speaks again is connected, not active", () => {
  const { gateway, clock, connect } = makeGateway({ idleTimeoutMs: 60_000, idleWarningMs: 15_000 });
  gateway.start();
  const client = connect("r1");
  clock.advance(45_000);
  assert.equal(connectionOf(client).state, "inactive");
  client.send({ event: "pong" });
  assert.equal(connectionOf(client).state, "connected");
  gateway.shutdown();
});

Deno.test("a slow consumer is closed with 4008 and leaves the registry at once", () => {
  const { gateway, connect } = makeGateway({ sendBufferBytes: 1_000 });
  const client = connect("r1");
  const connection = connectionOf(client);
  client.transport.buffered = 1_001;
  client.send({ event: "ping" });
  assert.equal(client.transport.lastCloseCode, CloseCode.SLOW_CONSUMER);
  assert.equal(gateway.registry.get(connection.id), undefined);
  assert.equal(connection.state, "disconnected");
  // The runtime's close event arrives later and changes nothing.
  client.close();
  assert.equal(client.transport.closes.length, 1);
  gateway.shutdown();
});

Deno.test("a slow consumer is caught by the heartbeat sweep even when nothing is sent to it", () => {
  const { gateway, clock, connect } = makeGateway({ sendBufferBytes: 1_000 });
  gateway.start();
  const client = connect("r1");
  client.transport.buffered = 5_000;
  clock.advance(5_000);
  assert.equal(client.transport.lastCloseCode, CloseCode.SLOW_CONSUMER);
  assert.equal(gateway.registry.size, 0);
  gateway.shutdown();
});

Deno.test("a slow consumer in a room broadcast leaves every other member's stream in order", () => {
  const harness = makeGateway({ sendBufferBytes: 1_000 });
  const ann = joined(harness, "r1", "Ann").client;
  const bo = joined(harness, "r1", "Bo").client;
  const cy = joined(harness, "r1", "Cy").client;
  for (const client of [ann, bo, cy]) client.transport.clear();
  bo.transport.buffered = 2_000;

  ann.send({ event: "chat", data: { message: "hi" } });

  assert.equal(bo.transport.lastCloseCode, CloseCode.SLOW_CONSUMER);
  for (const [name, client] of [["Ann", ann], ["Cy", cy]] as const) {
    const seqs = client.transport.frames.map((f) => f.seq);
    assert.deepEqual(client.transport.frames.map((f) => f.event), ["chat", "player_disconnected"], name);
    assert.ok(seqs[0] !== undefined && seqs[1] === seqs[0] + 1, `${name} saw seq ${seqs.join(",")}`);
  }
  harness.gateway.shutdown();
});

Deno.test("shutdown() closes every connection with 1001 and refuses newcomers", () => {
  const { gateway, connect } = makeGateway();
  gateway.start();
  const clients = [connect("lobby"), connect("r1"), connect("r2")];
  gateway.shutdown();
  for (const client of clients) assert.equal(client.transport.lastCloseCode, CloseCode.GOING_AWAY);
  assert.equal(gateway.registry.size, 0);
  assert.equal(gateway.directory.size, 0);
  const late = connect("r1");
  assert.equal(late.connection, null);
  assert.equal(late.transport.lastCloseCode, CloseCode.GOING_AWAY);
});

Deno.test("shutdown() stops the heartbeat: the fake clock has no timers left", () => {
  const harness = makeGateway();
  harness.gateway.start();
  joined(harness, "r1", "Ann");
  harness.gateway.shutdown();
  assert.equal(harness.clock.pending, 0);
});

Deno.test("a token reconnect binds the seat and closes the older connection of the session with 4001", () => {
  const harness = makeGateway();
  const { client: old, token } = joined(harness, "r1", "Ann");
  const fresh = harness.connect("r1", { token });

  assert.equal(fresh.transport.events("connected")[0]?.data?.player_name, "Ann");
  const state = fresh.transport.events("game_state")[0]?.data as {
    you: { player_name: string; seat: number };
  };
  assert.deepEqual([state.you.player_name, state.you.seat], ["Ann", 0]);
  assert.equal(old.transport.lastCloseCode, CloseCode.SESSION_REPLACED);
  assert.equal(harness.gateway.registry.get(connectionOf(old).id), undefined);
  assert.equal(harness.gateway.registry.player("r1", "Ann"), connectionOf(fresh));
  assert.equal(connectionOf(fresh).counters.reconnects, 1);

  // The replaced socket's close event must not mark the player as gone.
  old.close();
  fresh.transport.clear();
  fresh.send({ event: "chat", data: { message: "still here" } });
  assert.deepEqual(fresh.transport.frames.map((f) => f.event), ["chat"]);
  const room = harness.gateway.directory.get("r1");
  assert.equal(room?.member("Ann")?.connected, true);
  harness.gateway.shutdown();
});

Deno.test("a token reconnect after a dropped socket takes the seat back and tells the room", () => {
  const harness = makeGateway();
  const { client: ann, token } = joined(harness, "r1", "Ann");
  const bo = joined(harness, "r1", "Bo").client;
  ann.close();
  assert.equal(bo.transport.events("player_disconnected").length, 1);

  harness.connect("r1", { token });

  assert.deepEqual(bo.transport.events("player_reconnected").map((f) => f.data?.player_name), ["Ann"]);
  assert.equal(harness.gateway.directory.get("r1")?.member("Ann")?.connected, true);
  harness.gateway.shutdown();
});

Deno.test("a room created from the lobby seats its creator as host when they connect with the token", () => {
  const harness = makeGateway();
  const lobby = harness.connect("lobby");
  lobby.send({ event: "create_room", data: { room_name: "Friday", player_name: "Ann" }, id: "c1" });
  const created = lobby.transport.events("room_created").find((f) => f.id === "c1");
  assert.ok(created, lobby.transport.sent.join("\n"));
  const roomId = String(created.data?.room_id);

  const seat = harness.connect(roomId, { token: String(created.data?.session_token) });

  assert.equal(seat.transport.events("connected")[0]?.data?.player_name, "Ann");
  assert.equal(harness.gateway.directory.get(roomId)?.host, "Ann");
  harness.gateway.shutdown();
});

Deno.test("an unknown token gets AUTHENTICATION_FAILED and the connection stays an unseated visitor", () => {
  const harness = makeGateway();
  joined(harness, "r1", "Ann");
  const stranger = harness.connect("r1", { token: "not-a-real-token" });

  assert.deepEqual(stranger.transport.frames.map((f) => f.event), ["connected", "error"]);
  assert.equal(stranger.transport.events("connected")[0]?.data?.player_name, null);
  assert.deepEqual(stranger.transport.errorCodes, [ErrorCode.AUTHENTICATION_FAILED]);
  assert.equal(stranger.transport.closes.length, 0);
  assert.equal(connectionOf(stranger).playerName, null);

  stranger.send({ event: "join_room", data: { player_name: "Bo" } });
  assert.equal(stranger.transport.events("joined_room").length, 1, "a visitor may still join");
  harness.gateway.shutdown();
});

Deno.test("a member returning with its token to a full room skips the queue and takes its seat", () => {
  const harness = makeGateway({ maxConnectionsPerRoom: 2 });
  const { client: ann, token } = joined(harness, "r1", "Ann");
  harness.connect("r1");
  ann.close();
  harness.connect("r1");
  assert.equal(harness.gateway.registry.countInChannel("r1"), 2, "the room is at its cap");

  const back = harness.connect("r1", { token });

  assert.deepEqual(back.transport.frames.map((f) => f.event), [
    "connected",
    "player_reconnected",
    "game_state",
    "resumed",
  ]);
  assert.equal(back.transport.events("connected")[0]?.data?.player_name, "Ann");
  assert.equal(harness.gateway.registry.player("r1", "Ann"), connectionOf(back));
  assert.equal(harness.gateway.queue.size, 0);
  harness.gateway.shutdown();
});

Deno.test("a queued connection with an unknown token is told AUTHENTICATION_FAILED once it is admitted", () => {
  const harness = makeGateway({ maxConnectionsPerRoom: 1 });
  const ann = joined(harness, "r1", "Ann").client;
  const stranger = harness.connect("r1", { token: "not-a-real-token" });
  assert.deepEqual(stranger.transport.frames.map((f) => f.event), ["queued"]);

  ann.close();

  assert.deepEqual(stranger.transport.frames.map((f) => f.event), [
    "queued",
    "queue_processed",
    "connected",
    "error",
  ]);
  assert.deepEqual(stranger.transport.errorCodes, [ErrorCode.AUTHENTICATION_FAILED]);
  assert.equal(connectionOf(stranger).playerName, null);
  harness.gateway.shutdown();
});

Deno.test("replies carry the channel, the echoed id and the server time", () => {
  const { gateway, clock, connect } = makeGateway();
  const client = connect("r1");
  client.send({ event: "ping", data: { t: 5 }, id: 42 });
  const pong = client.transport.last();
  assert.equal(pong.room_id, "r1");
  assert.equal(pong.id, 42);
  assert.equal(pong.timestamp, clock.now());
  assert.deepEqual(pong.data, { t: 5, server_time: clock.now() });
  assert.equal(pong.seq, undefined, "direct replies carry no seq");
  gateway.shutdown();
});

Deno.test("an error caused by a message echoes its id", () => {
  const { gateway, connect } = makeGateway();
  const client = connect("r1");
  client.send({ event: "chat", data: { message: "hi" }, id: "c-9" });
  const error = client.transport.last();
  assert.equal(error.error?.code, ErrorCode.NOT_IN_ROOM);
  assert.equal(error.id, "c-9");
  gateway.shutdown();
});
