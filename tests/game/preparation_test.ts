// Weak-hand detection, simultaneous redeal decisions, redeal ordering, multiplier and the round starter.

import assert from "node:assert/strict";
import { apply, createGame, waitingFor } from "../../src/game/engine.ts";
import type { GameEvent } from "../../src/game/events.ts";
import { isWeakHand } from "../../src/game/pieces.ts";
import { type GameState, rotation, type Seat } from "../../src/game/state.ts";
import { viewFor } from "../../src/game/view.ts";
import { mustApply, options, pieces, playUntil } from "./helpers.ts";

const WEAK: [string, string, boolean][] = [
  ["a hand of nothing above 9 is weak", "EB EB CR CR HR NR SR SB", true],
  ["a black elephant (9) does not save a hand", "EB CR CB HR HB NR SR SB", true],
  ["a red elephant (10) makes a hand not weak", "ER CR CB HR HB NR SR SB", false],
  ["a black advisor (11) makes a hand not weak", "AB CR CB HR HB NR SR SB", false],
  ["a general makes a hand not weak", "GB SB SB SB SB SR SR SR", false],
];

for (const [name, spec, weak] of WEAK) {
  Deno.test(`isWeakHand(): ${name}`, () => assert.equal(isWeakHand(pieces(spec)), weak));
}

function ownHand(state: GameState, seat: Seat) {
  return viewFor(state, seat).hand ?? [];
}

/** The first seed (from `from`) whose first deal has at least `count` weak hands. */
function startedWithWeakHands(count: number, from = 0): GameState {
  for (let seed = from; seed < from + 5000; seed++) {
    const state = mustApply(createGame(options(seed)), { type: "start" }).state;
    const w = waitingFor(state);
    if (w.kind === "redeal" && w.seats.length >= count) return state;
  }
  throw new Error(`no seed with ${count} weak hands`);
}

function generalRedHolder(state: GameState): Seat {
  const seat = ([0, 1, 2, 3] as const).find((s) => ownHand(state, s).some((p) => p.id === 0));
  if (seat === undefined) throw new Error("GENERAL_RED not dealt");
  return seat;
}

Deno.test("after a deal every weak hand, and only those, is asked to decide", () => {
  const cases = { none: 0, some: 0 };
  for (let seed = 0; seed < 200; seed++) {
    const state = mustApply(createGame(options(seed)), { type: "start" }).state;
    const weak = ([0, 1, 2, 3] as const).filter((s) => isWeakHand(ownHand(state, s)));
    const w = waitingFor(state);
    if (weak.length === 0) {
      assert.deepEqual(w, { kind: "advance", after: "deal" });
      cases.none++;
    } else {
      assert.deepEqual(w, { kind: "redeal", seats: weak });
      cases.some++;
    }
  }
  assert.ok(cases.none > 0 && cases.some > 0, `deals without and with weak hands: ${JSON.stringify(cases)}`);
});

Deno.test("a second redeal decision from the same seat is rejected and a non-weak seat cannot decide", () => {
  const state = startedWithWeakHands(2);
  const w = waitingFor(state);
  if (w.kind !== "redeal") throw new Error("expected redeal");
  const [first] = w.seats;
  if (first === undefined) throw new Error("no weak seat");
  const once = mustApply(state, { type: "redeal_decision", seat: first, accept: false });
  const twice = apply(once.state, { type: "redeal_decision", seat: first, accept: true });
  assert.equal(twice.ok ? null : twice.error.code, "INVALID_ACTION");
  const strong = ([0, 1, 2, 3] as const).find((s) => !w.seats.includes(s));
  if (strong === undefined) throw new Error("every seat is weak in this deal");
  const result = apply(state, { type: "redeal_decision", seat: strong, accept: true });
  assert.equal(result.ok ? null : result.error.code, "NOT_YOUR_TURN");
});

Deno.test("decisions are simultaneous: any undecided weak seat may decide first, in any order", () => {
  const state = startedWithWeakHands(2);
  const w = waitingFor(state);
  if (w.kind !== "redeal") throw new Error("expected redeal");
  const last = w.seats[w.seats.length - 1] as Seat;
  const result = mustApply(state, { type: "redeal_decision", seat: last, accept: false });
  assert.deepEqual(waitingFor(result.state), { kind: "redeal", seats: w.seats.filter((s) => s !== last) });
});

Deno.test("when all weak seats decline the hands stand, the multiplier stays 1 and the GENERAL_RED holder starts", () => {
  const state = startedWithWeakHands(1);
  const w = waitingFor(state);
  if (w.kind !== "redeal") throw new Error("expected redeal");
  const handsBefore = ([0, 1, 2, 3] as const).map((s) => ownHand(state, s));
  let next = state;
  for (const seat of w.seats) next = mustApply(next, { type: "redeal_decision", seat, accept: false }).state;
  assert.deepEqual(waitingFor(next), { kind: "advance", after: "deal" });
  assert.deepEqual(([0, 1, 2, 3] as const).map((s) => ownHand(next, s)), handsBefore);
  const declared = mustApply(next, { type: "advance" });
  const view = viewFor(declared.state, "spectator");
  assert.equal(view.phase, "DECLARATION");
  assert.equal(view.redeal_multiplier, 1);
  assert.equal(view.starter_seat, generalRedHolder(state));
  assert.equal(view.starter_reason, "has_general_red");
  assert.deepEqual(waitingFor(declared.state), { kind: "declare", seat: generalRedHolder(state) });
});

Deno.test("the first accepter in play order from the GENERAL_RED holder starts, and the multiplier rises by one", () => {
  let tested = 0;
  for (let from = 0; tested < 10; from++) {
    const state = startedWithWeakHands(2, from * 97);
    const w = waitingFor(state);
    if (w.kind !== "redeal") continue;
    const order = rotation(generalRedHolder(state)).filter((s) => w.seats.includes(s));
    // Decided in reverse play order to show that decision timing does not matter. Every other case the
    // first seat in play order declines, so the accepter must be the next one.
    const decline = tested % 2 === 1 ? order[0] : undefined;
    let next = state;
    const events: GameEvent[] = [];
    for (const seat of order.slice().reverse()) {
      const result = mustApply(next, { type: "redeal_decision", seat, accept: seat !== decline });
      next = result.state;
      events.push(...result.events);
    }
    const expected = decline === undefined ? order[0] : order[1];
    assert.ok(events.some((e) => e.type === "hands_dealt"), "a full redeal happened");
    assert.equal(viewFor(next, "spectator").redeal_multiplier, 2);
    const requester = events.find((e) => e.type === "phase_change" && "redeal_requester_seat" in e);
    assert.equal(requester?.type === "phase_change" ? requester.redeal_requester_seat : null, expected);
    // Decline any further redeal so the accepter's claim is what decides the starter.
    for (let w2 = waitingFor(next); w2.kind === "redeal"; w2 = waitingFor(next)) {
      next = mustApply(next, { type: "redeal_decision", seat: w2.seats[0] as Seat, accept: false }).state;
    }
    next = mustApply(next, { type: "advance" }).state;
    assert.equal(viewFor(next, "spectator").starter_seat, expected);
    assert.equal(viewFor(next, "spectator").starter_reason, "accepted_redeal");
    tested++;
  }
});

Deno.test("a redeal deals all 32 pieces again, 8 to each seat, and checks for weak hands again", () => {
  const state = startedWithWeakHands(1, 40);
  const w = waitingFor(state);
  if (w.kind !== "redeal") throw new Error("expected redeal");
  let next = state;
  for (const seat of w.seats) next = mustApply(next, { type: "redeal_decision", seat, accept: true }).state;
  const hands = ([0, 1, 2, 3] as const).map((s) => ownHand(next, s));
  assert.deepEqual(hands.map((h) => h.length), [8, 8, 8, 8]);
  assert.deepEqual(hands.flat().map((p) => p.id).sort((a, b) => a - b), [...Array(32).keys()]);
  const weak = ([0, 1, 2, 3] as const).filter((s) => isWeakHand(ownHand(next, s)));
  assert.deepEqual(
    waitingFor(next),
    weak.length ? { kind: "redeal", seats: weak } : { kind: "advance", after: "deal" },
  );
});

Deno.test("a timed-out weak seat counts as declining", () => {
  const state = startedWithWeakHands(1);
  const w = waitingFor(state);
  if (w.kind !== "redeal") throw new Error("expected redeal");
  const seat = w.seats[0] as Seat;
  const result = mustApply(state, { type: "timeout", seat });
  assert.deepEqual(result.events[0], {
    type: "redeal_decision",
    seat,
    player: viewFor(state, seat).players[seat]?.name,
    accept: false,
    timed_out: true,
  });
});

Deno.test("from round 2 the last turn's winner starts, and also heads the order that ranks redeal accepters", () => {
  let checkedStarter = false;
  let checkedRedeal = false;
  for (let seed = 0; seed < 400 && !(checkedStarter && checkedRedeal); seed++) {
    const scoring = playUntil(options(seed), (s) => s.phase === "SCORING");
    if (!scoring || scoring.result) continue;
    const lastWinner = viewFor(scoring, "spectator").last_turn?.winner_seat;
    if (lastWinner === undefined) throw new Error("no last turn");
    const dealt = mustApply(scoring, { type: "advance" }).state;
    const w = waitingFor(dealt);
    if (w.kind === "advance" && !checkedStarter) {
      const view = viewFor(mustApply(dealt, { type: "advance" }).state, "spectator");
      assert.equal(view.starter_seat, lastWinner);
      assert.equal(view.starter_reason, "won_last_turn");
      checkedStarter = true;
    }
    if (w.kind === "redeal" && w.seats.length >= 2 && !checkedRedeal) {
      let next = dealt;
      for (const seat of w.seats) {
        next = mustApply(next, { type: "redeal_decision", seat, accept: true }).state;
      }
      const expected = rotation(lastWinner).find((s) => w.seats.includes(s));
      while (waitingFor(next).kind === "redeal") {
        const pending = waitingFor(next);
        if (pending.kind !== "redeal") break;
        next =
          mustApply(next, { type: "redeal_decision", seat: pending.seats[0] as Seat, accept: false }).state;
      }
      assert.equal(viewFor(mustApply(next, { type: "advance" }).state, "spectator").starter_seat, expected);
      checkedRedeal = true;
    }
  }
  assert.ok(checkedStarter && checkedRedeal, "both cases were found among the seeds");
});
