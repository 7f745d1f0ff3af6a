// The single entry point: createGame and apply(state, action). Pure: no I/O, no clock, no global randomness.

import { chooseBotAction } from "./bot.ts";
import { botViewFor } from "./bot_view.ts";
import { type GameError, gameError, GameErrorCode } from "./errors.ts";
import type { GameEvent } from "./events.ts";
import { beginDeclarations, decideRedeal, startRound } from "./phase_preparation.ts";
import { declare } from "./phase_declaration.ts";
import { afterScoring, afterTurnResults } from "./phase_scoring.ts";
import { play } from "./phase_turn.ts";
import { createRng, mixSeed, seedState } from "./prng.ts";
import { type Action, type GameOptions, type GameState, isSeat, type Seat } from "./state.ts";
import { waitingFor } from "./waiting.ts";
import { workingCopy } from "./working_copy.ts";

export { decidingSeats, waitingFor } from "./waiting.ts";

export const DEFAULT_TARGET_SCORE = 50;

export type ApplyResult = { ok: true; state: GameState; events: GameEvent[] } | {
  ok: false;
  error: GameError;
};

/** A new game in WAITING. The state is plain JSON data; nothing is dealt until `start`. */
export function createGame(options: GameOptions): GameState {
  const [a, b, c, d] = options.players;
  const player = (name: string) => ({
    name,
    score: 0,
    declared: null,
    captured: 0,
    zeroStreak: 0,
    turnsWon: 0,
    perfectRounds: 0,
  });
  return {
    options: {
      seed: options.seed,
      players: [a, b, c, d],
      targetScore: options.targetScore ?? DEFAULT_TARGET_SCORE,
      maxRounds: options.maxRounds ?? 0,
    },
    phase: "WAITING",
    rng: seedState(options.seed),
    round: 0,
    multiplier: 1,
    hands: [[], [], [], []],
    players: [player(a), player(b), player(c), player(d)],
    starter: null,
    starterReason: null,
    redeal: null,
    turn: null,
    lastTurn: null,
    lastTurnWinner: null,
    playedBefore: null,
    playedMask: 0,
    roundScores: null,
    result: null,
    actionCount: 0,
  };
}

/** Rejects actions for a phase that does not take them; WAITING gets GAME_NOT_STARTED. */
function wrongPhase(state: GameState, what: string): GameError {
  return state.phase === "WAITING"
    ? gameError(GameErrorCode.GAME_NOT_STARTED, "The game has not started")
    : gameError(GameErrorCode.INVALID_PHASE, `Cannot ${what} during ${state.phase}`);
}

/**
 * A timed-out seat: an undecided redeal counts as a decline; a declaration or play is the "normal" bot's
 * choice from that seat's own view, with a PRNG derived from (seed, action count, seat) so replays agree.
 */
function timeout(next: GameState, seat: Seat, events: GameEvent[]): GameError | null {
  const waiting = waitingFor(next);
  if (waiting.kind === "redeal") return decideRedeal(next, seat, false, true, events);
  if (waiting.kind === "declare" || waiting.kind === "play") {
    if (waiting.seat !== seat) {
      return gameError(GameErrorCode.NOT_YOUR_TURN, `It is not ${next.options.players[seat]}'s move`);
    }
    const rng = createRng(mixSeed(next.options.seed, next.actionCount, seat));
    const choice = chooseBotAction(botViewFor(next, seat, waiting), "normal", rng);
    if (choice.type === "declare") return declare(next, seat, choice.value, true, events);
    if (choice.type === "play") return play(next, seat, choice.pieceIds, true, events);
  }
  return wrongPhase(next, "time out");
}

/** Carries out `action` on apply()'s working copy `next`, appending its events; an error leaves both unused. */
function dispatch(next: GameState, action: Action, events: GameEvent[]): GameError | null {
  const phase = next.phase;
  switch (action.type) {
    case "start":
      if (phase !== "WAITING") return gameError(GameErrorCode.INVALID_PHASE, "The game has already started");
      startRound(next, 1, events);
      return null;
    case "redeal_decision":
      if (phase !== "PREPARATION") return wrongPhase(next, "decide on a redeal");
      if (typeof action.accept !== "boolean") {
        return gameError(GameErrorCode.INVALID_ACTION, "accept must be true or false");
      }
      return decideRedeal(next, action.seat, action.accept, false, events);
    case "declare":
      return phase === "DECLARATION"
        ? declare(next, action.seat, action.value, false, events)
        : wrongPhase(next, "declare");
    case "play":
      return phase === "TURN"
        ? play(next, action.seat, action.pieceIds, false, events)
        : wrongPhase(next, "play");
    case "advance": {
      const waiting = waitingFor(next);
      if (waiting.kind !== "advance") return wrongPhase(next, "advance");
      if (waiting.after === "deal") beginDeclarations(next, events);
      else if (waiting.after === "turn") afterTurnResults(next, events);
      else afterScoring(next, events);
      return null;
    }
    case "timeout":
      return timeout(next, action.seat, events);
    default:
      return gameError(GameErrorCode.INVALID_ACTION, "Unknown action");
  }
}

/**
 * Applies one action. Returns the next state and the public events to broadcast, or an error value with a
 * stable code; it never throws for a rule violation and never mutates `state` (states share unchanged parts).
 * The next state is built once: a private working copy of `state` that the phase functions fill in.
 */
export function apply(state: GameState, action: Action): ApplyResult {
  if (typeof action !== "object" || action === null) {
    return { ok: false, error: gameError(GameErrorCode.INVALID_ACTION, "An action must be an object") };
  }
  if ("seat" in action && !isSeat(action.seat)) {
    return { ok: false, error: gameError(GameErrorCode.INVALID_ACTION, "seat must be 0, 1, 2 or 3") };
  }
  const next = workingCopy(state);
  const events: GameEvent[] = [];
  const error = dispatch(next, action, events);
  if (error) return { ok: false, error };
  next.actionCount = state.actionCount + 1;
  return { ok: true, state: next, events };
}
