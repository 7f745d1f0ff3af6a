// Engine benchmark: complete bot-only games per second in one process, and the ceiling of apply() alone.
// Run with `deno task bench:engine`. Prints figures only; nothing here is asserted.

import process from "node:process";
import type { BotDifficulty } from "../src/game/bot.ts";
import { apply, createGame } from "../src/game/engine.ts";
import { createRng } from "../src/game/prng.ts";
import type { Action, GameOptions } from "../src/game/state.ts";
// The same bot-only driver the engine's property tests use, so the benchmark measures what they check.
import { nextBotAction } from "../tests/game/helpers.ts";

// process.argv rather than Deno.args, so the same file also runs under Bun (the runtime of the release binary).
const GAMES = Number(process.argv[2] ?? 1000);
/** Games played before each scenario is timed (second argument). */
const WARMUP = Number(process.argv[3] ?? 12000);
/** Only the line-ups whose name contains this (third argument), e.g. "4 normal"; all three by default. */
const ONLY = process.argv[4] ?? "";
const PLAYERS = ["Ann", "Bo", "Cy", "Di"] as const;

/** CPU seconds of this process: on a shared machine they drift far less than the wall clock. */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * Plays `GAMES` complete games with the given bots and keeps nothing of them: this is what is timed. A server
 * holds the games it is running, not thousands of finished games' actions, and recording every action here (about
 * 520 a game) kept tens of megabytes alive that the collector walked during the timing (see bench/README.md).
 */
function playGames(bots: readonly BotDifficulty[], extra: Partial<GameOptions>) {
  const started = performance.now();
  const cpu = cpuSeconds();
  let rounds = 0;
  let actions = 0;
  for (let seed = 0; seed < GAMES; seed++) {
    let state = createGame({ seed, players: PLAYERS, ...extra });
    const rng = createRng(seed);
    for (let action = nextBotAction(state, bots, rng); action; action = nextBotAction(state, bots, rng)) {
      const result = apply(state, action);
      if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
      state = result.state;
      actions++;
    }
    rounds += state.round;
  }
  return { ms: performance.now() - started, cpu: cpuSeconds() - cpu, rounds, actions };
}

/** The same games again (same seeds, same bots), untimed, recording each one's accepted actions for the replay. */
function recordGames(bots: readonly BotDifficulty[], extra: Partial<GameOptions>) {
  const logs: { options: GameOptions; actions: Action[] }[] = [];
  for (let seed = 0; seed < GAMES; seed++) {
    const options: GameOptions = { seed, players: PLAYERS, ...extra };
    let state = createGame(options);
    const rng = createRng(seed);
    const actions: Action[] = [];
    for (let action = nextBotAction(state, bots, rng); action; action = nextBotAction(state, bots, rng)) {
      const result = apply(state, action);
      if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
      state = result.state;
      actions.push(action);
    }
    logs.push({ options, actions });
  }
  return logs;
}

/** Re-applies recorded actions with no bot work in between, so the time is apply() alone. */
function timeApply(logs: { options: GameOptions; actions: Action[] }[]) {
  let count = 0;
  const started = performance.now();
  const cpu = cpuSeconds();
  for (const { options, actions } of logs) {
    let state = createGame(options);
    for (const action of actions) {
      const result = apply(state, action);
      if (result.ok) state = result.state;
      count++;
    }
  }
  return { count, ms: performance.now() - started, cpu: cpuSeconds() - cpu };
}

const scenarios: [string, BotDifficulty[], Partial<GameOptions>][] = [
  ["4 normal bots, target 50", ["normal", "normal", "normal", "normal"], {}],
  ["2 normal + 2 easy bots, target 50", ["normal", "easy", "normal", "easy"], {}],
  ["4 easy bots, 10-round cap", ["easy", "easy", "easy", "easy"], { maxRounds: 10 }],
];

console.log(`liaptui engine benchmark: ${GAMES} games per scenario, one process, one thread`);
console.log("(games/s by wall clock, and by this process's CPU time in brackets)");
for (const [name, bots, extra] of scenarios) {
  if (!name.includes(ONLY)) continue;
  // Warm-up so the JIT has settled: V8 kept the bots' driver in its middle tier for the first 5,000–10,000 games
  // of a process, at half the speed it settles at (see bench/engine_one.ts).
  for (let warmed = 0; warmed < Math.max(GAMES, WARMUP); warmed += GAMES) playGames(bots, extra);
  const { ms, cpu, rounds, actions } = playGames(bots, extra);
  // The replay's input comes from a second, untimed pass over the same seeds; the games are deterministic, so
  // they are the games just timed (the action counts are compared to make sure).
  const recorded = recordGames(bots, extra);
  const replayed = recorded.reduce((sum, l) => sum + l.actions.length, 0);
  if (replayed !== actions) {
    throw new Error(`The recording pass played ${replayed} actions, the timed one ${actions}`);
  }
  // Replayed from a JSON copy, as a store would hand the actions back: JavaScriptCore never moves objects, so
  // the actions recorded during the bot games stay scattered among the bots' garbage, and under Bun reading them
  // cost more than apply() itself (a replay from the original objects took about twice as long).
  const logs: typeof recorded = JSON.parse(JSON.stringify(recorded));
  timeApply(logs); // warm-up
  const applied = timeApply(logs);
  const withBots = GAMES / (ms / 1000);
  const ceiling = GAMES / (applied.ms / 1000);
  console.log(
    `${name}: ${withBots.toFixed(0)} games/s [${(GAMES / cpu).toFixed(0)}] with bot decisions; ` +
      `${(rounds / GAMES).toFixed(1)} rounds and ${(actions / GAMES).toFixed(0)} actions per game; ` +
      `apply() alone ${ceiling.toFixed(0)} games/s [${(GAMES / applied.cpu).toFixed(0)}], ` +
      `${((applied.ms * 1000) / applied.count).toFixed(2)} µs per action; ` +
      `by CPU time the bots run at ${((100 * applied.cpu) / cpu).toFixed(0)}% of apply's ceiling`,
  );
}
