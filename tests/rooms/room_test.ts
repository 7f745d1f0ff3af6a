// Room membership, host rules, grace periods and output batching, with a fake clock and no sockets.

import assert from "node:assert/strict";
import { fixture } from "./room_fixture.ts";

Deno.test("join() seats players in order, makes the first one host and numbers broadcasts from 1", () => {
  const { room, output, directory } = fixture();
  const table = room();
  const ann = table.join("Ann", "player");
  const bo = table.join("Bo", "player");
  assert.ok(ann.ok && bo.ok);
  assert.equal(ann.value.member.seat, 0);
  assert.equal(bo.value.member.seat, 1);
  assert.equal(table.host, "Ann");
  assert.deepEqual(output.events("player_joined").map((e) => [e.data.player_name, e.seq]), [["Ann", 1], [
    "Bo",
    2,
  ]]);
  assert.notEqual(ann.value.token, bo.value.token);
  assert.ok(ann.value.token.length >= 22, "a token carries at least 128 bits");
  directory.dispose();
});

Deno.test("join() refuses a taken name with NAME_TAKEN and a fifth player with ROOM_FULL, changing nothing", () => {
  const { room, output, directory } = fixture();
  const table = room();
  for (const name of ["Ann", "Bo", "Cy", "Di"]) assert.ok(table.join(name, "player").ok);
  const before = output.delivered.length;
  const taken = table.join("Bo", "spectator");
  assert.equal(taken.ok ? null : taken.error.code, "NAME_TAKEN");
  const full = table.join("Ed", "player");
  assert.equal(full.ok ? null : full.error.code, "ROOM_FULL");
  assert.equal(output.delivered.length, before);
  assert.equal(table.state().seats.filter((s) => s !== null).length, 4);
  const spectator = table.join("Ed", "spectator");
  assert.ok(spectator.ok);
  assert.equal(spectator.value.member.seat, null);
  directory.dispose();
});

Deno.test("spectators are capped by max_spectators", () => {
  const { room, directory } = fixture();
  const table = room("t", { max_spectators: 1 });
  assert.ok(table.join("Ann", "spectator").ok);
  const second = table.join("Bo", "spectator");
  assert.equal(second.ok ? null : second.error.code, "ROOM_FULL");
  directory.dispose();
});

Deno.test("leaving frees the seat and passes the host role to the next human", () => {
  const { room, output, directory } = fixture();
  const table = room();
  table.join("Ann", "player");
  table.join("Bo", "spectator");
  table.join("Cy", "player");
  assert.ok(table.leave("Ann").ok);
  assert.equal(table.host, "Cy", "a seated human comes before a spectator");
  assert.deepEqual(output.events("host_changed").map((e) => e.data.host), ["Cy"]);
  assert.equal(table.state().seats[0], null);
  assert.deepEqual(output.removed, ["Ann"]);
  const again = table.leave("Ann");
  assert.equal(again.ok ? null : again.error.code, "NOT_IN_ROOM");
  directory.dispose();
});

Deno.test("a dropped member keeps the seat for the grace period and gets it back on reconnect", () => {
  const { room, output, clock, directory } = fixture();
  const table = room("t", { reconnect_grace_ms: 1_000 });
  table.join("Ann", "player");
  table.join("Bo", "player");
  table.disconnected("Bo");
  assert.deepEqual(output.events("player_disconnected").map((e) => e.data), [{
    player_name: "Bo",
    grace_ms: 1_000,
  }]);
  clock.advance(900);
  assert.ok(table.reconnect("Bo").ok);
  clock.advance(5_000);
  assert.equal(table.member("Bo")?.seat, 1);
  assert.equal(output.events("player_reconnected").length, 1);
  assert.equal(output.events("player_left").length, 0);
  directory.dispose();
});

Deno.test("before a game, a member whose grace runs out leaves; the last human's departure closes the room", () => {
  const { room, output, clock, directory } = fixture();
  const table = room("t", { reconnect_grace_ms: 1_000 });
  table.join("Ann", "player");
  table.join("Bo", "player");
  table.disconnected("Bo");
  clock.advance(1_000);
  assert.deepEqual(output.events("player_left").map((e) => e.data.player_name), ["Bo"]);
  assert.equal(directory.size, 1);
  table.disconnected("Ann");
  clock.advance(999);
  assert.equal(directory.size, 1, "the room waits for the grace period");
  clock.advance(1);
  assert.equal(directory.size, 0);
  assert.ok(table.disposed);
  assert.equal(clock.pending, 0, "a closed room leaves no timer behind");
  assert.deepEqual(output.lobby.map((l) => l.event).at(-1), "room_removed");
});

Deno.test("host controls are refused to non-hosts with NOT_HOST and change nothing", () => {
  const { room, output, directory } = fixture();
  const table = room();
  table.join("Ann", "player");
  table.join("Bo", "player");
  const before = output.delivered.length;
  for (
    const result of [
      table.addBot("Bo", undefined),
      table.removeBot("Bo", 0),
      table.removePlayer("Bo", 0),
      table.updateSettings("Bo", { target_score: 10 }),
      table.startGame("Bo", true),
    ]
  ) {
    assert.equal(result.ok ? null : result.error.code, "NOT_HOST");
  }
  const stranger = table.startGame(null, true);
  assert.equal(stranger.ok ? null : stranger.error.code, "NOT_IN_ROOM");
  assert.equal(output.delivered.length, before);
  assert.equal(table.phase, "WAITING");
  directory.dispose();
});

Deno.test("the host adds and removes bots, removes players but not themself, and tunes settings", () => {
  const { room, output, directory } = fixture();
  const table = room();
  table.join("Ann", "player");
  table.join("Bo", "player");
  assert.ok(table.addBot("Ann", 3).ok);
  assert.equal(table.state().seats[3]?.is_bot, true);
  const taken = table.addBot("Ann", 1);
  assert.equal(taken.ok ? null : taken.error.code, "INVALID_ACTION");
  const self = table.removePlayer("Ann", 0);
  assert.equal(self.ok ? null : self.error.code, "INVALID_ACTION");
  assert.ok(table.removePlayer("Ann", 1).ok);
  assert.deepEqual(output.removed, ["Bo"]);
  assert.ok(table.removeBot("Ann", 3).ok);
  const none = table.removeBot("Ann", 3);
  assert.equal(none.ok ? null : none.error.code, "INVALID_ACTION");
  const updated = table.updateSettings("Ann", { target_score: 20, bot_difficulty: "easy" });
  assert.ok(updated.ok);
  assert.equal(table.settings.target_score, 20);
  assert.equal(table.settings.after_deal_ms, 2_000, "keys not sent keep their values");
  assert.ok(output.events("room_state").length >= 4);
  directory.dispose();
});

Deno.test("start_game needs four seats unless fill_with_bots, and settings freeze once the game runs", () => {
  const { room, directory } = fixture();
  const table = room();
  table.join("Ann", "player");
  const short = table.startGame("Ann", false);
  assert.equal(short.ok ? null : short.error.code, "INVALID_ACTION");
  assert.ok(table.startGame("Ann", true).ok);
  assert.equal(table.phase, "PREPARATION");
  const late = table.updateSettings("Ann", { target_score: 5 });
  assert.equal(late.ok ? null : late.error.code, "ALREADY_IN_GAME");
  const join = table.join("Zed", "player");
  assert.equal(join.ok ? null : join.error.code, "ALREADY_IN_GAME");
  assert.ok(table.join("Zed", "spectator").ok, "a started game still takes spectators");
  directory.dispose();
});

Deno.test("all events of one action reach the transport in one flush, in seq order", () => {
  const { room, output, directory } = fixture();
  const table = room();
  table.join("Ann", "player");
  output.flushes.length = 0;
  table.startGame("Ann", true);
  assert.equal(output.flushes.length, 1, "one flush per action");
  assert.ok(output.flushes[0]! >= 2, "room_state and phase_change travel together");
  const seqs = output.delivered.filter((d) => d.to === "room").map((d) => d.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
  directory.dispose();
});

Deno.test("room_state carries the seq of the frame it travels in", () => {
  const { room, output, directory } = fixture();
  const table = room();
  table.join("Ann", "player");
  table.addBot("Ann", undefined);
  const state = output.events("room_state").at(-1)!;
  assert.equal(state.data.seq, state.seq);
  directory.dispose();
});

Deno.test("a reconnecting member first gets the room as it is now, with itself connected again", () => {
  const { room, output, directory } = fixture();
  const table = room("t", { reconnect_grace_ms: 5_000 });
  table.join("Ann", "player");
  table.join("Bo", "player");
  table.disconnected("Bo");
  table.reconnect("Bo");
  const state = output.last("Bo", "game_state")!.data as {
    room: { seq: number; seats: ({ name: string; connected: boolean } | null)[] };
    you: { player_name: string };
  };
  assert.equal(state.you.player_name, "Bo");
  assert.equal(state.room.seats[1]?.connected, true);
  assert.equal(state.room.seq, output.events("player_reconnected").at(-1)!.seq);
  directory.dispose();
});

Deno.test("a lobby creator's first connection takes up the reserved seat without a player_reconnected", () => {
  const { room, output, directory } = fixture();
  const table = room();
  table.join("Ann", "player", false);
  assert.equal(table.state().seats[0]?.connected, false);
  table.reconnect("Ann");
  assert.equal(output.events("player_reconnected").length, 0);
  assert.equal(output.events("room_state").at(-1)?.data.seats instanceof Array, true);
  assert.equal(table.state().seats[0]?.connected, true);
  directory.dispose();
});
