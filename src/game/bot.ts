// Bot players: choose a legal action from a seat's view only (never from hidden state). Pure: no I/O.

import { estimatePiles, nearestAllowed } from "./bot_declare.ts";
import { choosePlay } from "./bot_play.ts";
import { legalDeclarations, legalPlays } from "./legal_moves.ts";
import { random, randomInt, type Rng } from "./prng.ts";
import type { Action, Seat } from "./state.ts";
import type { BotView } from "./bot_view.ts";

/** "easy" picks uniformly among legal moves; "normal" follows the strategy of rules section 7. */
export type BotDifficulty = "easy" | "normal";

/**
 * The reference's redeal habit: accept 80% of the time, but only 40% late in the game (round > 10) when
 * already more than 10 points ahead of everyone, since a redeal multiplies everybody's swing.
 */
function acceptsRedeal(view: BotView, seat: Seat, rng: Rng): boolean {
  const me = view.players[seat];
  let comfortable = view.round > 10 && me !== undefined;
  for (const p of view.players) {
    if (me !== undefined && p.seat !== seat && me.score - p.score <= 10) comfortable = false;
  }
  return random(rng) < (comfortable ? 0.4 : 0.8);
}

function pick<T>(items: readonly T[], rng: Rng): T | undefined {
  return items[randomInt(rng, items.length)];
}

/**
 * The action a bot takes for the seat `view` belongs to. It reads nothing but the view, always returns a
 * legal action, and advances `rng` in place (the only thing it changes). Throws when the view's seat has
 * nothing to decide: asking a bot to move out of turn is a caller bug, not a rule violation.
 */
export function chooseBotAction(view: BotView, difficulty: BotDifficulty, rng: Rng): Action {
  const seat = view.seat;
  if (seat === null) throw new Error("chooseBotAction needs a seat's view, not a spectator's");
  const waiting = view.waiting;
  if (waiting.kind === "redeal" && waiting.seats.includes(seat)) {
    const accept = difficulty === "easy" ? random(rng) < 0.5 : acceptsRedeal(view, seat, rng);
    return { type: "redeal_decision", seat, accept };
  }
  if (waiting.kind === "declare" && waiting.seat === seat) {
    const allowed = legalDeclarations(view, seat);
    const value = difficulty === "easy" ? pick(allowed, rng) : nearestAllowed(estimatePiles(view), allowed);
    return { type: "declare", seat, value: value ?? 0 };
  }
  if (waiting.kind === "play" && waiting.seat === seat) {
    if (difficulty === "easy") {
      return { type: "play", seat, pieceIds: pick(legalPlays(view, seat), rng) ?? [] };
    }
    return { type: "play", seat, pieceIds: choosePlay(view, rng) };
  }
  throw new Error(`Seat ${seat} has nothing to decide (waiting for ${waiting.kind})`);
}
