// viewFor(): own hand only, nothing secret, and the data a client needs; legal moves agree between view and state.

import assert from "node:assert/strict";
import { type BotDifficulty, chooseBotAction } from "../../src/game/bot.ts";
import { waitingFor } from "../../src/game/engine.ts";
import { legalDeclarations, legalPlays } from "../../src/game/legal_moves.ts";
import { createRng } from "../../src/game/prng.ts";
import type { GameState, Seat } from "../../src/game/state.ts";
import { viewFor } from "../../src/game/view.ts";
import { options, playBotGame, playUntil } from "./helpers.ts";

const SEATS = [0, 1, 2, 3] as const;

function midTurn(): GameState {
  const state = playUntil(options(61), (s) => s.phase === "TURN" && s.turn?.plays.length === 2);
  if (!state) throw new Error("game ended early");
  return state;
}

Deno.test("viewFor(seat) holds that seat's hand and only hand sizes for the others", () => {
  const state = midTurn();
  for (const seat of SEATS) {
    const view = viewFor(state, seat);
    assert.equal(view.seat, seat);
    assert.deepEqual(view.hand, state.hands[seat]);
    assert.deepEqual(view.players.map((p) => p.hand_size), SEATS.map((s) => state.hands[s].length));
    const text = JSON.stringify(view);
    for (const other of SEATS.filter((s) => s !== seat)) {
      for (const p of state.hands[other]) assert.ok(!text.includes(`"id":${p.id},`), `piece ${p.id} leaked`);
    }
  }
});

Deno.test("the spectator view holds no hand, no deck and no PRNG state", () => {
  const view = viewFor(midTurn(), "spectator");
  assert.equal(view.seat, null);
  assert.equal(view.hand, null);
  const keys = new Set<string>();
  JSON.stringify(view, (k, v) => (keys.add(k), v));
  for (const secret of ["hands", "rng", "seed", "deck"]) assert.ok(!keys.has(secret), secret);
});

Deno.test("views are JSON-safe and show the turn in progress, declarations and whose move it is", () => {
  const state = midTurn();
  const view = viewFor(state, "spectator");
  assert.deepEqual(JSON.parse(JSON.stringify(view)), view);
  assert.equal(view.phase, "TURN");
  assert.equal(view.turn?.plays.length, 2);
  assert.ok(view.players.every((p) => p.declared !== null));
  assert.equal(view.declaration_total, view.players.reduce((s, p) => s + (p.declared ?? 0), 0));
  assert.deepEqual(view.waiting, waitingFor(state));
});

Deno.test("the round starter is hidden during PREPARATION and announced in DECLARATION", () => {
  const preparing = playUntil(options(62), (s) => s.phase === "PREPARATION");
  const declaring = playUntil(options(62), (s) => s.phase === "DECLARATION");
  if (!preparing || !declaring) throw new Error("game ended before DECLARATION");
  assert.equal(viewFor(preparing, 0).starter_seat, null);
  const announced = viewFor(declaring, 0).starter_seat;
  assert.ok(announced !== null && [0, 1, 2, 3].includes(announced), `starter_seat is ${announced}`);
  assert.deepEqual(waitingFor(declaring), { kind: "declare", seat: announced });
});

Deno.test("legal moves computed from a seat's view equal those from the full state, and from others' views are empty", () => {
  let compared = 0;
  playBotGame(options(63, { maxRounds: 2 }), ["normal", "easy", "normal", "easy"], ({ before }) => {
    const w = waitingFor(before);
    if (w.kind !== "declare" && w.kind !== "play") return;
    const own = viewFor(before, w.seat);
    const other = viewFor(before, ((w.seat + 1) % 4) as Seat);
    assert.deepEqual(legalDeclarations(own, w.seat), legalDeclarations(before, w.seat));
    assert.deepEqual(legalPlays(own, w.seat), legalPlays(before, w.seat));
    assert.deepEqual(legalPlays(other, w.seat), []);
    assert.deepEqual(legalPlays(viewFor(before, "spectator"), w.seat), []);
    compared++;
  });
  assert.ok(compared > 40);
});

Deno.test("a responder's legal plays are every subset of exactly the required count", () => {
  const state = playUntil(
    options(64),
    (s) => s.phase === "TURN" && s.turn?.plays.length === 1 && (s.turn.required ?? 0) >= 2,
  );
  if (!state) throw new Error("seed 64 never reaches a response of two or more pieces");
  const w = waitingFor(state);
  if (w.kind !== "play") throw new Error("expected play");
  const n = state.hands[w.seat].length;
  const k = state.turn?.required ?? 0;
  const choose = (a: number, b: number): number => (b === 0 ? 1 : (choose(a - 1, b - 1) * a) / b);
  const plays = legalPlays(state, w.seat);
  assert.equal(plays.length, choose(n, k));
  assert.ok(plays.every((p) => p.length === k));
});

Deno.test("bots of both difficulties choose only from what their view allows, and never illegally", () => {
  for (const difficulty of ["easy", "normal"] as BotDifficulty[]) {
    const rng = createRng(7);
    let declarations = 0;
    let plays = 0;
    playBotGame(
      options(65, { maxRounds: 3 }),
      [difficulty, difficulty, difficulty, difficulty],
      ({ before, action }) => {
        if (action.type === "declare") {
          assert.ok(legalDeclarations(before, action.seat).includes(action.value));
          declarations++;
        }
        if (action.type === "play") {
          const key = action.pieceIds.slice().sort((a, b) => a - b).join(",");
          assert.ok(
            legalPlays(before, action.seat).some((p) => p.slice().sort((a, b) => a - b).join(",") === key),
          );
          plays++;
        }
      },
    );
    // A bot handed a spectator view, or a seat with nothing to do, is a caller bug and says so.
    assert.ok(
      declarations >= 12 && plays >= 24,
      `${difficulty}: ${declarations} declarations, ${plays} plays`,
    );
    const state = playUntil(options(66), (s) => s.phase === "DECLARATION");
    if (!state) throw new Error("seed 66 never reaches DECLARATION");
    assert.throws(() => chooseBotAction(viewFor(state, "spectator"), difficulty, rng));
  }
});
