// Table-driven tests for the scoring formula, multipliers, perfect rounds and the end-of-game rule.

import assert from "node:assert/strict";
import { baseScore, finalResult, isGameOver, isPerfect, scoreRound } from "../../src/game/scoring.ts";
import type { Four, PlayerState } from "../../src/game/state.ts";

const CASES: [string, number, number, number][] = [
  ["declared 0 and captured 0 scores +3", 0, 0, 3],
  ["declared 0 but captured 2 loses 2", 0, 2, -2],
  ["declared 0 but captured 8 loses 8", 0, 8, -8],
  ["an exact hit of 1 scores 6", 1, 1, 6],
  ["an exact hit of 3 scores 8", 3, 3, 8],
  ["an exact hit of 8 scores 13", 8, 8, 13],
  ["capturing 1 fewer than declared loses 1", 3, 2, -1],
  ["capturing 3 more than declared loses 3", 2, 5, -3],
  ["declared 4 and captured 0 loses 4", 4, 0, -4],
];

for (const [name, declared, actual, expected] of CASES) {
  Deno.test(`baseScore(): ${name}`, () => {
    assert.equal(baseScore(declared, actual), expected);
  });
  for (const multiplier of [1, 2, 3]) {
    Deno.test(`scoreRound(): ${name}, times a redeal multiplier of ${multiplier}`, () => {
      const players = fourPlayers((i) => ({ score: 10 * i, declared, captured: actual }));
      const scores = scoreRound(players, multiplier);
      for (const [i, s] of scores.entries()) {
        assert.equal(s.baseScore, expected);
        assert.equal(s.finalScore, expected * multiplier);
        assert.equal(s.totalScore, 10 * i + expected * multiplier);
        assert.equal(s.multiplier, multiplier);
      }
    });
  }
}

Deno.test("isPerfect() counts exact non-zero hits only", () => {
  assert.equal(isPerfect(3, 3), true);
  assert.equal(isPerfect(0, 0), false);
  assert.equal(isPerfect(3, 2), false);
});

function fourPlayers(make: (i: number) => Partial<PlayerState>): Four<PlayerState> {
  const one = (i: number): PlayerState => ({
    name: `P${i}`,
    score: 0,
    declared: 0,
    captured: 0,
    zeroStreak: 0,
    turnsWon: 0,
    perfectRounds: 0,
    ...make(i),
  });
  return [one(0), one(1), one(2), one(3)];
}

const ENDINGS: [string, number[], number, number, number, boolean][] = [
  ["nobody at the target: the game goes on", [49, 10, -5, 0], 3, 50, 0, false],
  ["exactly the target ends the game", [50, 10, -5, 0], 3, 50, 0, true],
  ["passing the target ends the game", [12, 61, -5, 0], 3, 50, 0, true],
  ["a lower configured target ends it sooner", [12, 20, -5, 0], 3, 20, 0, true],
  ["the round cap ends the game at that round", [1, 2, 3, 4], 5, 50, 5, true],
  ["before the round cap the game goes on", [1, 2, 3, 4], 4, 50, 5, false],
  ["a round cap of 0 means none", [1, 2, 3, 4], 500, 50, 0, false],
];

for (const [name, scores, round, target, maxRounds, over] of ENDINGS) {
  Deno.test(`isGameOver(): ${name}`, () => {
    assert.equal(isGameOver(scores, round, target, maxRounds), over);
  });
}

Deno.test("finalResult() shares the win between tied leaders and ranks equal scores by seat", () => {
  const result = finalResult(fourPlayers((i) => ({ score: [40, 55, 12, 55][i] ?? 0, turnsWon: i })));
  assert.deepEqual(result.winners, [1, 3]);
  assert.deepEqual(result.rankings.map((r) => [r.seat, r.rank, r.score]), [
    [1, 1, 55],
    [3, 2, 55],
    [0, 3, 40],
    [
      2,
      4,
      12,
    ],
  ]);
  assert.equal(result.rankings[0]?.turnsWon, 1);
});

Deno.test("finalResult() gives a single winner when one total is highest, even below the target", () => {
  const result = finalResult(fourPlayers((i) => ({ score: [-4, 3, 2, -10][i] ?? 0 })));
  assert.deepEqual(result.winners, [1]);
});
