// Property tests over thousands of seeded bot-only games: pile totals, hand sizes, the scoring formula, the end
// of the game, exact replay, and views that never leak another seat's pieces.

import assert from "node:assert/strict";
import type { BotDifficulty } from "../../src/game/bot.ts";
import { apply, createGame, waitingFor } from "../../src/game/engine.ts";
import type { GameEvent } from "../../src/game/events.ts";
import { createRng, random } from "../../src/game/prng.ts";
import { replay } from "../../src/game/replay.ts";
import type { Action, GameOptions, GameState, Seat } from "../../src/game/state.ts";
import { viewFor } from "../../src/game/view.ts";
import { actingSeat, nextBotAction, options } from "./helpers.ts";

const GAMES = 2400;
// Checking all five views after every action costs ~40 ms a game, so only the first games get it.
const VIEW_CHECKED_GAMES = 150;
const SEATS = [0, 1, 2, 3] as const;

/** Varies bots, targets, round caps and injected timeouts by seed, so the same seed always means the same game. */
function scenario(seed: number): { opts: GameOptions; bots: BotDifficulty[]; timeoutRate: number } {
  const bots: BotDifficulty[] = SEATS.map((s) => ((seed >> s) & 1 ? "easy" : "normal"));
  const allEasy = bots.every((b) => b === "easy");
  const targetScore = [50, 20, 35][seed % 3] ?? 50;
  // Random (easy) bots rarely score, so their games need a round cap to finish.
  const maxRounds = allEasy ? 4 : seed % 5 === 0 ? 3 : 0;
  return { opts: options(seed, { targetScore, maxRounds }), bots, timeoutRate: seed % 7 === 0 ? 0.1 : 0 };
}

/** Every piece id anywhere in a JSON value (any object with id, kind, color and points). */
function pieceIdsIn(value: unknown, out: Set<number> = new Set()): Set<number> {
  if (Array.isArray(value)) { for (const v of value) pieceIdsIn(v, out); }
  else if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.id === "number" && "kind" in o && "color" in o && "points" in o) out.add(o.id);
    for (const v of Object.values(o)) pieceIdsIn(v, out);
  }
  return out;
}

function handIds(state: GameState, seat: Seat): Set<number> {
  return new Set(state.hands[seat].map((p) => p.id));
}

function checkViews(state: GameState, events: readonly GameEvent[]): void {
  const held = SEATS.map((s) => handIds(state, s));
  for (const viewer of [...SEATS, "spectator" as const]) {
    const view = viewFor(state, viewer);
    const json = JSON.stringify(view);
    assert.ok(!/"(rng|hands|deck|seed)"/.test(json), "no secret keys in a view");
    const seen = pieceIdsIn(view);
    for (const s of SEATS) {
      if (s === viewer) continue;
      for (const id of held[s] ?? []) {
        assert.ok(!seen.has(id), `seat ${s}'s piece ${id} visible to ${viewer}`);
      }
    }
    if (viewer !== "spectator") assert.deepEqual(new Set(view.hand?.map((p) => p.id)), held[viewer]);
    else assert.equal(view.hand, null);
  }
  // Events are broadcast to everyone: no piece still in any hand may appear in them.
  const inEvents = pieceIdsIn(events);
  for (const ids of held) for (const id of ids) assert.ok(!inEvents.has(id), `held piece ${id} in an event`);
}

interface Tally {
  rounds: number;
  turns: number;
  /** Injected timeouts, SCORING end-rule checks and SCORING exits checked: proof those branches ran. */
  timeouts: number;
  endRuleChecks: number;
  scoringExits: number;
}

function runGame(seed: number, checkViewsToo: boolean, tally: Tally): void {
  const { opts, bots, timeoutRate } = scenario(seed);
  let state = createGame(opts);
  const rng = createRng(seed);
  const chaos = createRng(seed ^ 0x5eed);
  const actions: Action[] = [];
  let pilesThisRound = 0;
  const totals = [0, 0, 0, 0];
  for (let action = nextBotAction(state, bots, rng); action; action = nextBotAction(state, bots, rng)) {
    const seat = actingSeat(state);
    if (seat !== null && timeoutRate > 0 && random(chaos) < timeoutRate) {
      action = { type: "timeout", seat };
      tally.timeouts++;
    }
    const result = apply(state, action);
    if (!result.ok) throw new Error(`seed ${seed}: ${result.error.code} ${result.error.message}`);
    const before = state;
    state = result.state;
    actions.push(action);
    if (checkViewsToo) checkViews(state, result.events);

    if (state.phase === "TURN" && state.turn?.plays.length === 0) {
      const sizes = new Set(SEATS.map((s) => state.hands[s].length));
      assert.equal(sizes.size, 1, `seed ${seed}: hand sizes differ at a turn start`);
    }
    for (const event of result.events) {
      if (event.type === "turn_result") {
        pilesThisRound += event.piles_won;
        tally.turns++;
      }
      if (event.type === "round_scores") {
        assert.equal(pilesThisRound, 8, `seed ${seed}: a round awarded ${pilesThisRound} piles`);
        assert.equal(event.scores.reduce((sum, s) => sum + s.actual, 0), 8);
        pilesThisRound = 0;
        tally.rounds++;
        for (const s of event.scores) {
          const { declared: d, actual: a } = s;
          const base = d === 0 ? (a === 0 ? 3 : -a) : a === d ? d + 5 : -Math.abs(d - a);
          assert.equal(s.final_score, base * event.multiplier, `seed ${seed}: score formula`);
          totals[s.seat] = (totals[s.seat] ?? 0) + s.final_score;
          assert.equal(s.total_score, totals[s.seat]);
        }
      }
    }
    // Checked after the round's scores are tallied (round_scores follows the SCORING phase_change).
    const scoring = result.events.find((e) => e.type === "phase_change" && e.phase === "SCORING");
    if (scoring?.type === "phase_change") {
      const reached = totals.some((t) => t >= (opts.targetScore ?? 50));
      const capped = (opts.maxRounds ?? 0) > 0 && scoring.round >= (opts.maxRounds ?? 0);
      assert.equal(
        scoring.game_over,
        reached || capped,
        `seed ${seed}: game over exactly when the rules say`,
      );
      tally.endRuleChecks++;
    }
    if (before.phase === "SCORING") {
      assert.equal(state.phase === "GAME_OVER", before.result !== null);
      tally.scoringExits++;
    }
  }
  assert.equal(state.phase, "GAME_OVER");
  assert.deepEqual(waitingFor(state), { kind: "over" });
  assert.deepEqual(replay(opts, actions), state, `seed ${seed}: replay differs`);
}

Deno.test(`over ${GAMES} seeded bot games: 8 piles a round, equal hands, the score formula, the end rule and exact replay`, () => {
  const tally: Tally = { rounds: 0, turns: 0, timeouts: 0, endRuleChecks: 0, scoringExits: 0 };
  const started = performance.now();
  for (let seed = 0; seed < GAMES; seed++) runGame(seed, seed < VIEW_CHECKED_GAMES, tally);
  const ms = Math.round(performance.now() - started);
  console.log(
    `${GAMES} games, ${tally.rounds} rounds, ${tally.turns} turns in ${ms} ms (views checked in ${VIEW_CHECKED_GAMES})`,
  );
  assert.ok(tally.rounds >= GAMES);
  assert.equal(tally.endRuleChecks, tally.rounds, "the end rule was checked at every SCORING");
  assert.equal(tally.scoringExits, tally.rounds, "every SCORING was left once, to a new round or GAME_OVER");
  assert.ok(tally.timeouts > 100, `${tally.timeouts} injected timeouts`);
});

Deno.test("the same seed and actions give the same game, and a different seed a different deal", () => {
  const a = createGame(options(1));
  const b = createGame(options(2));
  const dealA = apply(a, { type: "start" });
  const dealA2 = apply(a, { type: "start" });
  const dealB = apply(b, { type: "start" });
  assert.deepEqual(dealA, dealA2);
  if (!dealA.ok || !dealB.ok) throw new Error("start was refused");
  assert.notDeepEqual(viewFor(dealA.state, 0).hand, viewFor(dealB.state, 0).hand);
});
