// The bots decide exactly as before their speed-ups: seeded games must reproduce the recorded actions and events.

import assert from "node:assert/strict";
import { digestGame, type GameDigest, LINEUPS } from "./bot_fingerprint.ts";

// Recorded at commit e0e70a2 (the bots before optimisation) by fixtures/record_bot_decisions.ts.
const RECORDED: Record<string, GameDigest[]> = JSON.parse(
  Deno.readTextFileSync(new URL("./fixtures/bot_decisions.json", import.meta.url)),
);

for (const lineup of LINEUPS) {
  Deno.test(`${lineup.name}: ${lineup.games} seeded games take the recorded actions with the recorded events`, () => {
    const expected = RECORDED[lineup.name] ?? [];
    assert.equal(expected.length, lineup.games, "the fixture covers every game of the line-up");
    for (const want of expected) {
      const got = digestGame(lineup, want.seed);
      assert.deepEqual(got, want, `${lineup.name}, seed ${want.seed}: the game took a different course`);
    }
  });
}
