// Table-driven tests for play classification, strength and turn resolution.

import assert from "node:assert/strict";
import { DECK } from "../../src/game/pieces.ts";
import { beats, classify, PlayType, rate, strength, winningIndex } from "../../src/game/play_types.ts";
import { pieces } from "./helpers.ts";

// The rules file says 248 points, but its own table sums to 192 (27 + 46 + 38 + 30 + 22 + 14 + 15).
Deno.test("the deck holds 32 pieces, 16 per colour, worth 192 points, with ids 0-31 in order", () => {
  assert.equal(DECK.length, 32);
  assert.equal(DECK.filter((p) => p.color === "RED").length, 16);
  assert.equal(DECK.reduce((s, p) => s + p.points, 0), 192);
  assert.deepEqual(DECK.map((p) => p.id), [...Array(32).keys()]);
  assert.deepEqual(DECK[0], { id: 0, kind: "GENERAL", color: "RED", points: 14 });
});

const VALID: [string, string, PlayType, number][] = [
  ["any single piece", "SB", PlayType.SINGLE, 1],
  ["a general alone is a single", "GR", PlayType.SINGLE, 14],
  ["a pair of red horses", "HR HR", PlayType.PAIR, 12],
  ["a pair of black soldiers", "SB SB", PlayType.PAIR, 2],
  ["a pair of red advisors", "AR AR", PlayType.PAIR, 24],
  ["three red soldiers", "SR SR SR", PlayType.THREE_OF_A_KIND, 6],
  ["a red general-advisor-elephant straight", "GR AR ER", PlayType.STRAIGHT, 36],
  ["a black chariot-horse-cannon straight", "CB HB NB", PlayType.STRAIGHT, 15],
  ["four black soldiers", "SB SB SB SB", PlayType.FOUR_OF_A_KIND, 4],
  ["an extended straight with two horses (core sum)", "CR HR HR NR", PlayType.EXTENDED_STRAIGHT, 18],
  ["an extended straight with two advisors", "GB AB AB EB", PlayType.EXTENDED_STRAIGHT, 33],
  ["an extended straight with two elephants", "GR AR ER ER", PlayType.EXTENDED_STRAIGHT, 36],
  ["a five-piece extended straight", "GR AR AR ER ER", PlayType.EXTENDED_STRAIGHT_5, 36],
  ["a five-piece low extended straight", "CB CB HB NB NB", PlayType.EXTENDED_STRAIGHT_5, 15],
  ["five red soldiers", "SR SR SR SR SR", PlayType.FIVE_OF_A_KIND, 10],
  ["a red double straight", "CR CR HR HR NR NR", PlayType.DOUBLE_STRAIGHT, 36],
  ["a black double straight", "CB CB HB HB NB NB", PlayType.DOUBLE_STRAIGHT, 30],
];

for (const [name, spec, type, expected] of VALID) {
  Deno.test(`classify() recognises ${name} as ${type} with strength ${expected}`, () => {
    const play = pieces(spec);
    assert.equal(classify(play), type);
    assert.equal(strength(play), expected);
    // Order never matters.
    assert.equal(classify(play.slice().reverse()), type);
  });
}

const INVALID: [string, string][] = [
  ["no pieces at all", ""],
  ["a pair of different colours", "HR HB"],
  ["a pair of different names", "HR CR"],
  ["the two generals (they can never pair)", "GR GB"],
  ["three soldiers of mixed colours", "SR SR SB"],
  ["a straight of mixed colours", "GR AR EB"],
  ["a straight mixing the two groups", "ER CR HR"],
  ["three horses", "HR HR HB"],
  ["two advisors and an elephant (not one of each)", "AR AR ER"],
  ["four soldiers of mixed colours", "SR SR SR SB"],
  ["four pieces with counts 2,2 and a missing name", "CR CR HR HR"],
  ["an extended straight of mixed colours", "CR HR HB NR"],
  ["four pieces where one is outside the group", "CR HR NR SR"],
  ["five pieces with a name missing", "CR CR HR HR SR"],
  ["five pieces mixing the two groups", "AR AR ER ER CR"],
  ["five soldiers of mixed colours", "SR SR SR SR SB"],
  ["six pieces that are not a double straight", "CR CR HR HR NR SR"],
  ["six red soldiers-and-cannons", "SR SR SR SR SR NR"],
  ["a double straight of mixed colours", "CR CR HR HR NR NB"],
  ["a six-piece high group", "GR AR AR ER ER SR"],
  ["seven pieces", "SR SR SR SR SR NR NR"],
];

for (const [name, spec] of INVALID) {
  Deno.test(`classify() rejects ${name} as INVALID`, () => {
    assert.equal(classify(pieces(spec)), PlayType.INVALID);
  });
}

Deno.test("winningIndex() gives the rules' single example to GENERAL_BLACK", () => {
  const plays = ["AB", "SR", "AR", "GB"].map((s) => rate(pieces(s)));
  assert.equal(winningIndex(plays), 3);
});

Deno.test("winningIndex() gives the rules' pair example to the starter, since a stronger non-pair never wins", () => {
  const plays = [pieces("HB HB"), pieces("SR SR"), pieces("CR HR"), pieces("SB SB")].map((p) => rate(p));
  assert.equal(plays[2]?.type, PlayType.INVALID);
  assert.equal(winningIndex(plays), 0);
});

const RESOLUTION: [string, string[], number][] = [
  ["ties go to the starter", ["HR", "HR", "SB", "SB"], 0],
  ["ties between responders go to the earlier one", ["SB", "CR", "CR", "SR"], 1],
  ["a later stronger play replaces the current best", ["SB", "SR", "NB", "NR"], 3],
  ["a different valid type of the same count never wins", [
    "SR SR SR SR",
    "CR HR HR NR",
    "SB SB SB SB",
    "SB NB NB SB",
  ], 0],
  ["an invalid forfeit never wins however many points", ["SB SB", "GR AR", "SR SR", "HB CB"], 2],
  ["extended straights compare by core sum, not total", [
    "CB HB HB NB",
    "CB CB HB NB",
    "CR HR NR NR",
    "CB HB NB NB",
  ], 2],
  ["an equal core sum does not beat the starter", [
    "CB HB HB NB",
    "CB CB HB NB",
    "SR SR SR SR",
    "CB HB NB NB",
  ], 0],
];

for (const [name, specs, winner] of RESOLUTION) {
  Deno.test(`winningIndex(): ${name}`, () => {
    assert.equal(winningIndex(specs.map((s) => rate(pieces(s)))), winner);
  });
}

Deno.test("beats() never lets an INVALID play beat another INVALID play", () => {
  assert.equal(beats(rate(pieces("GR AR")), rate(pieces("SB HB"))), false);
});
