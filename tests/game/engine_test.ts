// apply(): error codes, immutability, the phase sequence, timeouts and the end of the game.

import assert from "node:assert/strict";
import { apply, createGame, waitingFor } from "../../src/game/engine.ts";
import { legalPlays } from "../../src/game/legal_moves.ts";
import type { Action, GameState, Seat } from "../../src/game/state.ts";
import { replay } from "../../src/game/replay.ts";
import { viewFor } from "../../src/game/view.ts";
import { deepFreeze, mustApply, options, playBotGame, playUntil } from "./helpers.ts";

function errorCode(state: GameState, action: Action): string | null {
  const result = apply(state, action);
  return result.ok ? null : result.error.code;
}

function atTurn(seed: number, playsMade: number): GameState {
  const state = playUntil(
    options(seed),
    (s) => s.phase === "TURN" && (s.turn?.plays.length ?? -1) === playsMade,
  );
  if (!state) throw new Error("game ended early");
  return state;
}

Deno.test("createGame() starts in WAITING, waiting for start, with JSON-serialisable state", () => {
  const state = createGame(options(1));
  assert.equal(state.phase, "WAITING");
  assert.deepEqual(waitingFor(state), { kind: "start" });
  assert.deepEqual(JSON.parse(JSON.stringify(state)), state);
});

Deno.test("actions before start are GAME_NOT_STARTED and a second start is INVALID_PHASE", () => {
  const state = createGame(options(1));
  assert.equal(errorCode(state, { type: "declare", seat: 0, value: 1 }), "GAME_NOT_STARTED");
  assert.equal(errorCode(state, { type: "play", seat: 0, pieceIds: [0] }), "GAME_NOT_STARTED");
  assert.equal(errorCode(state, { type: "advance" }), "GAME_NOT_STARTED");
  const started = mustApply(state, { type: "start" }).state;
  assert.equal(errorCode(started, { type: "start" }), "INVALID_PHASE");
});

Deno.test("actions for another phase are INVALID_PHASE", () => {
  const turn = atTurn(2, 0);
  assert.equal(errorCode(turn, { type: "declare", seat: 0, value: 1 }), "INVALID_PHASE");
  assert.equal(errorCode(turn, { type: "advance" }), "INVALID_PHASE");
  assert.equal(errorCode(turn, { type: "redeal_decision", seat: 0, accept: true }), "INVALID_PHASE");
});

Deno.test("malformed actions are INVALID_ACTION rather than exceptions", () => {
  const state = atTurn(2, 0);
  assert.equal(errorCode(state, { type: "play", seat: 7 as Seat, pieceIds: [0] }), "INVALID_ACTION");
  assert.equal(errorCode(state, { type: "nonsense" } as unknown as Action), "INVALID_ACTION");
  assert.equal(errorCode(state, null as unknown as Action), "INVALID_ACTION");
});

Deno.test("play() rejects another seat with NOT_YOUR_TURN", () => {
  const state = atTurn(5, 1);
  const w = waitingFor(state);
  if (w.kind !== "play") throw new Error("expected play");
  const other = ((w.seat + 2) % 4) as Seat;
  const theirs = viewFor(state, other).hand?.[0]?.id ?? 0;
  assert.equal(errorCode(state, { type: "play", seat: other, pieceIds: [theirs] }), "NOT_YOUR_TURN");
});

Deno.test("play() rejects pieces not held, named twice, none, or the wrong count with INVALID_PLAY", () => {
  const lead = atTurn(6, 0);
  const w = waitingFor(lead);
  if (w.kind !== "play") throw new Error("expected play");
  const hand = viewFor(lead, w.seat).hand ?? [];
  const notHeld = [...Array(32).keys()].find((id) => !hand.some((p) => p.id === id)) ?? -1;
  const first = hand[0]?.id ?? -1;
  assert.equal(errorCode(lead, { type: "play", seat: w.seat, pieceIds: [notHeld] }), "INVALID_PLAY");
  assert.equal(errorCode(lead, { type: "play", seat: w.seat, pieceIds: [first, first] }), "INVALID_PLAY");
  assert.equal(errorCode(lead, { type: "play", seat: w.seat, pieceIds: [] }), "INVALID_PLAY");
  assert.equal(
    errorCode(lead, { type: "play", seat: w.seat, pieceIds: hand.slice(0, 7).map((p) => p.id) }),
    "INVALID_PLAY",
  );

  // A response to a lead of two or more pieces in a round's first turn (full hands), so that both too many and
  // too few pieces can be tried.
  const respond = playUntil(
    options(64),
    (s) =>
      s.phase === "TURN" && s.turn?.number === 1 && s.turn.plays.length === 1 && (s.turn.required ?? 0) >= 2,
  );
  if (!respond) throw new Error("seed 64 never reaches a first-turn response of two or more pieces");
  const r = waitingFor(respond);
  if (r.kind !== "play") throw new Error("expected play");
  const required = viewFor(respond, r.seat).turn?.required_piece_count ?? 0;
  assert.ok(required >= 2, `required ${required}`);
  const ids = (viewFor(respond, r.seat).hand ?? []).map((p) => p.id);
  assert.equal(
    errorCode(respond, { type: "play", seat: r.seat, pieceIds: ids.slice(0, required + 1) }),
    "INVALID_PLAY",
  );
  assert.equal(
    errorCode(respond, { type: "play", seat: r.seat, pieceIds: ids.slice(0, required - 1) }),
    "INVALID_PLAY",
  );
  assert.equal(errorCode(respond, { type: "play", seat: r.seat, pieceIds: ids.slice(0, required) }), null);
});

Deno.test("the turn starter may lead only valid combinations; responders may play any pieces of the count", () => {
  const lead = atTurn(8, 0);
  const w = waitingFor(lead);
  if (w.kind !== "play") throw new Error("expected play");
  const ids = (viewFor(lead, w.seat).hand ?? []).map((p) => p.id);
  const legal = new Set(legalPlays(lead, w.seat).map((p) => p.join(",")));
  // Every 1- and 2-piece subset: accepted exactly when listed as legal.
  for (const a of ids) {
    for (const b of [undefined, ...ids.filter((x) => x > a)]) {
      const pieceIds = b === undefined ? [a] : [a, b];
      const ok: boolean = apply(lead, { type: "play", seat: w.seat, pieceIds }).ok;
      assert.equal(ok, legal.has(pieceIds.join(",")), `lead ${pieceIds.join(",")}`);
    }
  }
});

Deno.test("apply() never mutates a deep-frozen state, in any phase", () => {
  let checked = 0;
  playBotGame(options(21, { maxRounds: 2 }), undefined, ({ before, action }) => {
    const frozen = deepFreeze(structuredClone(before));
    const copy = structuredClone(frozen);
    const result = apply(frozen, action);
    assert.equal(result.ok, true);
    assert.deepEqual(frozen, copy);
    checked++;
  });
  assert.ok(checked > 50);
});

Deno.test("the phases run WAITING, PREPARATION, DECLARATION, TURN and TURN_RESULTS per turn, SCORING, then the next round", () => {
  const phases: string[] = [];
  const advances: string[] = [];
  playBotGame(options(31, { maxRounds: 1 }), undefined, ({ before, after }) => {
    const w = waitingFor(before);
    if (w.kind === "advance") advances.push(w.after);
    if (phases[phases.length - 1] !== after.phase) phases.push(after.phase);
  });
  const collapsed = phases.join(" ").replace(/(TURN TURN_RESULTS ?)+/, "TURN TURN_RESULTS… ");
  assert.match(collapsed, /^PREPARATION DECLARATION TURN TURN_RESULTS… SCORING GAME_OVER$/);
  assert.equal(advances[0], "deal");
  assert.equal(advances[advances.length - 1], "round");
  assert.ok(advances.filter((a) => a === "turn").length >= 1);
});

Deno.test("a timed-out declaration or play is made for the seat, legally, flagged timed_out and reproducible", () => {
  const declaring = playUntil(options(41), (s) => s.phase === "DECLARATION");
  const turn = atTurn(41, 0);
  for (const state of [declaring, turn]) {
    if (!state) throw new Error("game ended early");
    const w = waitingFor(state);
    if (w.kind !== "declare" && w.kind !== "play") throw new Error("expected a seat to act");
    const a = mustApply(state, { type: "timeout", seat: w.seat });
    const b = mustApply(state, { type: "timeout", seat: w.seat });
    assert.deepEqual(a, b);
    assert.equal((a.events[0] as { timed_out?: boolean }).timed_out, true);
    assert.equal(errorCode(state, { type: "timeout", seat: ((w.seat + 1) % 4) as Seat }), "NOT_YOUR_TURN");
  }
  const over = playBotGame(options(41, { maxRounds: 1 })).state;
  assert.equal(errorCode(over, { type: "timeout", seat: 0 }), "INVALID_PHASE");
});

Deno.test("a lower target ends the game after the round in which someone reaches it, and says so at SCORING", () => {
  let scoringEvent: Record<string, unknown> | null = null;
  const { state } = playBotGame(options(51, { targetScore: 10 }), undefined, ({ events }) => {
    for (const e of events) if (e.type === "phase_change" && e.phase === "SCORING") scoringEvent = e;
  });
  const view = viewFor(state, "spectator");
  assert.equal(view.phase, "GAME_OVER");
  assert.deepEqual(waitingFor(state), { kind: "over" });
  assert.ok(view.players.some((p) => p.score >= 10));
  assert.equal((scoringEvent as Record<string, unknown> | null)?.game_over, true);
  const top = Math.max(...view.players.map((p) => p.score));
  assert.deepEqual(view.result?.winner_seats, view.players.filter((p) => p.score === top).map((p) => p.seat));
  assert.equal(errorCode(state, { type: "advance" }), "INVALID_PHASE");
});

Deno.test("a round cap ends the game after that round even below the target", () => {
  const { state } = playBotGame(options(52, { maxRounds: 2, targetScore: 1000 }));
  assert.equal(state.phase, "GAME_OVER");
  assert.equal(viewFor(state, "spectator").round, 2);
});

Deno.test("declarations and plays go round the table in seat order from the starter, as the events announce", () => {
  const clockwise = (first: number) => [0, 1, 2, 3].map((i) => (first + i) % 4);
  let starter = -1;
  let next = 0;
  let declarations = 0;
  let plays = 0;
  playBotGame(options(71, { maxRounds: 3 }), undefined, ({ events }) => {
    for (const e of events) {
      if (e.type === "phase_change" && (e.phase === "DECLARATION" || e.phase === "TURN")) {
        starter = e.starter_seat as number;
        next = 0;
        const order = e.phase === "TURN" ? e.turn_order_seats : e.declaration_order_seats;
        assert.deepEqual(order, clockwise(starter), `${e.phase} order announced from seat ${starter}`);
      }
      if (e.type === "player_declared" || e.type === "player_played") {
        assert.equal(e.seat, clockwise(starter)[next], `${e.type} #${next} after starter ${starter}`);
        next++;
        if (e.type === "player_declared") declarations++;
        else plays++;
      }
    }
  });
  assert.equal(declarations, 12, "four declarations in each of three rounds");
  assert.ok(plays >= 3 * 8, `${plays} plays checked`);
});

Deno.test("a redeal decision that is not true or false is INVALID_ACTION", () => {
  const state = playUntil(options(1), (s) => waitingFor(s).kind === "redeal");
  if (!state) throw new Error("seed 1 never asks for a redeal");
  const w = waitingFor(state);
  if (w.kind !== "redeal") throw new Error("expected a redeal question");
  const action = { type: "redeal_decision", seat: w.seats[0], accept: "yes" } as unknown as Action;
  assert.equal(errorCode(state, action), "INVALID_ACTION");
});

Deno.test("replay() of a log the engine would not accept throws, naming the action that diverged", () => {
  const { actions } = playBotGame(options(81, { maxRounds: 1 }));
  const tampered = [...actions.slice(0, 3), { type: "declare", seat: 0, value: 9 } as Action];
  assert.throws(() => replay(options(81, { maxRounds: 1 }), tampered), /Replay diverged at action 3: /);
});
