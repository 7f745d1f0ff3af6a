// Resume through the gateway with fake sockets: replay of a gap from the history, the snapshot fallback, two
// tabs of one player, bad tokens and bad last_seq values (nothing changes), a seated socket's resume, queues.

import assert from "node:assert/strict";
import type { Delivery } from "../../src/net/delivery.ts";
import { Gateway } from "../../src/net/gateway.ts";
import { DEFAULT_LIMITS, type NetLimits } from "../../src/net/limits.ts";
import { CloseCode, ErrorCode } from "../../src/protocol/codes.ts";
import { FakeClock } from "../../src/rooms/clock.ts";
import { type LobbyOutput, RoomDirectory } from "../../src/rooms/room_directory.ts";
import type { OutboundEvent, RoomOutput } from "../../src/rooms/room_output.ts";
import { StoreJournals } from "../../src/rooms/room_journal.ts";
import { NO_DELAYS } from "../../src/rooms/settings.ts";
import { memoryStore } from "../../src/store/memory_store.ts";
import { until } from "../support/waiting.ts";
import { type Client, connectionOf, FakeTransport, type Frame, makeGateway } from "./fakes.ts";

type Harness = ReturnType<typeof makeGateway>;

function join(harness: Harness, room: string, name: string, as: "player" | "spectator" = "player") {
  const client = harness.connect(room);
  client.send({ event: "join_room", data: { player_name: name, as } });
  const reply = client.transport.events("joined_room")[0];
  assert.ok(reply, `${name} joined ${room}: ${client.transport.sent.join("\n")}`);
  return { client, token: String(reply.data?.session_token) };
}

function lastSeqOf(client: Client): number {
  return Math.max(0, ...client.transport.messages.map((m) => m.seq ?? 0));
}

/**
 * Ann (seat 0, host) plays with three bots and Bo watches; the bots have moved and the game waits for Ann, so
 * she holds a hand and has a decision pending. Bo keeps the room open while Ann is away and sees every
 * broadcast, so his stream is the reference for what Ann missed.
 */
function tableWaitingForAnn(limits: Partial<NetLimits> = {}) {
  const harness = makeGateway(limits, { roomDefaults: { ...NO_DELAYS } });
  const ann = join(harness, "r1", "Ann");
  const bo = join(harness, "r1", "Bo", "spectator");
  ann.client.send({ event: "start_game", data: { fill_with_bots: true } });
  harness.clock.advance(1_000);
  assert.ok(ann.client.transport.events("your_turn").length > 0, "the game waits for Ann");
  assert.ok(ann.client.transport.events("hand").length > 0, "Ann holds a hand");
  const room = harness.gateway.directory.get("r1");
  assert.ok(room);
  return { harness, ann, bo, room };
}

/** Ann's socket drops and Bo chats `count` times while she is away; returns the seq she last saw. */
function annMisses(setup: ReturnType<typeof tableWaitingForAnn>, count: number): number {
  const lastSeen = lastSeqOf(setup.ann.client);
  setup.ann.client.close();
  for (let i = 1; i <= count; i++) setup.bo.client.send({ event: "chat", data: { message: `msg ${i}` } });
  return lastSeen;
}

function broadcastsAfter(client: Client, seq: number): Frame[] {
  return client.transport.messages.filter((m) => m.seq !== undefined && m.seq > seq);
}

/**
 * Asserts what follows a resume: the room's `player_reconnected`, the private state, and last `resumed`, the
 * direct reply that goes out only once the return is stored.
 */
function assertTail(messages: readonly Frame[], expected: readonly string[]): void {
  assert.deepEqual(messages.map((m) => m.event), expected);
}

Deno.test("?token=&last_seq= inside the buffer replays every missed event once, in order, then the private state and resumed", () => {
  const setup = tableWaitingForAnn();
  const { harness, ann, bo, room } = setup;
  const lastSeen = annMisses(setup, 3);
  const missed = broadcastsAfter(bo.client, lastSeen);
  assert.deepEqual(missed.map((m) => m.event), ["player_disconnected", "chat", "chat", "chat"]);

  const back = harness.connect("r1", { token: ann.token, lastSeq: String(lastSeen) });

  const messages = back.transport.messages;
  assert.equal(messages[0]?.event, "connected");
  assert.equal(messages[0]?.data?.player_name, "Ann");
  assert.deepEqual(messages.slice(1, 1 + missed.length), missed, "the very envelopes Bo got, timestamps too");
  const tail = messages.slice(1 + missed.length);
  assertTail(tail, ["player_reconnected", "hand", "your_turn", "resumed"]);
  assert.deepEqual(tail[3]?.data, { replayed: 4, recovered: true });
  assert.equal(tail[3]?.seq, undefined, "resumed is a direct reply, not a broadcast");
  assert.equal(tail[0]?.seq, room.seq);
  assert.equal(room.seq, lastSeen + 5, "the stream goes on right after the replay");
  assert.equal(back.transport.events("game_state").length, 0, "no snapshot when the gap was replayed");
  assert.deepEqual(tail[1]?.data, ann.client.transport.events("hand").at(-1)?.data, "the same hand");
  assert.equal(harness.gateway.registry.player("r1", "Ann"), connectionOf(back));
  assert.equal(room.member("Ann")?.connected, true);
  harness.gateway.shutdown();
});

Deno.test("a gap of 200 events, across several of the history's joined chunks, is replayed byte for byte", () => {
  const setup = tableWaitingForAnn({ ratePerSecond: 1_000, rateBurst: 1_000 });
  const { harness, ann, bo, room } = setup;
  const lastSeen = annMisses(setup, 200);
  const missed = broadcastsAfter(bo.client, lastSeen);
  assert.equal(missed.length, 201, "player_disconnected and 200 chats");

  const back = harness.connect("r1", { token: ann.token, lastSeq: String(lastSeen) });

  const sent = back.transport.messages;
  const replayed = sent.flatMap((m) => m.event === "message_batch" ? m.data?.messages as Frame[] : [m]);
  assert.deepEqual(replayed.filter((m) => m.seq !== undefined && m.seq <= lastSeen + 201), missed);
  assert.deepEqual(sent.at(-1)?.data, { replayed: 201, recovered: true });
  assert.equal(room.seq, lastSeen + 202);
  harness.gateway.shutdown();
});

Deno.test("a gap older than the buffer gets recovered: false and a game_state whose seq is the stream's", () => {
  const setup = tableWaitingForAnn({ resumeBufferEvents: 3 });
  const { harness, ann, room } = setup;
  const lastSeen = annMisses(setup, 4);

  const back = harness.connect("r1", { token: ann.token, lastSeq: String(lastSeen) });

  const messages = back.transport.messages;
  assertTail(messages, ["connected", "player_reconnected", "game_state", "hand", "your_turn", "resumed"]);
  assert.deepEqual(messages[5]?.data, { replayed: 0, recovered: false });
  const state = messages[2]?.data as {
    room: { seq: number };
    you: { player_name: string; seat: number };
    game: { hand: unknown[] };
  };
  assert.equal(
    state.room.seq,
    messages[1]?.seq,
    "the snapshot counts every broadcast up to player_reconnected",
  );
  assert.equal(state.room.seq, room.seq);
  assert.deepEqual([state.you.player_name, state.you.seat], ["Ann", 0]);
  assert.deepEqual(state.game.hand, messages[3]?.data?.pieces);
  harness.gateway.shutdown();
});

Deno.test("a replay that would not fit in half the send buffer is a snapshot instead", () => {
  const setup = tableWaitingForAnn({ sendBufferBytes: 2_048 });
  const { harness, ann } = setup;
  const lastSeen = annMisses(setup, 12);
  const back = harness.connect("r1", { token: ann.token, lastSeq: String(lastSeen) });
  assert.deepEqual(back.transport.events("resumed")[0]?.data, { replayed: 0, recovered: false });
  assert.equal(back.transport.messages.filter((m) => m.event === "game_state").length, 1);
  assert.equal(back.transport.closes.length, 0);
  harness.gateway.shutdown();
});

Deno.test("?token= without last_seq gives resumed recovered: false and a fresh game_state", () => {
  const setup = tableWaitingForAnn();
  const { harness, ann } = setup;
  annMisses(setup, 1);
  const back = harness.connect("r1", { token: ann.token });
  assertTail(back.transport.messages, [
    "connected",
    "player_reconnected",
    "game_state",
    "hand",
    "your_turn",
    "resumed",
  ]);
  assert.deepEqual(back.transport.events("resumed")[0]?.data, { replayed: 0, recovered: false });
  harness.gateway.shutdown();
});

Deno.test("the resume message on a fresh socket replays the gap and echoes the request id on resumed", () => {
  const setup = tableWaitingForAnn();
  const { harness, ann, bo } = setup;
  const lastSeen = annMisses(setup, 2);
  const missed = broadcastsAfter(bo.client, lastSeen);
  const back = harness.connect("r1");
  assert.equal(back.transport.events("connected")[0]?.data?.player_name, null);
  back.transport.clear();

  back.send({ event: "resume", data: { session_token: ann.token, last_seq: lastSeen }, id: "r-1" });

  const messages = back.transport.messages;
  assert.deepEqual(messages.slice(0, missed.length), missed);
  assertTail(messages.slice(missed.length), ["player_reconnected", "hand", "your_turn", "resumed"]);
  const resumed = messages.at(-1);
  assert.deepEqual([resumed?.data, resumed?.id], [{ replayed: missed.length, recovered: true }, "r-1"]);
  assert.equal(connectionOf(back).playerName, "Ann");
  harness.gateway.shutdown();
});

Deno.test("last_seq equal to the room's seq replays nothing and still re-sends hand and your_turn", () => {
  const setup = tableWaitingForAnn();
  const { harness, ann, room } = setup;
  annMisses(setup, 1);
  const back = harness.connect("r1", { token: ann.token, lastSeq: String(room.seq) });
  assertTail(back.transport.messages, ["connected", "player_reconnected", "hand", "your_turn", "resumed"]);
  assert.deepEqual(back.transport.events("resumed")[0]?.data, { replayed: 0, recovered: true });
  harness.gateway.shutdown();
});

Deno.test("two tabs of one player: the older gets 4001, the newer keeps the seat and works", () => {
  const { harness, ann, bo, room } = tableWaitingForAnn();
  const boBefore = bo.client.transport.sent.length;

  const tab2 = harness.connect("r1", { token: ann.token, lastSeq: String(room.seq) });

  assert.equal(ann.client.transport.lastCloseCode, CloseCode.SESSION_REPLACED);
  assert.equal(harness.gateway.registry.get(connectionOf(ann.client).id), undefined);
  assertTail(tab2.transport.messages, ["connected", "hand", "your_turn", "resumed"]);
  assert.deepEqual(tab2.transport.events("resumed")[0]?.data, { replayed: 0, recovered: true });
  assert.equal(bo.client.transport.sent.length, boBefore, "the room saw nobody leave or come back");

  ann.client.close(); // the runtime's close event for the replaced socket changes nothing
  tab2.send({ event: "chat", data: { message: "from the new tab" } });
  assert.equal(bo.client.transport.events("chat").at(-1)?.data?.player_name, "Ann");
  assert.equal(room.member("Ann")?.connected, true);
  assert.equal(harness.gateway.registry.player("r1", "Ann"), connectionOf(tab2));
  harness.gateway.shutdown();
});

Deno.test("a made-up token or another room's token gets AUTHENTICATION_FAILED and changes nothing", () => {
  const setup = tableWaitingForAnn();
  const { harness, bo, room } = setup;
  annMisses(setup, 1);
  const other = join(harness, "r2", "Cy");
  const seqBefore = room.seq;
  const boBefore = bo.client.transport.sent.length;

  const attempts = [
    harness.connect("r1", { token: "not-a-real-token", lastSeq: "0" }),
    harness.connect("r1", { token: other.token, lastSeq: "0" }),
  ];
  const bySocket = harness.connect("r1");
  bySocket.send({ event: "resume", data: { session_token: other.token, last_seq: 0 }, id: 9 });
  bySocket.send({ event: "resume", data: { session_token: "not-a-real-token" }, id: 10 });

  for (const client of attempts) {
    assert.deepEqual(client.transport.frames.map((f) => f.event), ["connected", "error"]);
    assert.equal(client.transport.events("connected")[0]?.data?.player_name, null);
    assert.deepEqual(client.transport.errorCodes, [ErrorCode.AUTHENTICATION_FAILED]);
  }
  assert.deepEqual(bySocket.transport.errorCodes, [
    ErrorCode.AUTHENTICATION_FAILED,
    ErrorCode.AUTHENTICATION_FAILED,
  ]);
  assert.deepEqual(bySocket.transport.events("error").map((f) => f.id), [9, 10]);
  for (const client of [...attempts, bySocket]) {
    assert.equal(connectionOf(client).playerName, null, "still a visitor");
    assert.equal(client.transport.closes.length, 0, "still connected");
    client.send({ event: "ping", id: "p" });
    assert.equal(client.transport.last().event, "pong");
  }
  assert.equal(room.seq, seqBefore, "nothing was broadcast");
  assert.equal(bo.client.transport.sent.length, boBefore);
  assert.equal(room.member("Ann")?.connected, false, "Ann is still away");
  assert.equal(harness.gateway.registry.player("r2", "Cy"), connectionOf(other.client));
  assert.equal(other.client.transport.closes.length, 0, "Cy's own socket was not touched");
  harness.gateway.shutdown();
});

Deno.test("a bad last_seq is INVALID_DATA and changes nothing, in the URL and in the message", () => {
  const setup = tableWaitingForAnn();
  const { harness, ann, room } = setup;
  annMisses(setup, 1);
  const seqBefore = room.seq;
  const future = String(room.seq + 5);

  for (const raw of ["-1", "1.5", "abc", "1e3", future]) {
    const client = harness.connect("r1", { token: ann.token, lastSeq: raw });
    assert.deepEqual(client.transport.frames.map((f) => f.event), ["connected", "error"], raw);
    assert.equal(client.transport.events("connected")[0]?.data?.player_name, null, raw);
    const error = client.transport.events("error")[0]?.error;
    assert.equal(error?.code, ErrorCode.INVALID_DATA, raw);
    const issues = error?.details.issues as { path: string }[];
    assert.equal(issues[0]?.path, raw === future ? "data.last_seq" : "query.last_seq", raw);
    if (raw === future) assert.equal(error?.details.room_seq, seqBefore);
  }
  const bySocket = harness.connect("r1");
  for (const lastSeq of [-1, 1.5, "3", room.seq + 1]) {
    bySocket.send({ event: "resume", data: { session_token: ann.token, last_seq: lastSeq } });
    const error = bySocket.transport.last().error;
    assert.equal(error?.code, ErrorCode.INVALID_DATA, String(lastSeq));
    assert.equal((error?.details.issues as { path: string }[])[0]?.path, "data.last_seq");
  }
  assert.equal(connectionOf(bySocket).playerName, null);
  assert.equal(room.seq, seqBefore, "nothing was broadcast");
  assert.equal(room.member("Ann")?.connected, false);
  // Malformed values never reach the resume checks; the two seqs ahead of the room do.
  assert.equal(harness.gateway.resumeCounters.refused, 2);
  harness.gateway.shutdown();
});

Deno.test("a seated socket's own resume fills a gap without closing anything or telling the room", () => {
  const { harness, ann, bo, room } = tableWaitingForAnn();
  bo.client.send({ event: "chat", data: { message: "one" } });
  bo.client.send({ event: "chat", data: { message: "two" } });
  const from = room.seq - 2;
  ann.client.transport.clear();

  ann.client.send({ event: "resume", data: { session_token: ann.token, last_seq: from } });

  assertTail(ann.client.transport.messages, ["chat", "chat", "hand", "your_turn", "resumed"]);
  assert.deepEqual(ann.client.transport.events("resumed")[0]?.data, { replayed: 2, recovered: true });
  assert.equal(ann.client.transport.closes.length, 0);
  assert.equal(room.seq, from + 2, "nothing new was broadcast");
  assert.equal(connectionOf(ann.client).counters.reconnects, 0, "it never left its seat");
  harness.gateway.shutdown();
});

Deno.test("a seated socket cannot resume another member's session", () => {
  const { harness, ann, bo } = tableWaitingForAnn();
  bo.client.send({ event: "resume", data: { session_token: ann.token, last_seq: 0 }, id: "x" });
  assert.deepEqual(bo.client.transport.errorCodes, [ErrorCode.ALREADY_IN_GAME]);
  assert.equal(connectionOf(bo.client).playerName, "Bo");
  assert.equal(ann.client.transport.closes.length, 0);
  harness.gateway.shutdown();
});

Deno.test("a connection resumes at most once a second", () => {
  const { harness, ann, room } = tableWaitingForAnn();
  ann.client.send({ event: "resume", data: { session_token: ann.token, last_seq: room.seq } });
  ann.client.send({ event: "resume", data: { session_token: ann.token, last_seq: room.seq } });
  assert.deepEqual(ann.client.transport.errorCodes, [ErrorCode.RATE_LIMITED]);
  harness.clock.advance(1_000);
  ann.client.send({ event: "resume", data: { session_token: ann.token, last_seq: room.seq } });
  assert.equal(ann.client.transport.events("resumed").length, 2);
  harness.gateway.shutdown();
});

Deno.test("a queued socket's resume with a member's token is admitted at once; a bad one keeps waiting", () => {
  const setup = tableWaitingForAnn({ maxConnectionsPerRoom: 2 });
  const { harness, ann, room } = setup;
  const lastSeen = annMisses(setup, 0);
  harness.connect("r1"); // a visitor takes Ann's place
  const waiting = harness.connect("r1");
  const stranger = harness.connect("r1");
  assert.equal(waiting.transport.last().event, "queued");

  stranger.send({ event: "resume", data: { session_token: "nope", last_seq: 0 } });
  assert.deepEqual(stranger.transport.errorCodes, [ErrorCode.AUTHENTICATION_FAILED]);
  waiting.transport.clear();
  stranger.transport.clear();

  waiting.send({ event: "resume", data: { session_token: ann.token, last_seq: lastSeen }, id: 1 });

  assertTail(waiting.transport.messages, [
    "queue_processed",
    "connected",
    "player_disconnected",
    "player_reconnected",
    "hand",
    "your_turn",
    "resumed",
  ]);
  assert.equal(waiting.transport.events("resumed")[0]?.id, 1);
  assert.equal(harness.gateway.registry.player("r1", "Ann"), connectionOf(waiting));
  assert.deepEqual(stranger.transport.frames.map((f) => [f.event, f.data?.position]), [["queued", 1]]);
  assert.equal(room.member("Ann")?.connected, true);
  harness.gateway.shutdown();
});

Deno.test("resumes are counted: recovered, snapshots, refused and replayed events", () => {
  const setup = tableWaitingForAnn();
  const { harness, ann, room } = setup;
  const lastSeen = annMisses(setup, 2);
  harness.connect("r1", { token: ann.token, lastSeq: String(lastSeen) });
  harness.connect("r1", { token: ann.token });
  harness.connect("r1", { token: "bogus" });
  assert.deepEqual(harness.gateway.resumeCounters, {
    recovered: 1,
    snapshots: 1,
    refused: 1,
    replayedEvents: 3,
  });
  assert.ok(room.seq > lastSeen);
  harness.gateway.shutdown();
});

Deno.test("a room's history is freed when the room closes", () => {
  const harness = makeGateway();
  const ann = join(harness, "r1", "Ann");
  ann.client.send({ event: "chat", data: { message: "hi" } });
  const history = harness.gateway.history;
  assert.equal(history.stats().rooms, 1);
  ann.client.send({ event: "leave_room" });
  assert.equal(harness.gateway.directory.size, 0);
  assert.deepEqual(history.stats(), { rooms: 0, events: 0, bytes: 0 });
  harness.gateway.shutdown();
});

Deno.test("a room that closes while its last action is being stored leaves no history behind", async () => {
  const clock = new FakeClock();
  const gateway = new Gateway({
    clock,
    limits: { ...DEFAULT_LIMITS },
    pubsub: null,
    directory: (delivery) =>
      new RoomDirectory({
        clock,
        output: delivery,
        lobby: delivery,
        defaults: NO_DELAYS,
        seed: () => 42,
        journals: new StoreJournals(memoryStore()),
      }),
  });
  const transport = new FakeTransport();
  const ann = gateway.open(transport, "r1", "10.0.0.1", {});
  assert.ok(ann);
  gateway.message(ann, JSON.stringify({ event: "join_room", data: { player_name: "Ann" } }));
  const heard = (event: string) => until(() => transport.events(event).length === 1 || undefined, event);
  await heard("joined_room");
  gateway.message(ann, JSON.stringify({ event: "leave_room" }));
  // The room closes at once; its `player_left` goes out only once the store has the leave.
  assert.equal(gateway.directory.size, 0);
  await heard("left_room");
  await heard("player_left");
  assert.deepEqual(gateway.history.stats(), { rooms: 0, events: 0, bytes: 0 });
  gateway.shutdown();
});

/** Room output held back until released, as a room that stores each action before it goes out does. */
class HeldOutput implements RoomOutput, LobbyOutput {
  holding = false;
  #inner: Delivery;
  #held: (() => void)[] = [];
  constructor(inner: Delivery) {
    this.#inner = inner;
  }
  #pass(send: () => void): void {
    if (this.holding) this.#held.push(send);
    else send();
  }
  broadcast(roomId: string, events: readonly OutboundEvent[]): void {
    this.#pass(() => this.#inner.broadcast(roomId, events));
  }
  toMember(roomId: string, name: string, events: readonly OutboundEvent[]): void {
    this.#pass(() => this.#inner.toMember(roomId, name, events));
  }
  memberRemoved(roomId: string, name: string): void {
    this.#pass(() => this.#inner.memberRemoved(roomId, name));
  }
  lobbyEvent(event: "room_created" | "room_updated" | "room_removed", data: unknown): void {
    this.#inner.lobbyEvent(event, data);
  }
  roomClosed(roomId: string): void {
    this.#inner.roomClosed(roomId);
  }
  release(): void {
    this.holding = false;
    for (const send of this.#held.splice(0)) send();
  }
}

Deno.test("events still waiting for the store when a player resumes reach it live, after its replay, in order", () => {
  const clock = new FakeClock();
  let held: HeldOutput | null = null;
  const gateway = new Gateway({
    clock,
    limits: { ...DEFAULT_LIMITS },
    pubsub: null,
    directory: (delivery) => {
      held = new HeldOutput(delivery);
      return new RoomDirectory({ clock, output: held, lobby: held, defaults: NO_DELAYS, seed: () => 42 });
    },
  });
  const output = held as HeldOutput | null;
  assert.ok(output);
  const open = (token?: string, lastSeq?: string) => {
    const transport = new FakeTransport();
    const connection = gateway.open(transport, "r1", "10.0.0.1", { token, lastSeq });
    assert.ok(connection);
    return { transport, connection };
  };
  const ann = open();
  gateway.message(ann.connection, JSON.stringify({ event: "join_room", data: { player_name: "Ann" } }));
  const token = String(ann.transport.events("joined_room")[0]?.data?.session_token);
  const bo = open();
  gateway.message(bo.connection, JSON.stringify({ event: "join_room", data: { player_name: "Bo" } }));
  const lastSeen = Math.max(...ann.transport.messages.map((m) => m.seq ?? 0));
  gateway.closed(ann.connection);
  gateway.message(bo.connection, JSON.stringify({ event: "chat", data: { message: "stored" } }));
  output.holding = true;
  gateway.message(bo.connection, JSON.stringify({ event: "chat", data: { message: "in flight" } }));
  const room = gateway.directory.get("r1");
  assert.ok(room);
  assert.equal(room.seq, lastSeen + 3, "the room counts the chat still waiting to go out");

  const back = open(token, String(lastSeen));
  assert.deepEqual(back.transport.messages.map((m) => [m.event, m.seq]), [
    ["connected", undefined],
    ["player_disconnected", lastSeen + 1],
    ["chat", lastSeen + 2],
    ["resumed", undefined],
  ]);
  assert.deepEqual(back.transport.events("resumed")[0]?.data, { replayed: 2, recovered: true });

  output.release();

  assert.deepEqual(back.transport.messages.slice(4).map((m) => [m.event, m.seq]), [
    ["chat", lastSeen + 3],
    ["player_reconnected", lastSeen + 4],
  ]);
  gateway.shutdown();
});

Deno.test("a room that refuses the reconnect leaves the seat with the socket that held it", () => {
  const harness = makeGateway();
  const ann = join(harness, "r1", "Ann");
  const tab2 = harness.connect("r1");
  const plan = harness.gateway.sessions.prepare(connectionOf(tab2), ann.token, undefined);
  assert.ok(!("code" in plan), JSON.stringify(plan));
  plan.room.dispose(); // the room closes between the checks and the reconnect

  const failure = harness.gateway.sessions.apply(connectionOf(tab2), plan, undefined);

  assert.ok(!(failure instanceof Promise), "refused at once, before anything was stored");
  assert.equal(failure?.code, ErrorCode.ROOM_NOT_FOUND);
  assert.equal(harness.gateway.registry.player("r1", "Ann"), connectionOf(ann.client));
  assert.equal(connectionOf(tab2).playerName, null);
  assert.equal(ann.client.transport.closes.length, 0, "the older socket was not closed");
  harness.gateway.shutdown();
});
