// Bot quality: over 2,000 seeded games "normal" bots must clearly beat "easy" (random legal) bots.

import assert from "node:assert/strict";
import type { BotDifficulty } from "../../src/game/bot.ts";
import { viewFor } from "../../src/game/view.ts";
import { options, playBotGame } from "./helpers.ts";

const GAMES = 2000;

// Measured at 2,000 games (seeds 0-1999): the normal side wins 100.0% of games and its bots finish 77.6 points
// ahead of the easy ones on average. The thresholds leave a wide margin for strategy tweaks while still failing if "normal" stops
// being clearly better than random.
const MIN_WIN_RATE = 0.9;
const MIN_SCORE_GAP = 40;

Deno.test(`over ${GAMES} seeded games, normal bots beat easy bots by a clear margin`, () => {
  let normalWins = 0;
  let gapSum = 0;
  for (let seed = 0; seed < GAMES; seed++) {
    // Two normal bots against two easy bots, on alternating seat pairs so seat order cannot favour either.
    const normalSeats = seed % 2 === 0 ? [0, 2] : [1, 3];
    const bots: BotDifficulty[] = [0, 1, 2, 3].map((s) => (normalSeats.includes(s) ? "normal" : "easy"));
    const { state } = playBotGame(options(seed), bots);
    const view = viewFor(state, "spectator");
    const winners = view.result?.winner_seats ?? [];
    // A shared win counts for the normal side in proportion to its share of the winners.
    normalWins += winners.filter((s) => normalSeats.includes(s)).length / Math.max(1, winners.length);
    const mean = (seats: number[]) => seats.reduce((sum, s) => sum + (view.players[s]?.score ?? 0), 0) / 2;
    gapSum += mean(normalSeats) - mean([0, 1, 2, 3].filter((s) => !normalSeats.includes(s)));
  }
  const winRate = normalWins / GAMES;
  const gap = gapSum / GAMES;
  console.log(
    `normal vs easy over ${GAMES} games: normal win rate ${(winRate * 100).toFixed(1)}%, ` +
      `average score gap ${gap.toFixed(1)} points`,
  );
  assert.ok(winRate >= MIN_WIN_RATE, `win rate ${winRate}`);
  assert.ok(gap >= MIN_SCORE_GAP, `score gap ${gap}`);
});
