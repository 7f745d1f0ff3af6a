// Error paths the rest of the suite did not reach (found with `deno task coverage`): a server at its room cap,
// a socket whose close throws, and a heartbeat started twice. Each checks the refusal and that nothing changed.

import assert from "node:assert/strict";
import { Gateway } from "../../src/net/gateway.ts";
import { DEFAULT_LIMITS } from "../../src/net/limits.ts";
import { FakeClock } from "../../src/rooms/clock.ts";
import { RoomDirectory } from "../../src/rooms/room_directory.ts";
import { NO_DELAYS, type RoomSettings } from "../../src/rooms/settings.ts";
import { FakeTransport, makeConnection } from "./fakes.ts";

/** A gateway whose directory holds at most `maxRooms` rooms, wired as main.ts wires it. */
function cappedGateway(maxRooms: number, defaults: Partial<RoomSettings> = NO_DELAYS) {
  const clock = new FakeClock();
  const gateway = new Gateway({
    clock,
    limits: DEFAULT_LIMITS,
    pubsub: null,
    directory: (delivery) =>
      new RoomDirectory({
        clock,
        output: delivery,
        lobby: delivery,
        defaults,
        seed: () => 42,
        maxRooms,
      }),
  });
  const open = (channel: string) => {
    const transport = new FakeTransport();
    const connection = gateway.open(transport, channel, "10.0.0.1", {});
    if (connection === null) throw new Error(`the gateway turned ${channel} away`);
    return {
      transport,
      send: (frame: unknown) => gateway.message(connection, JSON.stringify(frame)),
    };
  };
  return { clock, gateway, open };
}

Deno.test("at the room cap, create_room in the lobby is ROOM_FULL, creates nothing and announces nothing", () => {
  const { gateway, open } = cappedGateway(1);
  const first = open("first");
  first.send({ event: "join_room", data: { player_name: "Ann" } });
  assert.equal(gateway.directory.size, 1);

  const lobby = open("lobby");
  const watcher = open("lobby");
  watcher.transport.clear();
  lobby.send({ event: "create_room", data: { room_name: "Friday", player_name: "Bo" }, id: "mk" });
  const refused = lobby.transport.last();
  assert.equal(refused.error?.code, "ROOM_FULL");
  assert.equal(refused.id, "mk");
  assert.equal(lobby.transport.events("room_created").length, 0);
  assert.deepEqual(watcher.transport.sent, [], "the lobby heard of no new room");
  assert.equal(gateway.directory.size, 1);
  gateway.shutdown();
});

Deno.test("at the room cap, joining a room that does not exist yet is ROOM_FULL; an existing room still admits", () => {
  const { gateway, open } = cappedGateway(1);
  const ann = open("existing");
  ann.send({ event: "join_room", data: { player_name: "Ann" } });

  const stranger = open("brand-new");
  stranger.send({ event: "join_room", data: { player_name: "Cy" }, id: "j" });
  const refused = stranger.transport.last();
  assert.equal(refused.error?.code, "ROOM_FULL");
  assert.equal(refused.id, "j");
  assert.equal(gateway.directory.size, 1, "the refused join opened no room");
  assert.equal(gateway.directory.get("brand-new"), undefined);

  const bo = open("existing");
  bo.send({ event: "join_room", data: { player_name: "Bo" } });
  assert.equal(bo.transport.events("joined_room")[0]?.data?.seat, 1);
  gateway.shutdown();
});

Deno.test("a refused first join does not leave an empty room behind", () => {
  // No place for spectators: the only joiner of a new room is refused, so the room the join opened must go.
  const { gateway, open } = cappedGateway(10, { ...NO_DELAYS, max_spectators: 0 });
  const watcher = open("fresh");
  watcher.send({ event: "join_room", data: { player_name: "Sam", as: "spectator" }, id: "watch" });
  const refused = watcher.transport.last();
  assert.equal(refused.error?.code, "ROOM_FULL");
  assert.equal(refused.id, "watch");
  assert.equal(gateway.directory.size, 0, "the room the refused join opened was closed again");

  // The same socket can still join as a player, which opens the room afresh.
  watcher.send({ event: "join_room", data: { player_name: "Sam" } });
  assert.equal(watcher.transport.events("joined_room")[0]?.data?.seat, 0);
  assert.equal(gateway.directory.size, 1);
  gateway.shutdown();
});

Deno.test("a socket whose close throws is reported once with its id and the caller carries on", () => {
  const transport = new FakeTransport();
  transport.close = () => {
    throw new Error("socket already torn down");
  };
  const { connection } = makeConnection({ transport });
  const warned: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void warned.push(args.map(String).join(" "));
  try {
    connection.close(1001, "going away");
  } finally {
    console.warn = original;
  }
  assert.equal(warned.length, 1);
  assert.match(warned[0]!, new RegExp(`close failed on ${connection.id}: Error: socket already torn down`));
});

Deno.test("start() twice runs one heartbeat, and shutdown() stops it", () => {
  const { clock, gateway } = cappedGateway(1);
  gateway.start();
  const timers = clock.pending;
  assert.ok(timers >= 1, "the heartbeat is scheduled");
  gateway.start();
  assert.equal(clock.pending, timers, "a second start schedules nothing more");
  gateway.shutdown();
  assert.equal(clock.pending, 0);
});
