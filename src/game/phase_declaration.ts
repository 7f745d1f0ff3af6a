// DECLARATION: each seat, in rotation from the round starter, declares its piles. Pure: no I/O.

import { allowedDeclarations, declarationProblem } from "./declarations.ts";
import { type GameError, gameError, GameErrorCode } from "./errors.ts";
import type { GameEvent } from "./events.ts";
import { type GameState, type Seat, withSeat } from "./state.ts";
import { currentDeclarer } from "./waiting.ts";
import { beginTurn } from "./phase_turn.ts";

/** Sum of the declarations made so far this round. */
export function declarationTotal(state: GameState): number {
  const players = state.players;
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += players[i as Seat].declared ?? 0;
  return sum;
}

/** How many seats have declared this round. Counted, not filtered: `filter()` is slow in JavaScriptCore. */
function declaredCount(state: GameState): number {
  const players = state.players;
  let made = 0;
  for (let i = 0; i < 4; i++) if (players[i as Seat].declared !== null) made++;
  return made;
}

/** Facts the declaration constraints need for `seat`, shared with legal_moves. */
export function declarationContext(state: GameState, seat: Seat) {
  const made = declaredCount(state);
  return {
    totalSoFar: declarationTotal(state),
    isLast: made === 3,
    zeroStreak: state.players[seat].zeroStreak,
  };
}

/** Values `seat` may declare now (empty when it is not that seat's declaration). */
export function declarationsFor(state: GameState, seat: Seat): number[] {
  if (currentDeclarer(state) !== seat) return [];
  const { totalSoFar, isLast, zeroStreak } = declarationContext(state, seat);
  return allowedDeclarations(totalSoFar, isLast, zeroStreak);
}

/**
 * Records a declaration in apply()'s working copy `next`; after the fourth, turn 1 begins with the round
 * starter.
 */
export function declare(
  next: GameState,
  seat: Seat,
  value: number,
  timedOut: boolean,
  events: GameEvent[],
): GameError | null {
  const due = currentDeclarer(next);
  const names = next.options.players;
  if (due !== seat) {
    return gameError(
      GameErrorCode.NOT_YOUR_TURN,
      due === null ? "Nobody is declaring" : `It is ${names[due]}'s turn`,
    );
  }
  const { totalSoFar, isLast, zeroStreak } = declarationContext(next, seat);
  const problem = declarationProblem(value, totalSoFar, isLast, zeroStreak);
  if (problem !== null) return gameError(GameErrorCode.INVALID_DECLARATION, problem);

  const player = next.players[seat];
  next.players = withSeat(next.players, seat, {
    name: player.name,
    score: player.score,
    declared: value,
    captured: player.captured,
    zeroStreak: value === 0 ? player.zeroStreak + 1 : 0,
    turnsWon: player.turnsWon,
    perfectRounds: player.perfectRounds,
  });
  events.push({
    type: "player_declared",
    seat,
    player: names[seat],
    value,
    total: totalSoFar + value,
    timed_out: timedOut,
  });
  if (currentDeclarer(next) === null) beginTurn(next, 1, next.starter ?? seat, events);
  return null;
}
