// Rebuilding a game from its options (seed included) and its accepted actions. Pure: no I/O.

import { apply, createGame } from "./engine.ts";
import type { Action, GameOptions, GameState } from "./state.ts";

/**
 * Replays `actions` from a fresh game. Every action must have been accepted originally, so a rejection here
 * means the log or the engine changed: that is corruption, not a rule violation, and it throws.
 */
export function replay(options: GameOptions, actions: readonly Action[]): GameState {
  let state = createGame(options);
  actions.forEach((action, i) => {
    const result = apply(state, action);
    if (!result.ok) {
      throw new Error(`Replay diverged at action ${i}: ${result.error.code} ${result.error.message}`);
    }
    state = result.state;
  });
  return state;
}
