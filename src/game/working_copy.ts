// apply()'s private working copy of a state, and the copies of the parts it replaces. Pure: no I/O.

// apply() builds each next state once: it copies the input's top level here, the phase functions assign that
// copy's fields and replace (never change) anything it still shares with the input, and the copy is what apply()
// returns. Spreading the state in every phase function was most of an action's garbage. One literal, in one
// field order, also gives every state the same shape, so the engine's property reads stay monomorphic.

import type { Four, GameState, Seat } from "./state.ts";

/** A shallow copy of `state`: fresh top-level fields, every nested value still shared with `state`. */
export function workingCopy(state: GameState): GameState {
  return {
    options: state.options,
    phase: state.phase,
    rng: state.rng,
    round: state.round,
    multiplier: state.multiplier,
    hands: state.hands,
    players: state.players,
    starter: state.starter,
    starterReason: state.starterReason,
    redeal: state.redeal,
    turn: state.turn,
    lastTurn: state.lastTurn,
    lastTurnWinner: state.lastTurnWinner,
    playedBefore: state.playedBefore,
    playedMask: state.playedMask,
    roundScores: state.roundScores,
    result: state.result,
    actionCount: state.actionCount,
  };
}

/**
 * A new array of `list` followed by `item`. Sized up front: `concat()` takes V8's generic path, and `slice()`
 * followed by `push()` grows (reallocates) the copy at once.
 */
export function withItem<T>(list: readonly T[], item: T): T[] {
  const out = new Array<T>(list.length + 1);
  for (let i = 0; i < list.length; i++) out[i] = list[i] as T;
  out[list.length] = item;
  return out;
}

/** The names of the four seats of `order`, as events list them. A literal: `map()` is slow in JavaScriptCore. */
export function seatNames(names: Four<string>, order: Four<Seat>): string[] {
  return [names[order[0]], names[order[1]], names[order[2]], names[order[3]]];
}
