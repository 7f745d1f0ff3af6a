// handCombos lists exactly the subsets classify() accepts, with their strengths, in forEachSubset's order.

import assert from "node:assert/strict";
import { handCombos, idsOf, subsetMasks } from "../../src/game/hand_masks.ts";
import { forEachSubset } from "../../src/game/legal_moves.ts";
import { DECK, type Piece } from "../../src/game/pieces.ts";
import { classify, MAX_PLAY_SIZE, PlayType, strength } from "../../src/game/play_types.ts";
import { createRng, shuffle } from "../../src/game/prng.ts";
import { pieces } from "./helpers.ts";

/** What the bots listed before bitmasks: every subset of 1–6 pieces, classified one by one. */
function classifiedSubsets(hand: readonly Piece[]): { ids: number[]; type: PlayType; strength: number }[] {
  const out: { ids: number[]; type: PlayType; strength: number }[] = [];
  for (let k = 1; k <= Math.min(MAX_PLAY_SIZE, hand.length); k++) {
    forEachSubset(hand, k, (subset) => {
      const type = classify(subset);
      if (type !== PlayType.INVALID) {
        out.push({ ids: subset.map((p) => p.id), type, strength: strength(subset, type) });
      }
    });
  }
  return out;
}

function listed(hand: readonly Piece[]) {
  return handCombos(hand).map((c) => ({
    ids: idsOf(c.mask),
    type: c.type,
    strength: c.strength,
  }));
}

Deno.test("handCombos agrees with classifying every subset on 3,000 seeded hands of 0 to 8 pieces", () => {
  let rng = createRng(42).state;
  let multiPiece = 0;
  for (let i = 0; i < 3000; i++) {
    const [deck, next] = shuffle(DECK, rng);
    rng = next;
    const hand = deck.slice(0, i % 9).sort((a, b) => a.id - b.id);
    const expected = classifiedSubsets(hand);
    multiPiece += expected.filter((c) => c.ids.length > 1).length;
    assert.deepEqual(listed(hand), expected, `hand ${hand.map((p) => p.id).join(",")}`);
  }
  assert.ok(multiPiece > 1000, `the hands held ${multiPiece} multi-piece plays`);
});

Deno.test("handCombos finds double straights, five soldiers and extended straights in crafted hands", () => {
  for (const spec of ["CR CR HR HR NR NR SR SR", "SB SB SB SB SB GB AB EB", "GR AR AR ER ER SR SB CB"]) {
    const hand = pieces(spec).sort((a, b) => a.id - b.id);
    assert.deepEqual(listed(hand), classifiedSubsets(hand), spec);
  }
});

Deno.test("subsetMasks lists every k-subset in forEachSubset's order", () => {
  const items = [0, 1, 2, 3, 4, 5, 6, 7];
  for (let n = 0; n <= 8; n++) {
    for (let k = 1; k <= n; k++) {
      const expected: number[] = [];
      forEachSubset(
        items.slice(0, n),
        k,
        (subset) => expected.push(subset.reduce((m, i) => m | (1 << i), 0)),
      );
      assert.deepEqual(subsetMasks(n, k), expected, `n=${n} k=${k}`);
    }
  }
});
