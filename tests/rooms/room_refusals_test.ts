// Refusals the other room tests did not reach (found with `deno task coverage`): each gets its code and
// leaves the room exactly as it was — no broadcast, no seat change.

import assert from "node:assert/strict";
import { fixture } from "./room_fixture.ts";

Deno.test("add_bot at a full table is ROOM_FULL; remove_player on an empty seat is INVALID_ACTION; neither broadcasts", () => {
  const { room, directory } = fixture();
  const table = room();
  for (const name of ["Ann", "Bo"]) assert.ok(table.join(name, "player").ok);
  const empty = table.removePlayer("Ann", 3);
  assert.equal(empty.ok ? null : empty.error.code, "INVALID_ACTION");
  assert.ok(table.addBot("Ann", undefined).ok);
  assert.ok(table.addBot("Ann", undefined).ok);
  const seats = JSON.stringify(table.state().seats);
  const seq = table.seq;
  const full = table.addBot("Ann", undefined);
  assert.equal(full.ok ? null : full.error.code, "ROOM_FULL");
  assert.equal(table.seq, seq, "no broadcast");
  assert.equal(JSON.stringify(table.state().seats), seats, "no seat changed");
  directory.dispose();
});

Deno.test("reconnect() after the member's session ended is NOT_IN_ROOM and changes nothing", () => {
  const { room, directory } = fixture();
  const table = room();
  assert.ok(table.join("Ann", "player").ok);
  assert.ok(table.join("Bo", "player").ok);
  assert.ok(table.leave("Bo").ok);
  const seq = table.seq;
  const back = table.reconnect("Bo");
  assert.equal(back.ok ? null : back.error.code, "NOT_IN_ROOM");
  assert.equal(table.seq, seq);
  assert.equal(table.member("Bo"), undefined);
  directory.dispose();
});
