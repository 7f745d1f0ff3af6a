// Declaration constraints: the tables, and the engine enforcing them with INVALID_DECLARATION.

import assert from "node:assert/strict";
import { allowedDeclarations, declarationProblem } from "../../src/game/declarations.ts";
import { apply, createGame, waitingFor } from "../../src/game/engine.ts";
import { legalDeclarations } from "../../src/game/legal_moves.ts";
import { createRng } from "../../src/game/prng.ts";
import type { GameState } from "../../src/game/state.ts";
import { viewFor } from "../../src/game/view.ts";
import { mustApply, nextBotAction, options, playUntil } from "./helpers.ts";

const TABLE: [string, number, boolean, number, number[]][] = [
  ["a first declarer may say anything from 0 to 8", 0, false, 0, [0, 1, 2, 3, 4, 5, 6, 7, 8]],
  ["the last declarer may not make the total 8", 5, true, 0, [0, 1, 2, 4, 5, 6, 7, 8]],
  ["the last declarer after a total of 8 may not say 0", 8, true, 0, [1, 2, 3, 4, 5, 6, 7, 8]],
  ["a total already above 8 forbids nothing", 9, true, 0, [0, 1, 2, 3, 4, 5, 6, 7, 8]],
  ["two zeros in a row forbid a third", 2, false, 2, [1, 2, 3, 4, 5, 6, 7, 8]],
  ["one zero in a row still allows 0", 2, false, 1, [0, 1, 2, 3, 4, 5, 6, 7, 8]],
  ["both rules can apply at once", 6, true, 2, [1, 3, 4, 5, 6, 7, 8]],
];

for (const [name, total, isLast, streak, expected] of TABLE) {
  Deno.test(`allowedDeclarations(): ${name}`, () => {
    assert.deepEqual(allowedDeclarations(total, isLast, streak), expected);
  });
}

Deno.test("declarationProblem() rejects values that are not whole numbers from 0 to 8", () => {
  for (const bad of [-1, 9, 2.5, Number.NaN]) assert.notEqual(declarationProblem(bad, 0, false, 0), null);
});

function atDeclaration(seed: number, declared: number): GameState {
  const state = playUntil(
    options(seed),
    (s) => s.phase === "DECLARATION" && s.players.filter((p) => p.declared !== null).length === declared,
  );
  if (!state) throw new Error("game ended early");
  return state;
}

/** Round 1 with its first declarations chosen, so the next declarer's situation is known in advance. */
function afterDeclaring(seed: number, values: readonly number[]): GameState {
  let state = atDeclaration(seed, 0);
  for (const value of values) {
    const w = waitingFor(state);
    if (w.kind !== "declare") throw new Error(`expected a declaration, got ${w.kind}`);
    state = mustApply(state, { type: "declare", seat: w.seat, value }).state;
  }
  return state;
}

const LAST_DECLARER_CASES: { firstThree: [number, number, number]; forbidden: number }[] = [
  { firstThree: [1, 2, 1], forbidden: 4 },
  { firstThree: [3, 3, 2], forbidden: 0 },
  { firstThree: [0, 0, 0], forbidden: 8 },
];

for (const { firstThree, forbidden } of LAST_DECLARER_CASES) {
  Deno.test(
    `declare() rejects the last declarer's ${forbidden} after ${
      firstThree.join("+")
    }, which makes the total 8, with INVALID_DECLARATION`,
    () => {
      const state = afterDeclaring(3, firstThree);
      const w = waitingFor(state);
      if (w.kind !== "declare") throw new Error(`expected the last declaration, got ${w.kind}`);
      assert.equal(viewFor(state, w.seat).declaration_total, 8 - forbidden);

      const refused = apply(state, { type: "declare", seat: w.seat, value: forbidden });
      assert.equal(refused.ok ? null : refused.error.code, "INVALID_DECLARATION");
      assert.equal(legalDeclarations(state, w.seat).includes(forbidden), false);

      // Every other value is legal and accepted, and the seat's view lists the same ones.
      const allowed = legalDeclarations(viewFor(state, w.seat), w.seat);
      assert.deepEqual(allowed, [0, 1, 2, 3, 4, 5, 6, 7, 8].filter((v) => v !== forbidden));
      assert.deepEqual(allowed, legalDeclarations(state, w.seat));
      for (const value of allowed) {
        assert.equal(apply(state, { type: "declare", seat: w.seat, value }).ok, true);
      }
    },
  );
}

Deno.test("declare() lets the third declarer make the total 8: only the last declarer is bound", () => {
  const next = afterDeclaring(3, [3, 3]);
  const third = waitingFor(next);
  if (third.kind !== "declare") throw new Error("expected the third declaration");
  assert.equal(apply(next, { type: "declare", seat: third.seat, value: 2 }).ok, true);
});

Deno.test("declare() rejects out-of-range and fractional values with INVALID_DECLARATION", () => {
  const state = atDeclaration(4, 0);
  const w = waitingFor(state);
  if (w.kind !== "declare") throw new Error("expected a declaration");
  for (const value of [-1, 9, 1.5]) {
    const result = apply(state, { type: "declare", seat: w.seat, value });
    assert.deepEqual(result.ok ? null : result.error.code, "INVALID_DECLARATION");
  }
});

Deno.test("declare() from the wrong seat is NOT_YOUR_TURN and names whose turn it is", () => {
  const state = atDeclaration(4, 1);
  const w = waitingFor(state);
  if (w.kind !== "declare") throw new Error("expected a declaration");
  const other = ((w.seat + 1) % 4) as 0 | 1 | 2 | 3;
  const result = apply(state, { type: "declare", seat: other, value: 1 });
  if (result.ok) throw new Error("a declaration from the wrong seat was accepted");
  assert.equal(result.error.code, "NOT_YOUR_TURN");
  const due = viewFor(state, w.seat).players[w.seat]?.name;
  assert.ok(due !== undefined && result.error.message.includes(due), result.error.message);
});

Deno.test("a seat that declared 0 in two rounds running may not declare 0 in the third, across rounds", () => {
  // Seat 2 always declares 0 when allowed; everyone else is a normal bot.
  let state = createGame(options(11, { maxRounds: 6 }));
  const rng = createRng(11);
  let zeros = 0;
  let refusedThird = false;
  for (let action = nextBotAction(state, [], rng); action; action = nextBotAction(state, [], rng)) {
    const w = waitingFor(state);
    if (w.kind === "declare" && w.seat === 2) {
      const streak = viewFor(state, 2).players[2]?.zero_streak ?? 0;
      const zero = apply(state, { type: "declare", seat: 2, value: 0 });
      if (streak >= 2) {
        assert.equal(zero.ok ? null : zero.error.code, "INVALID_DECLARATION", "a third zero must be refused");
        assert.equal(legalDeclarations(state, 2).includes(0), false);
        refusedThird = true;
      } else if (zero.ok) {
        zeros++;
        state = zero.state;
        continue;
      }
    }
    state = mustApply(state, action).state;
  }
  assert.ok(zeros >= 2, "seat 2 declared 0 at least twice");
  assert.ok(refusedThird, "the streak rule was exercised");
});

Deno.test("a non-zero declaration resets the zero streak: 0, 0, then non-zero, then 0 is allowed again", () => {
  // Seat 2 follows the plan round by round (when the plan says "any", its smallest non-zero legal value).
  const plan = ["zero", "zero", "any", "zero"] as const;
  const streaks: number[] = [];
  let state = createGame(options(12, { maxRounds: 6 }));
  const rng = createRng(12);
  for (let action = nextBotAction(state, [], rng); action; action = nextBotAction(state, [], rng)) {
    const w = waitingFor(state);
    const step = plan[streaks.length];
    if (w.kind === "declare" && w.seat === 2 && step !== undefined) {
      const allowed = legalDeclarations(state, 2);
      const value = step === "zero" ? 0 : allowed.find((v) => v > 0);
      assert.ok(
        value !== undefined && allowed.includes(value),
        `round ${streaks.length + 1}: ${value} is legal`,
      );
      state = mustApply(state, { type: "declare", seat: 2, value }).state;
      streaks.push(viewFor(state, 2).players[2]?.zero_streak ?? -1);
      continue;
    }
    state = mustApply(state, action).state;
  }
  assert.deepEqual(streaks, [1, 2, 0, 1], "the streak after each of seat 2's declarations");
});
