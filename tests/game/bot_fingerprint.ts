// Seeded bot-only games reduced to one digest each: every accepted action and the events it produced.

import { createHash } from "node:crypto";
import type { BotDifficulty } from "../../src/game/bot.ts";
import { apply, createGame } from "../../src/game/engine.ts";
import { createRng, random } from "../../src/game/prng.ts";
import type { Action, GameOptions } from "../../src/game/state.ts";
import { actingSeat, nextBotAction, options } from "./helpers.ts";

export interface Lineup {
  name: string;
  games: number;
  bots: BotDifficulty[];
  extra: Partial<GameOptions>;
  /** Share of decisions replaced by a `timeout` action, which the engine answers with the normal bot. */
  timeoutRate: number;
}

/** The line-ups whose decisions the fixture pins: the benchmark's three plus timeouts. */
export const LINEUPS: readonly Lineup[] = [
  { name: "4 normal", games: 150, bots: ["normal", "normal", "normal", "normal"], extra: {}, timeoutRate: 0 },
  {
    name: "2 normal + 2 easy",
    games: 100,
    bots: ["normal", "easy", "normal", "easy"],
    extra: {},
    timeoutRate: 0,
  },
  {
    name: "4 easy, 10 rounds",
    games: 60,
    bots: ["easy", "easy", "easy", "easy"],
    extra: { maxRounds: 10 },
    timeoutRate: 0,
  },
  {
    name: "easy bots timing out, target 20",
    games: 60,
    bots: ["easy", "easy", "easy", "easy"],
    extra: { targetScore: 20, maxRounds: 6 },
    timeoutRate: 0.5,
  },
];

export interface GameDigest {
  seed: number;
  actions: number;
  sha256: string;
}

/** Plays seed `seed` of `lineup` and digests its actions and events in order. */
export function digestGame(lineup: Lineup, seed: number): GameDigest {
  let state = createGame(options(seed, lineup.extra));
  const rng = createRng(seed);
  const chaos = createRng(seed ^ 0x5eed);
  const hash = createHash("sha256");
  let count = 0;
  for (
    let action: Action | null = nextBotAction(state, lineup.bots, rng);
    action;
    action = nextBotAction(state, lineup.bots, rng)
  ) {
    const seat = actingSeat(state);
    if (seat !== null && lineup.timeoutRate > 0 && random(chaos) < lineup.timeoutRate) {
      action = { type: "timeout", seat };
    }
    const result = apply(state, action);
    if (!result.ok) throw new Error(`${lineup.name} seed ${seed}: ${result.error.code}`);
    hash.update(JSON.stringify(action));
    hash.update(JSON.stringify(result.events));
    state = result.state;
    count++;
  }
  return { seed, actions: count, sha256: hash.digest("hex") };
}

/** Digests of every game of every line-up, keyed by line-up name. */
export function digestAll(): Record<string, GameDigest[]> {
  const out: Record<string, GameDigest[]> = {};
  for (const lineup of LINEUPS) {
    out[lineup.name] = Array.from({ length: lineup.games }, (_, seed) => digestGame(lineup, seed));
  }
  return out;
}
