// botViewFor(): the bots' cheap view shows a seat exactly what viewFor shows it, nothing more, and is never changed.

import assert from "node:assert/strict";
import { chooseBotAction } from "../../src/game/bot.ts";
import { type BotView, botViewFor } from "../../src/game/bot_view.ts";
import { createRng } from "../../src/game/prng.ts";
import type { GameState, Seat } from "../../src/game/state.ts";
import { type GameView, viewFor } from "../../src/game/view.ts";
import { deepFreeze, options, playBotGame } from "./helpers.ts";

const SEATS = [0, 1, 2, 3] as const;

/** The BotView fields of a view, in plain data, so a full view and a bot view compare field by field. */
function project(view: BotView | GameView) {
  return {
    seat: view.seat,
    round: view.round,
    starter_seat: view.starter_seat,
    waiting: view.waiting,
    players: view.players.map((p) => ({
      seat: p.seat,
      declared: p.declared,
      captured_piles: p.captured_piles,
      score: p.score,
      zero_streak: p.zero_streak,
    })),
    hand: view.hand?.slice() ?? null,
    declaration_total: view.declaration_total,
    turn: view.turn
      ? {
        required_piece_count: view.turn.required_piece_count,
        plays: view.turn.plays.map((p) => p.pieces.slice()),
      }
      : null,
    played_pieces: view.played_pieces.slice(),
  };
}

/** Every state a few seeded bot games pass through, including deals, redeals, turns and scoring. */
function states(): GameState[] {
  const seen: GameState[] = [];
  for (const seed of [3, 17, 29]) playBotGame(options(seed), undefined, (step) => seen.push(step.before));
  return seen;
}

Deno.test("botViewFor(state, seat) has the same values as viewFor(state, seat) in every field it holds", () => {
  let compared = 0;
  for (const state of states()) {
    for (const seat of SEATS) {
      assert.deepEqual(project(botViewFor(state, seat)), project(viewFor(state, seat)));
      compared++;
    }
  }
  assert.ok(compared > 1000, `compared ${compared} views`);
});

Deno.test("botViewFor(state, seat) never holds a piece of another seat's hand", () => {
  let checked = 0;
  for (const state of states()) {
    for (const seat of SEATS) {
      const text = JSON.stringify(botViewFor(state, seat));
      for (const other of SEATS.filter((s) => s !== seat)) {
        for (const p of state.hands[other]) {
          assert.ok(!text.includes(`"id":${p.id},`), `seat ${seat} sees piece ${p.id} of seat ${other}`);
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 10000, `checked ${checked} hidden pieces`);
});

Deno.test("bots deciding from botViewFor leave the state untouched (it shares the state's arrays)", () => {
  const rng = createRng(5);
  let decisions = 0;
  for (const state of states()) {
    const w = botViewFor(state, 0).waiting;
    const seat: Seat | undefined = w.kind === "redeal"
      ? w.seats[0]
      : w.kind === "declare" || w.kind === "play"
      ? w.seat
      : undefined;
    if (seat === undefined) continue;
    const frozen = deepFreeze(structuredClone(state));
    const before = JSON.stringify(frozen);
    // Frozen: a bot writing to a shared array or object would throw here (modules run in strict mode).
    const fromBotView = chooseBotAction(botViewFor(frozen, seat), "normal", createRng(decisions));
    const fromFullView = chooseBotAction(viewFor(frozen, seat), "normal", createRng(decisions));
    assert.deepEqual(fromBotView, fromFullView);
    assert.equal(JSON.stringify(frozen), before);
    chooseBotAction(botViewFor(frozen, seat), "easy", rng);
    decisions++;
  }
  assert.ok(decisions > 500, `checked ${decisions} decisions`);
});
