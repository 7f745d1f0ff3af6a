// Membership changes whose save fails: the room rolls them back, and nothing of them may stay behind. A
// `leave_room` rolled back leaves the member in the room, so the socket must still speak for it (unbound, it
// could never act for the seat again, and its close would go unnoticed: the member would stay "connected" with
// no socket, its grace never started, the room never closed). A room-opening `create_room` or first
// `join_room` rolled back leaves no empty room: none listed, none counted against the address's room quota.
// A socket's close whose save fails is reported again until the room keeps it (or the member is back).
// Gateway with fake sockets and clock, rooms stored in a memory store whose appends can be made to fail.

import assert from "node:assert/strict";
import { ErrorCode } from "../../src/protocol/codes.ts";
import { StoreJournals } from "../../src/rooms/room_journal.ts";
import { faultyStore, settle, tick } from "../support/faulty_store.ts";
import { connectionOf, makeGateway } from "./fakes.ts";

/** Ann and Bo joined in room r1, both joins stored; the store can be made to fail from then on. */
async function annAndBoInRoom() {
  const { store, failing } = faultyStore();
  const harness = makeGateway({}, { journals: new StoreJournals(store) });
  const join = async (name: string) => {
    const client = harness.connect("r1");
    client.send({ event: "join_room", data: { player_name: name } });
    await settle(() => client.transport.events("joined_room").length === 1, `${name} joined`);
    return client;
  };
  const ann = await join("Ann");
  const bo = await join("Bo");
  return { failing, harness, ann, bo, room: harness.gateway.directory.get("r1")! };
}

Deno.test("a leave whose save fails keeps the socket speaking for the member, whose later close starts its grace", async () => {
  const { failing, harness, ann, bo, room } = await annAndBoInRoom();
  const boSeen = bo.transport.sent.length;
  const seq = room.seq;

  failing.on = true;
  ann.send({ event: "leave_room", id: "bye" });
  await settle(() => ann.transport.events("error").length === 1, "the failed save is answered");
  assert.equal(failing.refused, 1, "the leave was the one append refused");
  assert.deepEqual(ann.transport.errorCodes, [ErrorCode.SERVER_ERROR]);
  assert.equal(ann.transport.events("error")[0]?.id, "bye");
  assert.equal(ann.transport.events("left_room").length, 0);
  assert.equal(bo.transport.sent.length, boSeen, "the room heard of no departure");
  assert.equal(room.seq, seq, "no seq was spent");
  assert.equal(room.member("Ann")?.connected, true, "the room rolled the leave back");
  assert.equal(connectionOf(ann).playerName, "Ann", "the socket still speaks for Ann");
  assert.equal(harness.gateway.registry.player("r1", "Ann"), connectionOf(ann));

  failing.on = false;
  ann.send({ event: "chat", data: { message: "still here" } });
  await settle(() => bo.transport.events("chat").length === 1, "Ann's socket still acts for her");
  assert.equal(bo.transport.events("chat")[0]?.data?.player_name, "Ann");

  ann.close();
  await settle(() => room.member("Ann")?.connected === false, "Ann's drop is noticed");
  assert.equal(bo.transport.events("player_disconnected")[0]?.data?.player_name, "Ann");
  harness.gateway.shutdown();
});

Deno.test("a leave whose save fails after its socket closed: the room still hears of the drop", async () => {
  const { failing, harness, ann, bo, room } = await annAndBoInRoom();

  failing.on = true;
  ann.send({ event: "leave_room", id: "bye" });
  ann.close();
  assert.ok(room.stored() !== null, "the socket closed while its leave was being saved");
  failing.on = false;
  await settle(
    () => room.stored() === null && room.member("Ann")?.connected === false,
    "Ann's drop is noticed",
  );
  assert.equal(failing.refused, 1, "the leave was refused");
  assert.ok(room.member("Ann") !== undefined, "Ann is still a member (in grace)");
  assert.deepEqual(bo.transport.events("player_disconnected").map((e) => e.data?.player_name), ["Ann"]);
  harness.gateway.shutdown();
});

Deno.test("a create_room or room-opening join_room whose save fails leaves no empty room behind", async () => {
  const { store, failing } = faultyStore();
  const harness = makeGateway({ maxRoomsPerAddress: 2 }, { journals: new StoreJournals(store) });
  const lobby = harness.connect("lobby");
  const visitor = harness.connect("friday");
  failing.on = true;
  lobby.send({ event: "create_room", data: { room_name: "Ann's", player_name: "Ann" }, id: "c" });
  visitor.send({ event: "join_room", data: { player_name: "Bo" }, id: "j" });
  await settle(
    () => lobby.transport.errorCodes.length === 1 && visitor.transport.errorCodes.length === 1,
    "both failed saves are answered",
  );
  assert.deepEqual([...lobby.transport.errorCodes, ...visitor.transport.errorCodes], [
    ErrorCode.SERVER_ERROR,
    ErrorCode.SERVER_ERROR,
  ]);
  assert.equal(failing.refused, 2, "the two creators' joins were refused");
  assert.equal(harness.gateway.directory.size, 0, "no room is left open");
  assert.deepEqual(harness.gateway.directory.publicSummaries(), [], "and none is listed");
  assert.equal(harness.gateway.directory.get("friday"), undefined);

  // The store is back: the address has not used up its quota of two open rooms on the rooms that failed.
  failing.on = false;
  lobby.send({ event: "create_room", data: { room_name: "Ann's", player_name: "Ann" }, id: "c2" });
  visitor.send({ event: "join_room", data: { player_name: "Bo" }, id: "j2" });
  await settle(
    () =>
      lobby.transport.events("room_created").some((e) => e.id === "c2") &&
      visitor.transport.events("joined_room").length === 1,
    "both rooms open once the store takes writes again",
  );
  assert.equal(harness.gateway.directory.size, 2);
  harness.gateway.shutdown();
});

Deno.test("a drop whose save fails is reported again until the room keeps it: the member does not stay connected", async () => {
  const { failing, harness, ann, bo, room } = await annAndBoInRoom();

  failing.on = true;
  ann.close();
  await settle(() => failing.refused === 1 && room.stored() === null, "the drop's save failed");
  assert.equal(room.member("Ann")?.connected, true, "rolled back, as every action whose save fails");
  harness.clock.advance(1_000);
  await settle(() => failing.refused === 2 && room.stored() === null, "reported again, and failed again");
  assert.equal(room.member("Ann")?.connected, true);

  failing.on = false;
  harness.clock.advance(1_000);
  await settle(() => room.member("Ann")?.connected === false, "the third report is kept");
  assert.deepEqual(bo.transport.events("player_disconnected").map((e) => e.data?.player_name), ["Ann"]);
  harness.clock.advance(5_000);
  await tick();
  assert.equal(failing.refused, 2, "nothing more is reported once the drop is kept");
  assert.equal(bo.transport.events("player_disconnected").length, 1);
  harness.gateway.shutdown();
});

Deno.test("a member back before a failed drop is reported again is not dropped", async () => {
  const { store, failing } = faultyStore();
  const harness = makeGateway({}, { journals: new StoreJournals(store) });
  const ann = harness.connect("r1");
  ann.send({ event: "join_room", data: { player_name: "Ann" } });
  await settle(() => ann.transport.events("joined_room").length === 1, "Ann joined");
  const token = String(ann.transport.events("joined_room")[0]!.data?.session_token);
  const room = harness.gateway.directory.get("r1")!;

  failing.on = true;
  ann.close();
  await settle(() => failing.refused === 1 && room.stored() === null, "the drop's save failed");
  failing.on = false;
  const back = harness.connect("r1", { token });
  await settle(() => back.transport.events("resumed").length === 1, "Ann is back on a new socket");
  harness.clock.advance(5_000);
  await tick();
  assert.equal(failing.refused, 1);
  assert.equal(room.member("Ann")?.connected, true);
  assert.equal(harness.gateway.registry.player("r1", "Ann"), back.connection);
  harness.gateway.shutdown();
});
