// One engine per process: CPU µs per game with four normal bots, and apply() alone, as one JSON line.
// `bench/engine_ab.sh` runs it alternately on two versions; runs under Deno and Bun alike.
// usage: engine_one.ts <dir> [games=500] [warm-up games=12000]
import process from "node:process";
const dir = process.argv[2] ?? ".";
const GAMES = Number(process.argv[3] ?? 500);
const engine = await import(`file://${dir}/src/game/engine.ts`);
const prng = await import(`file://${dir}/src/game/prng.ts`);
const helpers = await import(`file://${dir}/tests/game/helpers.ts`);
const BOTS = ["normal", "normal", "normal", "normal"];
const P = ["Ann", "Bo", "Cy", "Di"];
function play(rec: unknown[][] | null) {
  for (let seed = 0; seed < GAMES; seed++) {
    let s = engine.createGame({ seed, players: P });
    const rng = prng.createRng(seed);
    const acts: unknown[] = [];
    for (let a = helpers.nextBotAction(s, BOTS, rng); a; a = helpers.nextBotAction(s, BOTS, rng)) {
      s = engine.apply(s, a).state;
      acts.push(a);
    }
    rec?.push(acts);
  }
}
function replay(logs: unknown[][]) {
  logs.forEach((acts, seed) => {
    let s = engine.createGame({ seed, players: P });
    for (const a of acts) s = engine.apply(s, a).state;
  });
}
const cpu = (f: () => void) => {
  const b = process.cpuUsage();
  f();
  const d = process.cpuUsage(b);
  return d.user + d.system;
};
// Warm up on at least WARMUP games before timing: V8 kept the bots' driver (`nextBotAction`, into which the bots
// inline) in its middle tier for the first 5,000–10,000 games of a process and ran them at half the speed it settles
// at; JavaScriptCore needs a few thousand games to reach its last tier too. A server runs for days, so the timed
// passes measure the settled engine. The median of three timed passes is printed, and the first pass of the fresh
// process as `coldBots`.
const WARMUP = Number(process.argv[4] ?? 12000);
const median = (xs: number[]) => xs.sort((a, b) => a - b)[1] ?? 0;
const coldBots = cpu(() => play(null)) / GAMES;
for (let played = GAMES; played < WARMUP; played += GAMES) play(null);
const bots = median([0, 1, 2].map(() => cpu(() => play(null)) / GAMES));
// Only then the replay's input: the same seeded games recorded in one more, untimed pass. Recorded before the bot
// passes, these ~520 actions a game stayed alive through them, a heap no server holds, which the collector walked.
// Replayed from a JSON copy, as a store would hand the actions back: JavaScriptCore never moves objects, so the
// actions recorded during the bot games stay scattered among the bots' garbage, and under Bun reading them cost
// more than apply() itself (a replay of the same games took about twice as long from the original objects).
const recorded: unknown[][] = [];
play(recorded);
const logs: unknown[][] = JSON.parse(JSON.stringify(recorded));
recorded.length = 0;
// `coldApply`: the first replay pass (apply() itself is already warm from the bot games).
const coldApply = cpu(() => replay(logs)) / GAMES;
replay(logs);
replay(logs);
const ap = median([0, 1, 2].map(() => cpu(() => replay(logs)) / GAMES));
console.log(JSON.stringify({ bots, apply: ap, coldBots, coldApply }));
