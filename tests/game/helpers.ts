// Shared test helpers: pieces by name, deep freezing, and seeded bot-only games driven through the public API.

import { type BotDifficulty, chooseBotAction } from "../../src/game/bot.ts";
import { botViewFor } from "../../src/game/bot_view.ts";
import type { GameEvent } from "../../src/game/events.ts";
import { apply, type ApplyResult, createGame, waitingFor } from "../../src/game/engine.ts";
import { DECK, type Piece, type PieceColor, type PieceKind } from "../../src/game/pieces.ts";
import { createRng } from "../../src/game/prng.ts";
import type { Action, GameOptions, GameState, Seat } from "../../src/game/state.ts";

export const NAMES = ["Ann", "Bo", "Cy", "Di"] as const;

/** The `copy`-th piece of a kind and colour from the deck, e.g. piece("HORSE", "RED", 1). */
export function piece(kind: PieceKind, color: PieceColor, copy = 0): Piece {
  const found = DECK.filter((p) => p.kind === kind && p.color === color)[copy];
  if (!found) throw new Error(`No copy ${copy} of ${kind}_${color}`);
  return found;
}

/** Parses "HR HR CB" style shorthand: kind initial (G A E C H N S for cannon=N) + colour initial; copies in order. */
export function pieces(spec: string): Piece[] {
  const kinds: Record<string, PieceKind> = {
    G: "GENERAL",
    A: "ADVISOR",
    E: "ELEPHANT",
    C: "CHARIOT",
    H: "HORSE",
    N: "CANNON",
    S: "SOLDIER",
  };
  const used = new Map<string, number>();
  return spec.split(/\s+/).filter(Boolean).map((code) => {
    const kind = kinds[code[0] ?? ""];
    const color: PieceColor = code[1] === "R" ? "RED" : "BLACK";
    if (!kind) throw new Error(`Bad piece code ${code}`);
    const copy = used.get(code) ?? 0;
    used.set(code, copy + 1);
    return piece(kind, color, copy);
  });
}

/** Freezes an object graph so any mutation inside the engine throws in strict mode. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Applies an action that must be accepted, returning the result. */
export function mustApply(state: GameState, action: Action): Extract<ApplyResult, { ok: true }> {
  const result = apply(state, action);
  if (!result.ok) {
    throw new Error(`Rejected ${JSON.stringify(action)}: ${result.error.code} ${result.error.message}`);
  }
  return result;
}

export function options(seed: number, extra: Partial<GameOptions> = {}): GameOptions {
  return { seed, players: NAMES, ...extra };
}

/** The seat whose decision is pending (for redeal: the first undecided), or null for start/advance/over. */
export function actingSeat(state: GameState): Seat | null {
  const w = waitingFor(state);
  if (w.kind === "redeal") return w.seats[0] ?? null;
  return w.kind === "declare" || w.kind === "play" ? w.seat : null;
}

/** The next action of a bot-only game: start/advance by the "room", decisions by seat bots from their views. */
export function nextBotAction(
  state: GameState,
  difficulties: readonly BotDifficulty[],
  rng: ReturnType<typeof createRng>,
): Action | null {
  const w = waitingFor(state);
  if (w.kind === "over") return null;
  if (w.kind === "start") return { type: "start" };
  if (w.kind === "advance") return { type: "advance" };
  const seat = w.kind === "redeal" ? w.seats[0] ?? 0 : w.seat;
  return chooseBotAction(botViewFor(state, seat, w), difficulties[seat] ?? "normal", rng);
}

export interface Step {
  before: GameState;
  action: Action;
  after: GameState;
  events: GameEvent[];
}

/** Plays a whole bot-only game, reporting every accepted step; throws if a bot ever makes an illegal move. */
export function playBotGame(
  gameOptions: GameOptions,
  difficulties: readonly BotDifficulty[] = ["normal", "normal", "normal", "normal"],
  onStep?: (step: Step) => void,
): { state: GameState; actions: Action[] } {
  let state = createGame(gameOptions);
  const rng = createRng(gameOptions.seed * 31 + 7);
  const actions: Action[] = [];
  for (
    let action = nextBotAction(state, difficulties, rng);
    action;
    action = nextBotAction(state, difficulties, rng)
  ) {
    const result = mustApply(state, action);
    onStep?.({ before: state, action, after: result.state, events: result.events });
    state = result.state;
    actions.push(action);
  }
  return { state, actions };
}

/** Drives a bot game until `stop` holds (checked before each action); null if the game ended first. */
export function playUntil(
  gameOptions: GameOptions,
  stop: (state: GameState) => boolean,
  difficulties: readonly BotDifficulty[] = ["normal", "normal", "normal", "normal"],
): GameState | null {
  let state = createGame(gameOptions);
  const rng = createRng(gameOptions.seed);
  while (!stop(state)) {
    const action = nextBotAction(state, difficulties, rng);
    if (!action) return null;
    state = mustApply(state, action).state;
  }
  return state;
}
