// A return whose save fails: the room rolls it back, and the client hears SERVER_ERROR, never `resumed` or a
// private state it cannot count on; the seat stays as it was and the client can send `resume` again at once.
// Gateway with fake sockets and clock, rooms stored in a memory store whose appends can be made to fail.

import assert from "node:assert/strict";
import type { NetLimits } from "../../src/net/limits.ts";
import { ErrorCode } from "../../src/protocol/codes.ts";
import { StoreJournals } from "../../src/rooms/room_journal.ts";
import { faultyStore, settle } from "../support/faulty_store.ts";
import { connectionOf, makeGateway } from "./fakes.ts";

/** Ann (host) and Bo in room r1, every join stored; the store can be made to fail from then on. */
async function storedRoom(limits: Partial<NetLimits> = {}) {
  const { store, failing } = faultyStore();
  const harness = makeGateway(limits, { journals: new StoreJournals(store) });
  const join = async (name: string) => {
    const client = harness.connect("r1");
    client.send({ event: "join_room", data: { player_name: name } });
    await settle(() => client.transport.events("joined_room").length === 1, `${name} joined`);
    return { client, token: String(client.transport.events("joined_room")[0]!.data?.session_token) };
  };
  const ann = await join("Ann");
  const bo = await join("Bo");
  const room = harness.gateway.directory.get("r1")!;
  return { harness, failing, ann, bo, room };
}

Deno.test("a ?token= return whose save fails gets SERVER_ERROR and no resumed; a resume sent again seats it", async () => {
  const { harness, failing, ann, bo, room } = await storedRoom();
  ann.client.close();
  await settle(
    () => room.stored() === null && room.member("Ann")?.connected === false,
    "Ann's drop is stored",
  );
  const seq = room.seq;
  const boSeen = bo.client.transport.sent.length;
  failing.on = true;

  const back = harness.connect("r1", { token: ann.token });
  await settle(() => back.transport.events("error").length === 1, "the failed save is answered");

  assert.equal(failing.refused, 1, "the return was the one append refused");
  // `connected` named Ann before the save; once it failed, a second `connected` says what the socket is now.
  assert.deepEqual(back.transport.frames.map((f) => [f.event, f.data?.player_name]), [
    ["connected", "Ann"],
    ["error", undefined],
    ["connected", null],
  ]);
  assert.equal(back.transport.events("error")[0]?.error?.code, ErrorCode.SERVER_ERROR);
  assert.match(String(back.transport.events("error")[0]?.error?.message), /Send resume again/);
  assert.equal(bo.client.transport.sent.length, boSeen, "the room heard of no return");
  assert.equal(room.seq, seq, "no seq was spent");
  assert.equal(room.member("Ann")?.connected, false, "the room rolled the return back");
  assert.equal(connectionOf(back).playerName, null, "the socket speaks for nobody");
  assert.equal(harness.gateway.registry.player("r1", "Ann"), undefined);
  assert.equal(harness.gateway.resumeCounters.refused, 1);
  assert.equal(harness.gateway.resumeCounters.snapshots, 0);

  failing.on = false;
  back.send({ event: "resume", data: { session_token: ann.token }, id: "again" });
  await settle(() => back.transport.events("resumed").length === 1, "the second try is answered");

  assert.deepEqual(back.transport.frames.slice(3).map((f) => f.event), [
    "player_reconnected",
    "game_state",
    "resumed",
  ]);
  const resumed = back.transport.events("resumed")[0]!;
  assert.deepEqual([resumed.data, resumed.id], [{ replayed: 0, recovered: false }, "again"]);
  const you = back.transport.events("game_state")[0]?.data?.you as { player_name: string } | null;
  assert.equal(you?.player_name, "Ann", "the snapshot is Ann's");
  assert.deepEqual(bo.client.transport.events("player_reconnected").map((f) => f.seq), [seq + 1]);
  assert.equal(room.member("Ann")?.connected, true);
  assert.equal(harness.gateway.registry.player("r1", "Ann"), connectionOf(back));
  assert.equal(harness.gateway.resumeCounters.snapshots, 1);
  harness.gateway.shutdown();
});

Deno.test("a second tab whose save fails leaves the seat and the socket with the first tab", async () => {
  const { harness, failing, ann, bo, room } = await storedRoom();
  const boSeen = bo.client.transport.sent.length;
  failing.on = true;

  const tab2 = harness.connect("r1");
  tab2.send({ event: "resume", data: { session_token: ann.token, last_seq: room.seq }, id: 7 });
  await settle(() => tab2.transport.events("error").length === 1, "the failed save is answered");

  assert.equal(failing.refused, 1);
  assert.deepEqual(tab2.transport.errorCodes, [ErrorCode.SERVER_ERROR]);
  assert.equal(tab2.transport.events("error")[0]?.id, 7);
  assert.equal(tab2.transport.events("resumed").length, 0);
  assert.equal(ann.client.transport.closes.length, 0, "the first tab was not replaced");
  assert.equal(harness.gateway.registry.player("r1", "Ann"), connectionOf(ann.client));
  assert.equal(connectionOf(ann.client).playerName, "Ann");
  assert.equal(connectionOf(tab2).playerName, null);
  assert.equal(bo.client.transport.sent.length, boSeen, "the room heard nothing");

  failing.on = false;
  ann.client.send({ event: "chat", data: { message: "still here" } });
  await settle(() => bo.client.transport.events("chat").length === 1, "the first tab still speaks for Ann");
  assert.equal(bo.client.transport.events("chat")[0]?.data?.player_name, "Ann");
  harness.gateway.shutdown();
});

Deno.test("a queued member's resume whose save fails ends with a `connected` naming nobody", async () => {
  const { harness, failing, ann, room } = await storedRoom({ maxConnectionsPerRoom: 2 });
  ann.client.close();
  await settle(
    () => room.stored() === null && room.member("Ann")?.connected === false,
    "Ann's drop is stored",
  );
  // Bo and a visitor fill the room's two places, so a tokenless newcomer waits in the queue.
  const visitor = harness.connect("r1");
  const queued = harness.connect("r1");
  assert.deepEqual(queued.transport.frames.map((f) => f.event), ["queued"]);
  failing.on = true;

  queued.send({ event: "resume", data: { session_token: ann.token }, id: "q" });
  await settle(() => queued.transport.events("error").length === 1, "the failed save is answered");

  assert.equal(failing.refused, 1);
  assert.deepEqual(queued.transport.frames.map((f) => [f.event, f.data?.player_name]), [
    ["queued", undefined],
    ["queue_processed", undefined],
    ["connected", "Ann"],
    ["error", undefined],
    ["connected", null],
  ]);
  assert.equal(queued.transport.events("error")[0]?.id, "q");
  assert.equal(connectionOf(queued).playerName, null, "the socket speaks for nobody");
  assert.equal(visitor.transport.events("player_reconnected").length, 0);
  harness.gateway.shutdown();
});

Deno.test("a first tab that closes while a second tab's return fails to save leaves the member dropped, not a ghost", async () => {
  const { harness, failing, ann, bo, room } = await storedRoom();
  failing.on = true;
  const tab2 = harness.connect("r1");
  tab2.send({ event: "resume", data: { session_token: ann.token }, id: "t2" });
  // The first tab goes while the return is being saved: its close reports nobody, the second tab being bound.
  ann.client.close();
  await settle(() => tab2.transport.events("error").length === 1, "the failed save is answered");
  assert.deepEqual(tab2.transport.errorCodes, [ErrorCode.SERVER_ERROR]);
  assert.equal(connectionOf(tab2).playerName, null, "the second tab speaks for nobody");
  failing.on = false;
  harness.clock.advance(1_000);
  await settle(
    () => room.member("Ann")?.connected === false,
    "the room hears that no socket holds Ann's seat",
  );
  assert.deepEqual(bo.client.transport.events("player_disconnected").map((e) => e.data?.player_name), [
    "Ann",
  ]);

  tab2.send({ event: "resume", data: { session_token: ann.token }, id: "again" });
  await settle(
    () => tab2.transport.events("resumed").length === 1,
    "the second tab takes the seat on its next try",
  );
  assert.equal(room.member("Ann")?.connected, true);
  harness.gateway.shutdown();
});
