// A game at a table: humans answering `your_turn`, bots, turn timeouts, disconnects and grace, with a fake
// clock and a recording output (no sockets).

import assert from "node:assert/strict";
import type { Room } from "../../src/rooms/room.ts";
import { answerPrompt, FAST, fixture, type RecordingOutput, settle } from "./room_fixture.ts";
import type { FakeClock } from "../../src/rooms/clock.ts";
import { assertContiguous as assertSeqs } from "../support/seq.ts";

type Fixture = ReturnType<typeof fixture>;

/** Plays until GAME_OVER: timers run, humans answer their prompts. */
function playOut(f: Fixture, table: Room, humans: readonly string[], maxSteps = 5_000): void {
  const answered = new Map<string, number>();
  for (let step = 0; step < maxSteps && table.phase !== "GAME_OVER"; step++) {
    settle(f.clock);
    let acted = false;
    for (const name of humans) acted = answerPrompt(table, f.output, name, answered) || acted;
    if (!acted && f.clock.pending === 0) break;
  }
}

function seatedTable(f: Fixture, humans: readonly string[], settings = FAST): Room {
  const table = f.room("t", settings);
  for (const name of humans) assert.ok(table.join(name, "player").ok);
  return table;
}

/** Room broadcasts are numbered 1, 2, 3, … without gaps. */
function assertContiguous(output: RecordingOutput): void {
  assertSeqs(output.delivered.filter((d) => d.to === "room").map((d) => d.seq ?? -1), "the room", 1);
}

Deno.test("one human and three bots play a whole game to GAME_OVER with contiguous seq", () => {
  const f = fixture(11);
  const table = seatedTable(f, ["Ann"]);
  assert.ok(table.startGame("Ann", true).ok);
  playOut(f, table, ["Ann"]);
  assert.equal(table.phase, "GAME_OVER");
  const over = f.output.events("game_over");
  assert.equal(over.length, 1);
  assert.ok((over[0]!.data.winners as string[]).length >= 1);
  assert.ok(f.output.events("turn_result").length >= 8, "at least one round of turns");
  assertContiguous(f.output);
  assert.equal(f.clock.pending, 0, "a finished game leaves no timer running");
  f.directory.dispose();
});

Deno.test("four humans play a whole game; each receives only their own hand", () => {
  const f = fixture(5);
  const names = ["Ann", "Bo", "Cy", "Di"];
  // Humans that always take their first option rarely reach a target score, so the game has a round cap.
  const table = seatedTable(f, names, { ...FAST, max_rounds: 3 });
  table.startGame("Ann", false);
  playOut(f, table, names);
  assert.equal(table.phase, "GAME_OVER");
  // After every deal the four private hands are four different sets of 8 that together make the deck.
  const deals: { to: string; ids: number[] }[][] = [];
  let group: { to: string; ids: number[] }[] = [];
  for (const d of f.output.delivered) {
    const pieces = d.event === "hand" ? (d.data.pieces as { id: number }[]) : null;
    if (pieces !== null && pieces.length === 8) {
      group.push({ to: d.to, ids: pieces.map((p) => p.id) });
      if (group.length === 4) {
        deals.push(group);
        group = [];
      }
    } else if (group.length > 0 && d.event === "hand") {
      group = [];
    }
  }
  assert.ok(deals.length >= 3, "one deal per round at least");
  for (const deal of deals) {
    assert.deepEqual(deal.map((h) => h.to).sort(), [...names].sort());
    assert.equal(new Set(deal.flatMap((h) => h.ids)).size, 32);
  }
  for (const d of f.output.delivered.filter((x) => x.to === "room")) {
    assert.ok(!("hand" in d.data), `broadcast ${d.event} carries no hand`);
  }
  // And each hand is that member's own: every piece a seat plays was in the hand its member was dealt.
  const dealt = new Map<string, Set<number>>();
  let playsChecked = 0;
  for (const d of f.output.delivered) {
    const pieces = d.event === "hand" ? (d.data.pieces as { id: number }[]) : null;
    if (pieces !== null && pieces.length === 8) dealt.set(d.to, new Set(pieces.map((p) => p.id)));
    if (d.to === "room" && d.event === "player_played") {
      const name = names.find((n) => table.member(n)?.seat === d.data.seat)!;
      for (const { id } of d.data.pieces as { id: number }[]) {
        assert.ok(
          dealt.get(name)?.has(id),
          `${name} (seat ${d.data.seat}) played ${id}, not in the hand sent`,
        );
      }
      playsChecked++;
    }
  }
  assert.ok(playsChecked >= 3 * 4 * 2, `${playsChecked} plays checked against the hands sent`);
  assertContiguous(f.output);
  f.directory.dispose();
});

/** Declines every redeal prompt until some human is asked for something else; returns that prompt. */
function pastRedeals(f: Fixture, table: Room, humans: readonly string[]) {
  const answered = new Map<string, number>();
  const lastPrompt = () => f.output.delivered.findLast((d) => d.event === "your_turn");
  for (let i = 0; i < 100 && String(lastPrompt()?.data.action ?? "redeal") === "redeal"; i++) {
    settle(f.clock);
    if (lastPrompt()?.data.action !== "redeal") break;
    for (const name of humans) answerPrompt(table, f.output, name, answered);
  }
  const prompt = lastPrompt();
  if (prompt === undefined || prompt.data.action === "redeal") throw new Error("still redealing");
  return prompt;
}

Deno.test("moves out of turn, by spectators and with bad pieces are refused and change nothing", () => {
  const f = fixture(3);
  const names = ["Ann", "Bo", "Cy", "Di"];
  const table = seatedTable(f, names);
  table.join("Sam", "spectator");
  table.startGame("Ann", false);
  const prompt = pastRedeals(f, table, names);
  assert.equal(prompt.data.action, "declare", "the first prompt after any redeal is a declaration");
  const mover = prompt.to;
  const idle = names.find((n) => n !== mover)!;
  const seqBefore = table.seq;
  const outOfTurn = table.gameAction(idle, { type: "declare", value: 1 });
  assert.equal(outOfTurn.ok ? null : outOfTurn.error.code, "NOT_YOUR_TURN");
  const spectator = table.gameAction("Sam", { type: "declare", value: 1 });
  assert.equal(spectator.ok ? null : spectator.error.code, "INVALID_ACTION");
  const stranger = table.gameAction("Nobody", { type: "declare", value: 1 });
  assert.equal(stranger.ok ? null : stranger.error.code, "NOT_IN_ROOM");
  const bad = table.gameAction(mover, { type: "declare", value: 9 });
  assert.equal(bad.ok ? null : bad.error.code, "INVALID_DECLARATION");
  const play = table.gameAction(mover, { type: "play", pieceIds: [0] });
  assert.equal(play.ok ? null : play.error.code, "INVALID_PHASE");
  assert.equal(table.seq, seqBefore, "no refused action produced a broadcast");
  assert.equal(f.output.privateTo(mover, "your_turn").at(-1), prompt, "the mover was not asked again");
  f.directory.dispose();
});

Deno.test("a human who lets the turn timeout pass gets a bot move announced as bot_took_over timeout", () => {
  const f = fixture(9);
  const table = seatedTable(f, ["Ann"], { ...FAST, turn_timeout_ms: 5_000, redeal_timeout_ms: 5_000 });
  table.startGame("Ann", true);
  settle(f.clock);
  assert.ok(f.output.privateTo("Ann", "your_turn").length >= 1, "Ann is asked to move");
  const before = table.seq;
  f.clock.advance(4_999);
  assert.equal(table.seq, before, "nothing happens before the deadline");
  f.clock.advance(1);
  const takeovers = f.output.events("bot_took_over");
  assert.equal(takeovers.length, 1);
  assert.equal(takeovers[0]!.data.reason, "timeout");
  assert.equal(takeovers[0]!.data.seat, 0);
  assert.ok(table.seq > before + 1, "the timed-out move was made and the game moved on");
  // Ann keeps ignoring her turns: the game still ends.
  for (let i = 0; i < 2_000 && table.phase !== "GAME_OVER"; i++) f.clock.advance(5_000);
  assert.equal(table.phase, "GAME_OVER");
  f.directory.dispose();
});

Deno.test("a prompt sent again on reconnect tells the time left of the running deadline, which is kept", () => {
  const f = fixture(9);
  const settings = {
    ...FAST,
    turn_timeout_ms: 20_000,
    redeal_timeout_ms: 20_000,
    reconnect_grace_ms: 60_000,
  };
  const table = seatedTable(f, ["Ann"], settings);
  table.startGame("Ann", true);
  settle(f.clock);
  const first = f.output.last("Ann", "your_turn");
  assert.equal(first?.data.timeout_ms, 20_000, "a decision that becomes due gets the whole setting");
  f.clock.advance(8_000);
  table.disconnected("Ann");
  f.clock.advance(4_000);
  assert.ok(table.reconnect("Ann").ok);
  const again = f.output.last("Ann", "your_turn");
  assert.notEqual(again, first, "the prompt is sent again");
  assert.equal(again?.data.action, first?.data.action);
  assert.equal(again?.data.timeout_ms, 8_000, "12 s of the 20 s deadline had passed");
  const before = table.seq;
  f.clock.advance(7_999);
  assert.equal(table.seq, before, "the deadline did not pass early");
  assert.equal(f.output.events("bot_took_over").length, 0);
  f.clock.advance(1);
  assert.deepEqual(f.output.events("bot_took_over").map((e) => e.data.reason), ["timeout"]);
  f.directory.dispose();
});

function runUntilPrompt(clock: FakeClock, output: RecordingOutput, name: string, count: number): void {
  for (let i = 0; i < 1_000 && output.privateTo(name, "your_turn").length < count; i++) settle(clock);
}

Deno.test("a human who disconnects keeps the seat through the grace period, then a bot plays it to the end", () => {
  const f = fixture(21);
  const table = seatedTable(f, ["Ann", "Bo"], { ...FAST, reconnect_grace_ms: 10_000 });
  table.startGame("Ann", true);
  runUntilPrompt(f.clock, f.output, "Bo", 1);
  table.disconnected("Bo");
  const playedBefore = f.output.delivered.length;
  f.clock.advance(9_999);
  const boSeat = table.member("Bo")!.seat;
  const byBo = (d: { event: string; data: Record<string, unknown> }) =>
    (d.event === "player_declared" || d.event === "player_played") && d.data.seat === boSeat;
  assert.ok(!f.output.delivered.slice(playedBefore).some(byBo), "no move is made for Bo during his grace");
  f.clock.advance(1);
  assert.deepEqual(f.output.events("bot_took_over").map((e) => e.data.reason), ["disconnected"]);
  playOut(f, table, ["Ann"]);
  assert.equal(table.phase, "GAME_OVER");
  assert.ok(f.output.delivered.some(byBo), "the bot played Bo's seat");
  f.directory.dispose();
});

Deno.test("a human who comes back within the grace period keeps playing with no bot move made for them", () => {
  const f = fixture(21);
  const table = seatedTable(f, ["Ann", "Bo"], { ...FAST, reconnect_grace_ms: 10_000 });
  table.startGame("Ann", true);
  runUntilPrompt(f.clock, f.output, "Bo", 1);
  const prompts = f.output.privateTo("Bo", "your_turn").length;
  table.disconnected("Bo");
  f.clock.advance(5_000);
  assert.ok(table.reconnect("Bo").ok);
  assert.equal(f.output.privateTo("Bo", "your_turn").length, prompts + 1, "the prompt is sent again");
  assert.ok(f.output.last("Bo", "hand") !== undefined);
  playOut(f, table, ["Ann", "Bo"]);
  assert.equal(table.phase, "GAME_OVER");
  assert.equal(f.output.events("bot_took_over").length, 0);
  f.directory.dispose();
});

Deno.test("a spectating host starts a table of four bots and it plays itself to the end", () => {
  const f = fixture(4);
  const table = f.room("t", FAST);
  table.join("Host", "spectator");
  assert.ok(table.startGame("Host", true).ok);
  settle(f.clock);
  assert.equal(table.phase, "GAME_OVER");
  assert.equal(f.output.privateTo("Host", "hand").length, 0, "a spectator never gets a hand");
  f.directory.dispose();
});

Deno.test("when the host leaves mid-game the seat goes to a bot, the host role passes, the game goes on", () => {
  const f = fixture(8);
  const table = seatedTable(f, ["Ann", "Bo"]);
  table.startGame("Ann", true);
  runUntilPrompt(f.clock, f.output, "Ann", 1);
  assert.ok(table.leave("Ann").ok);
  assert.equal(table.host, "Bo");
  assert.equal(table.state().seats[0]?.is_bot, true);
  playOut(f, table, ["Bo"]);
  assert.equal(table.phase, "GAME_OVER");
  f.directory.dispose();
});

Deno.test("closing a room mid-game clears every timer it started", () => {
  const f = fixture(2);
  const table = seatedTable(f, ["Ann"], { ...FAST, turn_timeout_ms: 60_000, reconnect_grace_ms: 30_000 });
  table.startGame("Ann", true);
  settle(f.clock);
  table.disconnected("Ann");
  assert.ok(f.clock.pending > 0);
  f.directory.dispose();
  assert.equal(f.clock.pending, 0);
});

Deno.test("a human whose play was made at the deadline gets their hand as it is after that play", () => {
  const f = fixture(9);
  const table = seatedTable(f, ["Ann"], { ...FAST, turn_timeout_ms: 1_000, redeal_timeout_ms: 1_000 });
  table.startGame("Ann", true);
  for (let i = 0; i < 200 && !f.output.events("player_played").some((e) => e.data.seat === 0); i++) {
    f.clock.advance(1_000);
  }
  const played = f.output.events("player_played").find((e) => e.data.seat === 0);
  if (played === undefined) throw new Error("no play was ever made for Ann's seat");
  assert.ok(f.output.events("bot_took_over").some((e) => e.data.seat === 0), "it was made at her deadline");
  const ids = (played.data.pieces as { id: number }[]).map((p) => p.id);
  const hand = (f.output.last("Ann", "hand")!.data.pieces as { id: number }[]).map((p) => p.id);
  assert.ok(ids.every((id) => !hand.includes(id)), "the pieces played for Ann left her hand");
  f.directory.dispose();
});

Deno.test("another seat going to a bot does not restart the deadline of the player who must move", () => {
  const f = fixture(21);
  const names = ["Ann", "Bo"];
  const table = seatedTable(f, names, { ...FAST, turn_timeout_ms: 10_000, redeal_timeout_ms: 10_000 });
  table.startGame("Ann", true);
  const prompt = pastRedeals(f, table, names);
  const waiting = prompt.to;
  const other = names.find((n) => n !== waiting)!;
  const prompts = f.output.privateTo(waiting, "your_turn").length;
  f.clock.advance(6_000);
  assert.ok(table.leave(other).ok, "the other human leaves: a bot takes that seat");
  assert.equal(f.output.privateTo(waiting, "your_turn").length, prompts, "no fresh prompt for the mover");
  f.clock.advance(4_000);
  const takeover = f.output.events("bot_took_over").at(-1);
  assert.equal(takeover?.data.player_name, waiting, "the original deadline held");
  assert.equal(takeover?.data.reason, "timeout");
  f.directory.dispose();
});
