// Delivery and Broadcaster: one frame per room action (alone or a message_batch), encoded once, fanned out
// as the same string, and under a native pub/sub one publish per room instead of one send per socket.

import assert from "node:assert/strict";
import { Broadcaster } from "../../src/net/broadcaster.ts";
import { ConnectionRegistry } from "../../src/net/connection_registry.ts";
import { Delivery } from "../../src/net/delivery.ts";
import { BoundedEventHistory } from "../../src/net/event_history.ts";
import type { PubSub } from "../../src/net/transport.ts";
import { createRng, randomInt, type Rng } from "../../src/game/prng.ts";
import { FakeClock } from "../../src/rooms/clock.ts";
import type { OutboundEvent } from "../../src/rooms/room_output.ts";
import { FakePubSub, type Frame, makeConnection, makeGateway } from "./fakes.ts";

function setup(members = 3, pubsub: PubSub | null = null) {
  const clock = new FakeClock();
  const registry = new ConnectionRegistry();
  const broadcaster = new Broadcaster(registry, pubsub, 1024);
  const delivery = new Delivery(broadcaster, registry, clock);
  const made = Array.from({ length: members }, (_, i) => {
    const made = makeConnection({ channel: "r1" });
    registry.add(made.connection);
    registry.bindPlayer(made.connection, `P${i}`);
    return made;
  });
  return { clock, registry, delivery, transports: made.map((m) => m.transport) };
}

/** Counts JSON.stringify calls made while `run` runs. */
function countEncodes(run: () => void): number {
  const original = JSON.stringify;
  let calls = 0;
  JSON.stringify = ((...args: Parameters<typeof JSON.stringify>) => {
    calls += 1;
    return original(...args);
  }) as typeof JSON.stringify;
  try {
    run();
  } finally {
    JSON.stringify = original;
  }
  return calls;
}

const THREE_EVENTS: OutboundEvent[] = [
  { event: "player_left", data: { player_name: "Ann", seat: 0 }, seq: 7 },
  { event: "bot_took_over", data: { seat: 0, reason: "left" }, seq: 8 },
  { event: "host_changed", data: { host: "Bo" }, seq: 9 },
];

Deno.test("broadcast() sends the events of one action as ONE message_batch with each inner seq", () => {
  const { clock, delivery, transports } = setup();
  delivery.broadcast("r1", THREE_EVENTS);

  for (const transport of transports) {
    assert.equal(transport.sent.length, 1);
    const batch = transport.last();
    assert.equal(batch.event, "message_batch");
    assert.equal(batch.room_id, "r1");
    assert.equal(batch.timestamp, clock.now());
    assert.equal(batch.seq, undefined, "the batch itself takes no seq");
    const messages = batch.data?.messages as Frame[];
    assert.equal(batch.data?.count, 3);
    assert.deepEqual(messages.map((m) => [m.event, m.seq, m.room_id]), [
      ["player_left", 7, "r1"],
      ["bot_took_over", 8, "r1"],
      ["host_changed", 9, "r1"],
    ]);
    assert.deepEqual(messages[0]?.data, { player_name: "Ann", seat: 0 });
    assert.equal(messages[2]?.timestamp, clock.now());
  }
});

Deno.test("broadcast() sends a single event alone, not wrapped in a batch", () => {
  const { delivery, transports } = setup();
  delivery.broadcast("r1", [{ event: "chat", data: { player_name: "Ann", message: "hi" }, seq: 3 }]);
  for (const transport of transports) {
    assert.deepEqual(transport.frames.map((f) => [f.event, f.seq]), [["chat", 3]]);
  }
});

Deno.test("broadcast() of nothing sends nothing", () => {
  const { delivery, transports } = setup();
  delivery.broadcast("r1", []);
  delivery.toMember("r1", "P0", []);
  for (const transport of transports) assert.deepEqual(transport.sent, []);
});

Deno.test("broadcast() encodes once however many members there are, and sends them the same string", () => {
  const encodes = (members: number, events: OutboundEvent[]) => {
    const { delivery } = setup(members);
    return countEncodes(() => delivery.broadcast("r1", events));
  };
  const one = [{ event: "chat", data: { message: "x" }, seq: 1 }];
  assert.equal(encodes(1, one), 1);
  assert.equal(encodes(50, one), 1);
  assert.equal(encodes(50, THREE_EVENTS), encodes(1, THREE_EVENTS));

  const { delivery, transports } = setup(5);
  delivery.broadcast("r1", THREE_EVENTS);
  const first = transports[0]?.sent;
  for (const transport of transports) assert.deepEqual(transport.sent, first);
});

Deno.test("toMember() sends private events to that member only, batched and without seq", () => {
  const { delivery, transports } = setup();
  delivery.toMember("r1", "P1", [
    { event: "hand", data: { pieces: [] } },
    { event: "your_turn", data: { allowed: [1] } },
  ]);
  assert.deepEqual(transports[0]?.sent, []);
  assert.deepEqual(transports[2]?.sent, []);
  const batch = transports[1]?.last();
  const messages = batch?.data?.messages as Frame[];
  assert.deepEqual(messages.map((m) => [m.event, m.seq]), [["hand", undefined], ["your_turn", undefined]]);
});

Deno.test("memberRemoved() turns the member's connection back into a visitor", () => {
  const { registry, delivery } = setup(1);
  const connection = registry.player("r1", "P0");
  delivery.memberRemoved("r1", "P0");
  assert.equal(registry.player("r1", "P0"), undefined);
  assert.equal(connection?.playerName, null);
  assert.ok(connection !== undefined && registry.inChannel("r1").has(connection), "still hears the room");
});

Deno.test("a room action with several events reaches each member as one frame through the gateway", () => {
  const harness = makeGateway();
  const ann = harness.connect("r1");
  ann.send({ event: "join_room", data: { player_name: "Ann" } });
  const bo = harness.connect("r1");
  bo.send({ event: "join_room", data: { player_name: "Bo" } });
  ann.transport.clear();
  bo.transport.clear();

  ann.send({ event: "start_game", data: { fill_with_bots: true } });

  const broadcasts = (frames: Frame[]) => frames.filter((f) => f.event !== "hand" && f.id === undefined);
  const annFrames = broadcasts(ann.transport.frames);
  const boFrames = broadcasts(bo.transport.frames);
  assert.equal(annFrames.length, 1, ann.transport.sent.join("\n"));
  assert.equal(boFrames.length, 1);
  const batch = annFrames[0];
  assert.equal(batch?.event, "message_batch");
  const messages = batch?.data?.messages as Frame[];
  assert.equal(batch?.data?.count, messages.length);
  assert.ok(messages.length >= 2);
  const seqs = messages.map((m) => m.seq ?? NaN);
  seqs.forEach((seq, i) => assert.equal(seq, seqs[0]! + i, `contiguous seqs ${seqs.join(",")}`));
  assert.deepEqual(boFrames, annFrames, "every member gets the same frame");
  assert.equal(ann.transport.events("hand").length, 1, "the private hand goes separately");
  harness.gateway.shutdown();
});

Deno.test("under a native pub/sub a room broadcast is one publish, not one send per socket", () => {
  const pubsub = new FakePubSub();
  const harness = makeGateway({}, { pubsub });
  const clients = ["Ann", "Bo", "Cy"].map((name) => {
    const client = harness.connect("r1");
    client.send({ event: "join_room", data: { player_name: name } });
    return client;
  });
  pubsub.published.length = 0;
  for (const client of clients) client.transport.clear();

  clients[0]?.send({ event: "chat", data: { message: "hello" } });

  const toRoom = pubsub.published.filter((p) => p.topic === "room:r1");
  assert.equal(toRoom.length, 1);
  assert.equal((JSON.parse(toRoom[0]!.frame) as Frame).event, "chat");
  for (const client of clients) assert.deepEqual(client.transport.sent, [], "no per-socket send");
  for (const client of clients) {
    assert.ok(client.transport.subscriptions.includes("room:r1"));
    assert.ok((client.connection?.counters.messagesOut ?? 0) > 0, "the publish is booked per connection");
  }
  harness.gateway.shutdown();
});

Deno.test("under a native pub/sub a lobby broadcast is one publish to the lobby topic", () => {
  const pubsub = new FakePubSub();
  const harness = makeGateway({}, { pubsub });
  harness.connect("lobby");
  harness.connect("lobby");
  const creator = harness.connect("lobby");
  pubsub.published.length = 0;
  creator.send({ event: "create_room", data: { room_name: "Friday", player_name: "Ann" } });
  const lobbyPublishes = pubsub.published.filter((p) => p.topic === "lobby");
  assert.deepEqual(lobbyPublishes.map((p) => (JSON.parse(p.frame) as Frame).event), ["room_created"]);
  harness.gateway.shutdown();
});

Deno.test("a broadcast with exclusions, or a publish that throws, falls back to one send per socket", () => {
  const throwing: PubSub = {
    publish() {
      throw new Error("publish failed");
    },
  };
  const { registry, transports } = setup(2, throwing);
  const broadcaster = new Broadcaster(registry, throwing, 1024);
  const warn = console.warn;
  console.warn = () => {};
  try {
    assert.equal(broadcaster.toRoom("r1", "frame"), 2);
  } finally {
    console.warn = warn;
  }
  for (const transport of transports) assert.deepEqual(transport.sent, ["frame"]);

  const recording = new FakePubSub();
  const excluding = new Broadcaster(registry, recording, 1024);
  const skip = registry.player("r1", "P0");
  assert.ok(skip);
  assert.equal(excluding.toRoom("r1", "second", new Set([skip])), 1);
  assert.deepEqual(recording.published, []);
  assert.deepEqual(transports[0]?.sent, ["frame"]);
  assert.deepEqual(transports[1]?.sent, ["frame", "second"]);
});

Deno.test("a slow socket dropped in the middle of a fan-out does not reorder the others' frames", () => {
  const harness = makeGateway({ sendBufferBytes: 1_000 });
  const clients = ["Ann", "Bo", "Cy", "Di"].map((name) => {
    const client = harness.connect("r1");
    client.send({ event: "join_room", data: { player_name: name } });
    return client;
  });
  for (const client of clients) client.transport.clear();
  clients[1]!.transport.buffered = 10_000;

  clients[0]?.send({ event: "chat", data: { message: "one" } });
  clients[3]?.send({ event: "chat", data: { message: "two" } });

  for (const client of [clients[0]!, clients[2]!, clients[3]!]) {
    const seqs = client.transport.frames.map((f) => f.seq ?? NaN);
    assert.equal(seqs.length, 3, client.transport.sent.join("\n"));
    seqs.forEach((seq, i) => assert.equal(seq, seqs[0]! + i, `in order: ${seqs.join(",")}`));
  }
  harness.gateway.shutdown();
});

/** A delivery that keeps room broadcasts in a history, and one socket on room r1. */
function withHistory() {
  const registry = new ConnectionRegistry();
  const history = new BoundedEventHistory({ maxEvents: 100, maxBytes: 1 << 20 });
  const delivery = new Delivery(new Broadcaster(registry, null, 1024), registry, new FakeClock(), {
    history,
  });
  const { connection, transport } = makeConnection({ channel: "r1" });
  registry.add(connection);
  return { history, delivery, transport };
}

Deno.test("broadcast() keeps each event in the history as the very string it sent, without encoding again", () => {
  const { history, delivery, transport } = withHistory();

  const encodes = countEncodes(() => delivery.broadcast("r1", THREE_EVENTS));

  assert.equal(encodes, countEncodes(() => setup(1).delivery.broadcast("r1", THREE_EVENTS)));
  const kept = history.since("r1", 6);
  assert.deepEqual(kept?.map((e) => e.seq), [7, 8, 9]);
  const sent = transport.sent[0] ?? "";
  for (const event of kept ?? []) assert.ok(sent.includes(event.frame), `seq ${event.seq} went out as kept`);
  delivery.toMember("r1", "P0", [{ event: "hand", data: { pieces: [] } }]);
  assert.deepEqual(history.since("r1", 9), [], "private messages are not kept");
  delivery.roomClosed("r1");
  assert.equal(history.since("r1", 6), null, "a closed room's history is freed");
});

Deno.test("defer() inside a fan-out runs after the deliveries already asked for", () => {
  const { delivery, registry, transports } = setup(2);
  const order: string[] = [];
  const slow = registry.player("r1", "P0");
  assert.ok(slow);
  // The first member's send triggers more output, as a slow consumer's drop does.
  slow.onSlowConsumer(() => {
    delivery.broadcast("r1", [{ event: "player_disconnected", data: {}, seq: 2 }]);
    delivery.defer(() => order.push(`deferred after ${transports[1]!.sent.length} frames`));
  });
  transports[0]!.buffered = 10 << 20;
  delivery.broadcast("r1", [{ event: "chat", data: {}, seq: 1 }]);
  assert.deepEqual(order, ["deferred after 2 frames"]);
  assert.deepEqual(transports[1]!.frames.map((f) => f.seq), [1, 2]);
});

Deno.test("replayed() refills the history from a rebuilt room without sending, and live events follow on", () => {
  const { history, delivery, transport } = withHistory();

  delivery.replayed("r1", THREE_EVENTS);
  assert.equal(transport.sent.length, 0, "what went out before the restart is not sent again");
  assert.deepEqual(history.since("r1", 6)?.map((e) => e.seq), [7, 8, 9]);
  delivery.broadcast("r1", [{ event: "player_disconnected", data: { player_name: "P0" }, seq: 10 }]);
  assert.deepEqual(history.since("r1", 6)?.map((e) => e.seq), [7, 8, 9, 10], "no gap at the restart");
});

Deno.test("under a native pub/sub a member whose buffer passed the limit is closed before a quarter more is published", () => {
  const pubsub = new FakePubSub();
  const harness = makeGateway({ sendBufferBytes: 4_000 }, { pubsub });
  const clients = ["Ann", "Bo", "Cy"].map((name) => {
    const client = harness.connect("r1");
    client.send({ event: "join_room", data: { player_name: name } });
    return client;
  });
  const [ann, bo, cy] = clients as [typeof clients[0], typeof clients[0], typeof clients[0]];
  pubsub.published.length = 0;
  // Bo stops reading: from here on every byte published to the room would sit in Bo's buffer.
  bo.transport.buffered = 4_001;
  let publishedSince = 0;
  let chats = 0;
  while (bo.transport.lastCloseCode === undefined && chats < 100) {
    ann.send({ event: "chat", data: { message: `line ${chats++}` } });
    publishedSince = pubsub.published.filter((p) => p.topic === "room:r1")
      .reduce((sum, p) => sum + p.frame.length, 0);
  }
  assert.equal(bo.transport.lastCloseCode, 4008);
  assert.ok(chats > 1, "the check is amortised, not made at every publish");
  // Before the closing publish at most a quarter of the limit (1,000 bytes) had gone out unchecked.
  const last = pubsub.published.filter((p) => p.topic === "room:r1").at(-1)?.frame.length ?? 0;
  assert.ok(publishedSince - last <= 1_000, `${publishedSince - last} bytes went out before the close`);
  assert.equal(harness.gateway.registry.get(bo.connection!.id), undefined, "Bo left the registry");
  // Everyone else's stream: every chat and then Bo's departure, in one publish each, in seq order.
  const seqs = pubsub.published.filter((p) => p.topic === "room:r1").map((p) =>
    (JSON.parse(p.frame) as Frame).seq
  );
  seqs.forEach((seq, i) => assert.equal(seq, seqs[0]! + i, `in order: ${seqs.join(",")}`));
  assert.ok(cy.transport.subscriptions.includes("room:r1"));
  harness.gateway.shutdown();
});

Deno.test("native publishes are booked on every member's counters, and only while it is a member", () => {
  const pubsub = new FakePubSub();
  const harness = makeGateway({}, { pubsub });
  const ann = harness.connect("r1");
  ann.send({ event: "join_room", data: { player_name: "Ann" } });
  const before = ann.connection!.counters.messagesOut;
  const beforeBytes = ann.connection!.counters.bytesOut;
  const bo = harness.connect("r1");
  bo.send({ event: "join_room", data: { player_name: "Bo" } });
  const boAtJoin = bo.connection!.counters.messagesOut;
  const published = () => pubsub.published.filter((p) => p.topic === "room:r1");
  const publishedAtBoJoin = published().length;
  ann.send({ event: "chat", data: { message: "hello" } });
  const chat = published().at(-1)!;
  assert.equal(JSON.parse(chat.frame).event, "chat");
  assert.equal(bo.connection!.counters.messagesOut, boAtJoin + published().length - publishedAtBoJoin);
  assert.ok(ann.connection!.counters.messagesOut > before);
  assert.ok(ann.connection!.counters.bytesOut >= beforeBytes + chat.frame.length);
  bo.close();
  const boAfterClose = bo.connection!.counters.messagesOut;
  ann.send({ event: "chat", data: { message: "again" } });
  assert.equal(bo.connection!.counters.messagesOut, boAfterClose, "nothing booked after it left");
  harness.gateway.shutdown();
});

Deno.test("with nobody on the lobby a room's joins build no summary; a later visitor still sees the room", () => {
  const harness = makeGateway();
  const join = (name: string, as = "player") => {
    const client = harness.connect("r1");
    client.send({ event: "join_room", data: { player_name: name, as } });
    return client;
  };
  join("Ann");
  const room = harness.gateway.directory.get("r1");
  assert.ok(room);
  const summary = room.summary.bind(room);
  let built = 0;
  room.summary = () => {
    built += 1;
    return summary();
  };
  join("Bo");
  join("Cy");
  assert.equal(built, 0, "no summary built for a lobby nobody is on");

  const lobby = harness.connect("lobby");
  const listed = lobby.transport.events("room_list")[0]?.data?.rooms as {
    room_id: string;
    seats: unknown[];
  }[];
  assert.deepEqual(listed.map((r) => [r.room_id, r.seats.filter((s) => s !== null).length]), [["r1", 3]]);
  join("Di");

  assert.deepEqual(lobby.transport.frames.map((f) => f.event), ["room_list", "room_updated"]);
  assert.equal(built, 2, "one for the room list, one for the update the lobby heard");
  harness.gateway.shutdown();
});

/** A seeded mix of what a chat line and a name can hold: quotes, escapes, controls, emoji, lone surrogates. */
function seededText(rng: Rng, length: number): string {
  const pool = [
    '"',
    "\\",
    "\n",
    "\t",
    "\u0000",
    "\u001f",
    "é",
    "✓",
    "😀",
    "\ud800",
    "\udfff",
    "/",
    "<",
    "a",
    " ",
  ];
  let text = "";
  for (let i = 0; i < length; i++) text += pool[randomInt(rng, pool.length)];
  return text;
}

/** A room of two members on a recording native fan-out, delivered to with a resume history. */
function chatSetup() {
  const pubsub = new FakePubSub();
  const { clock, registry } = setup(2, pubsub);
  const history = new BoundedEventHistory({ maxEvents: 1000, maxBytes: 1 << 20 });
  const delivery = new Delivery(new Broadcaster(registry, pubsub, 1024), registry, clock, { history });
  return { clock, pubsub, history, delivery };
}

Deno.test("broadcastChat() sends and keeps, byte for byte, the frame broadcast() makes of the chat's event", () => {
  const rng = createRng(2026);
  const byEvent = chatSetup();
  const byParts = chatSetup();
  for (let seq = 1; seq <= 300; seq++) {
    const name = seededText(rng, 1 + randomInt(rng, 12));
    const message = seededText(rng, randomInt(rng, 80));
    const step = randomInt(rng, 1000);
    byEvent.clock.advance(step);
    byParts.clock.advance(step);
    byEvent.delivery.broadcast("r1", [{ event: "chat", data: { player_name: name, message }, seq }]);
    byParts.delivery.broadcastChat("r1", seq, name, message);
  }
  const sentByParts = byParts.pubsub.published.map((p) => p.frame);
  assert.equal(sentByParts.length, 300);
  assert.deepEqual(sentByParts, byEvent.pubsub.published.map((p) => p.frame));
  assert.equal(byParts.history.since("r1", 0)?.length, 300);
  assert.deepEqual(byParts.history.since("r1", 0), byEvent.history.since("r1", 0));
});

Deno.test("broadcastChat() of a closed room's chat still goes out but is not kept for resume", () => {
  const { pubsub, history, delivery } = chatSetup();
  delivery.broadcastChat("r1", 1, "Ann", "bye", { closed: true });
  assert.equal(pubsub.published.length, 1);
  assert.equal(history.since("r1", 0), null);
});
