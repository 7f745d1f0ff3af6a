// ConnectionRegistry: one map, indexes kept in step by add/remove, stats per channel, broadcast sets.

import assert from "node:assert/strict";
import { Broadcaster } from "../../src/net/broadcaster.ts";
import { ConnectionRegistry } from "../../src/net/connection_registry.ts";
import { makeConnection } from "./fakes.ts";

Deno.test("add() and remove() keep the room, player and address indexes in step (design doc lifecycle)", () => {
  const registry = new ConnectionRegistry();
  const { connection } = makeConnection({ channel: "test-room", address: "1.2.3.4" });

  registry.add(connection);
  registry.bindPlayer(connection, "Alice");
  assert.equal(registry.get(connection.id), connection);
  assert.equal(registry.size, 1);
  assert.ok(registry.inChannel("test-room").has(connection));
  assert.equal(registry.countInChannel("test-room"), 1);
  assert.equal(registry.player("test-room", "Alice"), connection);
  assert.equal(registry.countForAddress("1.2.3.4"), 1);
  assert.equal(connection.channel, "test-room");
  assert.equal(connection.playerName, "Alice");
  assert.equal(connection.state, "authenticated");

  assert.equal(registry.remove(connection, 10), true);
  assert.equal(registry.get(connection.id), undefined);
  assert.equal(registry.size, 0);
  assert.equal(registry.inChannel("test-room").size, 0);
  assert.equal(registry.countInChannel("test-room"), 0);
  assert.equal(registry.player("test-room", "Alice"), undefined);
  assert.equal(registry.countForAddress("1.2.3.4"), 0);
  assert.equal(connection.state, "disconnected");
  assert.equal(connection.isOpen, false);
});

Deno.test("remove() is idempotent, so close and error may both call it", () => {
  const registry = new ConnectionRegistry();
  const { connection: first } = makeConnection({ channel: "r", address: "a" });
  const { connection: second } = makeConnection({ channel: "r", address: "a" });
  registry.add(first);
  registry.add(second);

  assert.equal(registry.remove(first, 5), true);
  assert.equal(registry.remove(first, 6), false);

  assert.equal(registry.size, 1);
  assert.equal(registry.countForAddress("a"), 1);
  assert.equal(registry.countInChannel("r"), 1);
  const stats = registry.stats("r");
  assert.equal(stats.active, 1);
  assert.equal(stats.averageDurationMs, 5);
});

Deno.test("add() twice of the same connection counts it once", () => {
  const registry = new ConnectionRegistry();
  const { connection } = makeConnection({ channel: "r", address: "a" });
  registry.add(connection);
  registry.add(connection);
  assert.equal(registry.size, 1);
  assert.equal(registry.countForAddress("a"), 1);
  assert.equal(registry.stats("r").total, 1);
});

Deno.test("per-address counts follow every add and remove across channels", () => {
  const registry = new ConnectionRegistry();
  const made = [
    makeConnection({ channel: "r1", address: "a" }).connection,
    makeConnection({ channel: "r2", address: "a" }).connection,
    makeConnection({ channel: "lobby", address: "a" }).connection,
    makeConnection({ channel: "r1", address: "b" }).connection,
  ];
  for (const connection of made) registry.add(connection);
  assert.equal(registry.countForAddress("a"), 3);
  assert.equal(registry.countForAddress("b"), 1);

  registry.remove(made[0]!, 0);
  registry.remove(made[3]!, 0);
  assert.equal(registry.countForAddress("a"), 2);
  assert.equal(registry.countForAddress("b"), 0);
  assert.deepEqual([...registry.all()], [made[1], made[2]]);
});

Deno.test("bindPlayer() displaces the previous connection of the same member", () => {
  const registry = new ConnectionRegistry();
  const { connection: old } = makeConnection({ channel: "r" });
  const { connection: fresh } = makeConnection({ channel: "r" });
  registry.add(old);
  registry.add(fresh);
  assert.equal(registry.bindPlayer(old, "Ann"), null);

  const displaced = registry.bindPlayer(fresh, "Ann");

  assert.equal(displaced, old);
  assert.equal(registry.player("r", "Ann"), fresh);
  assert.equal(old.playerName, null);
  assert.equal(old.state, "connected");
  assert.equal(fresh.playerName, "Ann");
  // The displaced connection leaving later must not unbind the member from the new one.
  registry.remove(old, 0);
  assert.equal(registry.player("r", "Ann"), fresh);
});

Deno.test("bindPlayer() of a connection to the name it already has displaces nobody", () => {
  const registry = new ConnectionRegistry();
  const { connection } = makeConnection({ channel: "r" });
  registry.add(connection);
  registry.bindPlayer(connection, "Ann");
  assert.equal(registry.bindPlayer(connection, "Ann"), null);
  assert.equal(registry.player("r", "Ann"), connection);
});

Deno.test("bindPlayer() to a new name releases the old one", () => {
  const registry = new ConnectionRegistry();
  const { connection } = makeConnection({ channel: "r" });
  registry.add(connection);
  registry.bindPlayer(connection, "Ann");
  registry.bindPlayer(connection, "Bo");
  assert.equal(registry.player("r", "Ann"), undefined);
  assert.equal(registry.player("r", "Bo"), connection);
});

Deno.test("bindPlayer() keeps the same name in two rooms apart", () => {
  const registry = new ConnectionRegistry();
  const { connection: inOne } = makeConnection({ channel: "one" });
  const { connection: inTwo } = makeConnection({ channel: "two" });
  registry.add(inOne);
  registry.add(inTwo);
  registry.bindPlayer(inOne, "Ann");
  assert.equal(registry.bindPlayer(inTwo, "Ann"), null);
  assert.equal(registry.player("one", "Ann"), inOne);
  assert.equal(registry.player("two", "Ann"), inTwo);
});

Deno.test("bindPlayer() ignores a connection that is not registered", () => {
  const registry = new ConnectionRegistry();
  const { connection } = makeConnection({ channel: "r" });
  assert.equal(registry.bindPlayer(connection, "Ann"), null);
  assert.equal(registry.player("r", "Ann"), undefined);
});

Deno.test("unbindPlayer() makes the connection a visitor and frees the name", () => {
  const registry = new ConnectionRegistry();
  const { connection } = makeConnection({ channel: "r" });
  registry.add(connection);
  registry.bindPlayer(connection, "Ann");
  registry.unbindPlayer(connection);
  assert.equal(registry.player("r", "Ann"), undefined);
  assert.equal(connection.playerName, null);
  assert.equal(connection.state, "connected");
  assert.ok(registry.inChannel("r").has(connection));
});

Deno.test("stats() counts total, active, peak and average duration per channel", () => {
  const registry = new ConnectionRegistry();
  const a = makeConnection({ channel: "r", now: 0 }).connection;
  const b = makeConnection({ channel: "r", now: 100 }).connection;
  const c = makeConnection({ channel: "r", now: 200 }).connection;
  const other = makeConnection({ channel: "elsewhere", now: 0 }).connection;
  for (const connection of [a, b, c, other]) registry.add(connection);
  assert.deepEqual(registry.stats("r"), {
    total: 3,
    active: 3,
    peak: 3,
    averageDurationMs: 0,
    messagesIn: 0,
    bytesIn: 0,
  });

  registry.remove(a, 1_000); // lived 1000 ms
  registry.remove(b, 500); // lived 400 ms
  const d = makeConnection({ channel: "r", now: 600 }).connection;
  registry.add(d);

  const stats = registry.stats("r");
  assert.equal(stats.total, 4);
  assert.equal(stats.active, 2);
  assert.equal(stats.peak, 3);
  assert.equal(stats.averageDurationMs, 700);
  assert.equal(registry.stats("elsewhere").total, 1);
});

Deno.test("stats() add up messages and bytes of live and departed connections", () => {
  const registry = new ConnectionRegistry();
  const gone = makeConnection({ channel: "r" }).connection;
  const live = makeConnection({ channel: "r" }).connection;
  registry.add(gone);
  registry.add(live);
  gone.countIn(10, 1);
  gone.countIn(5, 2);
  live.countIn(7, 3);
  registry.remove(gone, 4);

  const stats = registry.stats("r");
  assert.equal(stats.messagesIn, 3);
  assert.equal(stats.bytesIn, 22);
});

Deno.test("stats() of an unknown channel are all zero", () => {
  assert.deepEqual(new ConnectionRegistry().stats("nowhere"), {
    total: 0,
    active: 0,
    peak: 0,
    averageDurationMs: 0,
    messagesIn: 0,
    bytesIn: 0,
  });
});

Deno.test("forgetStats() drops an empty channel's statistics but keeps a live one's", () => {
  const registry = new ConnectionRegistry();
  const { connection } = makeConnection({ channel: "r" });
  registry.add(connection);
  registry.forgetStats("r");
  assert.equal(registry.stats("r").total, 1);
  registry.remove(connection, 0);
  registry.forgetStats("r");
  assert.equal(registry.stats("r").total, 0);
});

Deno.test("a queued connection is registered but not in the broadcast set until admitted", () => {
  const registry = new ConnectionRegistry();
  const { connection: member } = makeConnection({ channel: "r" });
  const { connection: waiting } = makeConnection({ channel: "r", queued: true, address: "q" });
  registry.add(member);
  registry.add(waiting);

  assert.equal(registry.size, 2);
  assert.equal(registry.countForAddress("q"), 1);
  assert.deepEqual([...registry.inChannel("r")], [member]);
  assert.equal(registry.stats("r").total, 1);

  registry.admit(waiting);

  assert.equal(waiting.queued, false);
  assert.deepEqual([...registry.inChannel("r")], [member, waiting]);
  assert.equal(registry.stats("r").peak, 2);
});

Deno.test("a queued connection that leaves never counts in the channel's durations", () => {
  const registry = new ConnectionRegistry();
  const { connection: waiting } = makeConnection({ channel: "r", queued: true });
  registry.add(waiting);
  assert.equal(registry.remove(waiting, 50), true);
  assert.equal(registry.size, 0);
  assert.equal(registry.stats("r").averageDurationMs, 0);
  // Admitting after removal does nothing.
  registry.admit(waiting);
  assert.equal(registry.countInChannel("r"), 0);
});

Deno.test("a room broadcast reaches only that room's connections (design doc broadcasting)", () => {
  const registry = new ConnectionRegistry();
  const broadcaster = new Broadcaster(registry, null, 1024);
  const alice = makeConnection({ channel: "room1" });
  const bob = makeConnection({ channel: "room1" });
  const carol = makeConnection({ channel: "room2" });
  for (const [spec, name] of [[alice, "Alice"], [bob, "Bob"], [carol, "Carol"]] as const) {
    registry.add(spec.connection);
    registry.bindPlayer(spec.connection, name);
  }

  const frame = JSON.stringify({ event: "test_event", data: { data: "test" } });
  assert.equal(broadcaster.toRoom("room1", frame), 2);

  assert.deepEqual(alice.transport.sent, [frame]);
  assert.deepEqual(bob.transport.sent, [frame]);
  assert.deepEqual(carol.transport.sent, []);
});

Deno.test("a removed connection never receives a room broadcast", () => {
  const registry = new ConnectionRegistry();
  const broadcaster = new Broadcaster(registry, null, 1024);
  const stays = makeConnection({ channel: "room1" });
  const leaves = makeConnection({ channel: "room1" });
  registry.add(stays.connection);
  registry.add(leaves.connection);
  registry.bindPlayer(leaves.connection, "Leaver");

  registry.remove(leaves.connection, 0);
  broadcaster.toRoom("room1", "{}");
  broadcaster.toPlayer("room1", "Leaver", "{}");
  // Even a direct send to the stale object goes nowhere.
  assert.equal(leaves.connection.send("{}"), false);

  assert.deepEqual(stays.transport.sent, ["{}"]);
  assert.deepEqual(leaves.transport.sent, []);
});

Deno.test("a queued connection does not receive room broadcasts until admitted", () => {
  const registry = new ConnectionRegistry();
  const broadcaster = new Broadcaster(registry, null, 1024);
  const waiting = makeConnection({ channel: "room1", queued: true });
  const member = makeConnection({ channel: "room1" });
  registry.add(waiting.connection);
  registry.add(member.connection);

  broadcaster.toRoom("room1", "before");
  registry.admit(waiting.connection);
  broadcaster.toRoom("room1", "after");

  assert.deepEqual(waiting.transport.sent, ["after"]);
  assert.deepEqual(member.transport.sent, ["before", "after"]);
});

Deno.test("a room broadcast skips excluded connections and survives a socket that throws", () => {
  const registry = new ConnectionRegistry();
  const broadcaster = new Broadcaster(registry, null, 1024);
  const broken = makeConnection({ channel: "r" });
  const excluded = makeConnection({ channel: "r" });
  const fine = makeConnection({ channel: "r" });
  for (const spec of [broken, excluded, fine]) registry.add(spec.connection);
  broken.transport.throwOnSend = true;

  const warn = console.warn;
  console.warn = () => {};
  try {
    assert.equal(broadcaster.toRoom("r", "x", new Set([excluded.connection])), 1);
  } finally {
    console.warn = warn;
  }

  assert.deepEqual(fine.transport.sent, ["x"]);
  assert.deepEqual(excluded.transport.sent, []);
  assert.equal(broken.transport.lastCloseCode, 1011);
});

Deno.test("toPlayers() sends the same frame to each named member that is connected", () => {
  const registry = new ConnectionRegistry();
  const broadcaster = new Broadcaster(registry, null, 1024);
  const ann = makeConnection({ channel: "r" });
  const bo = makeConnection({ channel: "r" });
  registry.add(ann.connection);
  registry.add(bo.connection);
  registry.bindPlayer(ann.connection, "Ann");
  registry.bindPlayer(bo.connection, "Bo");

  assert.equal(broadcaster.toPlayers("r", ["Ann", "Ghost"], "team"), 1);
  assert.deepEqual(ann.transport.sent, ["team"]);
  assert.deepEqual(bo.transport.sent, []);
});

Deno.test("forgetStats() of a room that still holds a connection drops its stats when the last one goes", () => {
  const registry = new ConnectionRegistry();
  const { connection: member } = makeConnection({ channel: "gone" });
  const { connection: waiting } = makeConnection({ channel: "gone", queued: true });
  registry.add(member);
  registry.add(waiting);
  registry.forgetStats("gone");
  assert.equal(registry.stats("gone").total, 1, "kept while connections remain");

  registry.remove(member, 0);
  assert.equal(registry.trackedChannels, 1, "a queued connection still holds the channel");
  registry.remove(waiting, 0);
  assert.equal(registry.trackedChannels, 0);
  assert.equal(registry.stats("gone").total, 0);
});

Deno.test("rooms opened and closed over a server's life leave no statistics behind", () => {
  const registry = new ConnectionRegistry();
  const lobby = makeConnection({ channel: "lobby" }).connection;
  registry.add(lobby);
  for (let i = 0; i < 50; i++) {
    const { connection } = makeConnection({ channel: `room-${i}` });
    registry.add(connection);
    if (i % 2 === 0) registry.forgetStats(connection.channel); // closed before its last socket left
    registry.remove(connection, 0);
    if (i % 2 === 1) registry.forgetStats(connection.channel); // closed after
  }
  assert.equal(registry.trackedChannels, 1, "only the lobby");
});
