// The round's played pieces: views list every piece played this round in play order, at every step of a game.

import assert from "node:assert/strict";
import { botViewFor } from "../../src/game/bot_view.ts";
import type { Piece } from "../../src/game/pieces.ts";
import { viewFor } from "../../src/game/view.ts";
import { options, playBotGame } from "./helpers.ts";

// The state keeps earlier turns' pieces apart from the current turn's (GameState.playedBefore) and joins them
// only for a view, so this checks the join against the events themselves: every `player_played` since the
// round's last deal, in order, whether a turn is in progress, just resolved, or the round is being scored.
Deno.test("played_pieces is every piece played since the deal, in play order, and played_mask names the same ids", () => {
  const byPhase = new Map<string, number>();
  let longest = 0;
  for (const seed of [5, 23, 41]) {
    let played: Piece[] = [];
    playBotGame(options(seed), undefined, (step) => {
      for (const event of step.events) {
        if (event.type === "hands_dealt") played = [];
        if (event.type === "player_played") played = [...played, ...event.pieces];
      }
      const view = viewFor(step.after, "spectator");
      assert.deepEqual(view.played_pieces, played);
      let mask = 0;
      for (const p of played) mask |= 1 << p.id;
      for (const seat of [0, 1, 2, 3] as const) {
        const botView = botViewFor(step.after, seat);
        assert.equal(botView.played_mask, mask);
        assert.deepEqual(botView.played_pieces, played);
      }
      byPhase.set(step.after.phase, (byPhase.get(step.after.phase) ?? 0) + 1);
      longest = Math.max(longest, played.length);
    });
  }
  // Every phase in which pieces can be on the table was seen, and a full round's 32 pieces at least once.
  for (const phase of ["TURN", "TURN_RESULTS", "SCORING", "PREPARATION", "DECLARATION"]) {
    assert.ok((byPhase.get(phase) ?? 0) > 0, `no step ended in ${phase}`);
  }
  assert.equal(longest, 32);
});
