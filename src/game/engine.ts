// The single entry point: createGame and apply(state, action). Pure: no I/O, no clock, no global randomness.

import { chooseBotAction } from "./bot.ts";
import { botViewFor } from "./bot_view.ts";
import { type GameError, gameError, GameErrorCode } from "./errors.ts";
import type { GameEvent, Step } from "./events.ts";
import { beginDeclarations, decideRedeal, startRound } from "./phase_preparation.ts";
import { declare } from "./phase_declaration.ts";
import { afterScoring, afterTurnResults } from "./phase_scoring.ts";
import { play } from "./phase_turn.ts";
import { createRng, mixSeed, seedState } from "./prng.ts";
import { type Action, type GameOptions, type GameState, isSeat, type Seat } from "./state.ts";
import { waitingFor } from "./waiting.ts";

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
    played: [],
    roundScores: null,
    result: null,
    actionCount: 0,
  };
}

function isError(result: Step | GameError): result is GameError {
  return "code" in result;
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
function timeout(state: GameState, seat: Seat): Step | GameError {
  const waiting = waitingFor(state);
  if (waiting.kind === "redeal") return decideRedeal(state, seat, false, true);
  if (waiting.kind === "declare" || waiting.kind === "play") {
    if (waiting.seat !== seat) {
      return gameError(GameErrorCode.NOT_YOUR_TURN, `It is not ${state.options.players[seat]}'s move`);
    }
    const rng = createRng(mixSeed(state.options.seed, state.actionCount, seat));
    const choice = chooseBotAction(botViewFor(state, seat), "normal", rng);
    if (choice.type === "declare") return declare(state, seat, choice.value, true);
    if (choice.type === "play") return play(state, seat, choice.pieceIds, true);
  }
  return wrongPhase(state, "time out");
}

function dispatch(state: GameState, action: Action): Step | GameError {
  const phase = state.phase;
  switch (action.type) {
    case "start":
      return phase === "WAITING"
        ? startRound(state, 1)
        : gameError(GameErrorCode.INVALID_PHASE, "The game has already started");
    case "redeal_decision":
      if (phase !== "PREPARATION") return wrongPhase(state, "decide on a redeal");
      if (typeof action.accept !== "boolean") {
        return gameError(GameErrorCode.INVALID_ACTION, "accept must be true or false");
      }
      return decideRedeal(state, action.seat, action.accept, false);
    case "declare":
      return phase === "DECLARATION"
        ? declare(state, action.seat, action.value, false)
        : wrongPhase(state, "declare");
    case "play":
      return phase === "TURN" ? play(state, action.seat, action.pieceIds, false) : wrongPhase(state, "play");
    case "advance": {
      const waiting = waitingFor(state);
      if (waiting.kind !== "advance") return wrongPhase(state, "advance");
      if (waiting.after === "deal") return beginDeclarations(state);
      return waiting.after === "turn" ? afterTurnResults(state) : afterScoring(state);
    }
    case "timeout":
      return timeout(state, action.seat);
    default:
      return gameError(GameErrorCode.INVALID_ACTION, "Unknown action");
  }
}

/**
 * Applies one action. Returns the next state and the public events to broadcast, or an error value with a
 * stable code; it never throws for a rule violation and never mutates `state` (states share unchanged parts).
 */
export function apply(state: GameState, action: Action): ApplyResult {
  if (typeof action !== "object" || action === null) {
    return { ok: false, error: gameError(GameErrorCode.INVALID_ACTION, "An action must be an object") };
  }
  if ("seat" in action && !isSeat(action.seat)) {
    return { ok: false, error: gameError(GameErrorCode.INVALID_ACTION, "seat must be 0, 1, 2 or 3") };
  }
  const result = dispatch(state, action);
  if (isError(result)) return { ok: false, error: result };
  return { ok: true, state: { ...result.state, actionCount: state.actionCount + 1 }, events: result.events };
}
