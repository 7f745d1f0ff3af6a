// One engine per process: CPU µs per game with four normal bots, and apply() alone, as one JSON line.
// `bench/engine_ab.sh` runs it alternately on two versions; runs under Deno and Bun alike.
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
const recorded: unknown[][] = [];
play(recorded);
// Replayed from a JSON copy, as a store would hand the actions back: JavaScriptCore never moves objects, so the
// actions recorded during the bot games stay scattered among the bots' garbage, and under Bun reading them cost
// more than apply() itself (a replay of the same games took about twice as long from the original objects).
const logs: unknown[][] = JSON.parse(JSON.stringify(recorded));
play(null);
replay(logs);
replay(logs);
const bots = cpu(() => play(null)) / GAMES;
const ap = cpu(() => replay(logs)) / GAMES;
console.log(JSON.stringify({ bots, apply: ap }));
