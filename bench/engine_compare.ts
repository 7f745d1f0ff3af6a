// Same-run comparison of two versions of the engine and bots: the given git revision (default: the commit
// before the bot speed-ups) against the working tree, interleaved in one process and timed by CPU time, so
// a shared, noisy machine slows both alike. `deno run --allow-all bench/engine_compare.ts [rev] [games] [reps]`

import process from "node:process";

const REV = Deno.args[0] ?? "e0e70a2";
const GAMES = Number(Deno.args[1] ?? 300);
const REPS = Number(Deno.args[2] ?? 5);
const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);

interface Engine {
  apply: (state: unknown, action: unknown) => { ok: boolean; state: unknown };
  createGame: (options: unknown) => unknown;
  createRng: (seed: number) => unknown;
  next: (state: unknown, bots: readonly string[], rng: unknown) => unknown;
}

/** The engine, PRNG and bot-only driver of one tree. */
async function load(dir: string): Promise<Engine> {
  const engine = await import(`file://${dir}src/game/engine.ts`);
  const prng = await import(`file://${dir}src/game/prng.ts`);
  const helpers = await import(`file://${dir}tests/game/helpers.ts`);
  return {
    apply: engine.apply,
    createGame: engine.createGame,
    createRng: prng.createRng,
    next: helpers.nextBotAction,
  };
}

async function checkout(rev: string): Promise<string> {
  const dir = `${await Deno.makeTempDir({ prefix: "liaptui-engine-" })}/`;
  const archive = new Deno.Command("sh", {
    args: ["-c", `git -C '${ROOT}' archive '${rev}' src/game tests/game/helpers.ts | tar -x -C '${dir}'`],
  });
  if (!(await archive.output()).success) throw new Error(`cannot extract ${rev}`);
  return dir;
}

const BOTS = ["normal", "normal", "normal", "normal"] as const;
const PLAYERS = ["Ann", "Bo", "Cy", "Di"];

/** Plays every seed with four normal bots; with `record`, keeps the actions for the apply-only replay. */
function play(engine: Engine, record?: unknown[][]): void {
  for (let seed = 0; seed < GAMES; seed++) {
    let state = engine.createGame({ seed, players: PLAYERS });
    const rng = engine.createRng(seed);
    const actions: unknown[] = [];
    for (let action = engine.next(state, BOTS, rng); action; action = engine.next(state, BOTS, rng)) {
      state = engine.apply(state, action).state;
      actions.push(action);
    }
    record?.push(actions);
  }
}

function replay(engine: Engine, logs: unknown[][]): void {
  logs.forEach((actions, seed) => {
    let state = engine.createGame({ seed, players: PLAYERS });
    for (const action of actions) state = engine.apply(state, action).state;
  });
}

function cpuMicros(run: () => void): number {
  const before = process.cpuUsage();
  run();
  const spent = process.cpuUsage(before);
  return spent.user + spent.system;
}

const engines: [string, Engine][] = [[REV, await load(await checkout(REV))], [
  "working tree",
  await load(ROOT),
]];
const logs: unknown[][] = [];
play(engines[1]![1], logs);
const samples = new Map<string, number[]>();
for (let rep = 0; rep < REPS; rep++) {
  for (const [name, engine] of rep % 2 === 0 ? engines : engines.slice().reverse()) {
    const add = (key: string, micros: number) =>
      samples.set(key, [...(samples.get(key) ?? []), micros / GAMES]);
    add(`${name}|bots`, cpuMicros(() => play(engine)));
    add(`${name}|apply`, cpuMicros(() => replay(engine, logs)));
  }
}
const median = (values: number[]) => values.slice().sort((a, b) => a - b)[values.length >> 1] ?? NaN;
console.log(
  `${GAMES} games × ${REPS} interleaved reps, four normal bots; CPU µs per game (median) and games per CPU second`,
);
for (const [key, values] of samples) {
  const [name, what] = key.split("|");
  const us = median(values);
  console.log(
    `${name?.padEnd(14)} ${what === "bots" ? "with bots " : "apply only"} ${
      us.toFixed(0).padStart(6)
    } µs/game  ${(1e6 / us).toFixed(0).padStart(6)} games/s`,
  );
}
