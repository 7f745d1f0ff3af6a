// PREPARATION: the deal, weak hands, simultaneous redeal decisions, the round starter. Pure: no I/O.

import { type GameError, gameError, GameErrorCode } from "./errors.ts";
import type { Step } from "./events.ts";
import { deal, isWeakHand } from "./pieces.ts";
import { type Four, type GameState, rotation, type Seat, SEATS, withSeat } from "./state.ts";
import { presumptiveStarter, undecidedSeats } from "./waiting.ts";

const NO_DECISIONS: Four<boolean | null> = [null, null, null, null];

/**
 * Deals a fresh round (or a redeal of the current one) and looks for weak hands. Declarations and piles are
 * reset; the multiplier and any redeal accepter are whatever `state` already says.
 */
export function dealHands(state: GameState, phaseData: Record<string, unknown> = {}): Step {
  const [hands, rng] = deal(state.rng);
  const players = state.players.map((p) => ({ ...p, declared: null, captured: 0 })) as GameState["players"];
  const weak = SEATS.filter((s) => isWeakHand(hands[s]));
  const next: GameState = {
    ...state,
    phase: "PREPARATION",
    rng,
    hands,
    players,
    redeal: { weak, decisions: NO_DECISIONS, accepter: state.redeal?.accepter ?? null },
    turn: null,
    lastTurn: null,
    played: [],
    roundScores: null,
  };
  // The starter is not announced yet: in round 1 it would reveal who holds GENERAL_RED.
  return {
    state: next,
    events: [
      {
        type: "phase_change",
        phase: "PREPARATION",
        round: next.round,
        redeal_multiplier: next.multiplier,
        weak_seats: weak,
        weak_players: weak.map((s) => next.options.players[s]),
        ...phaseData,
      },
      { type: "hands_dealt", round: next.round, redeal_multiplier: next.multiplier },
    ],
  };
}

/** Starts round `round` with multiplier 1 and no redeal history. */
export function startRound(state: GameState, round: number): Step {
  return dealHands({ ...state, round, multiplier: 1, redeal: null, starter: null, starterReason: null });
}

/**
 * Records one weak seat's redeal decision. Once every weak seat has decided, the first accepter in play order
 * (from the presumptive starter) becomes the starter, the multiplier goes up by one and everything is dealt
 * again; if all declined, the current hands stand and the game waits for the "deal" display pause.
 */
export function decideRedeal(
  state: GameState,
  seat: Seat,
  accept: boolean,
  timedOut: boolean,
): Step | GameError {
  const redeal = state.redeal;
  if (!redeal || !redeal.weak.includes(seat)) {
    return gameError(
      GameErrorCode.NOT_YOUR_TURN,
      `${state.options.players[seat]} has no weak hand to redeal`,
    );
  }
  if (redeal.decisions[seat] !== null) {
    return gameError(GameErrorCode.INVALID_ACTION, `${state.options.players[seat]} has already decided`);
  }
  const decided: GameState = {
    ...state,
    redeal: { ...redeal, decisions: withSeat(redeal.decisions, seat, accept) },
  };
  const events: Step["events"] = [{
    type: "redeal_decision",
    seat,
    player: state.options.players[seat],
    accept,
    timed_out: timedOut,
  }];
  if (undecidedSeats(decided).length > 0) return { state: decided, events };

  const decisions = decided.redeal?.decisions ?? NO_DECISIONS;
  const accepter = rotation(presumptiveStarter(decided).seat).find((s) => decisions[s] === true);
  if (accepter === undefined) return { state: decided, events };
  const redealt = dealHands(
    {
      ...decided,
      multiplier: decided.multiplier + 1,
      redeal: { weak: [], decisions: NO_DECISIONS, accepter },
    },
    { redeal_requester: state.options.players[accepter], redeal_requester_seat: accepter },
  );
  return { state: redealt.state, events: [...events, ...redealt.events] };
}

/** Leaves PREPARATION once nobody is deciding: the starter is settled and declarations begin. */
export function beginDeclarations(state: GameState): Step {
  const { seat, reason } = presumptiveStarter(state);
  const order = rotation(seat);
  const names = state.options.players;
  return {
    state: { ...state, phase: "DECLARATION", starter: seat, starterReason: reason, redeal: null },
    events: [{
      type: "phase_change",
      phase: "DECLARATION",
      round: state.round,
      starter: names[seat],
      starter_seat: seat,
      starter_reason: reason,
      redeal_multiplier: state.multiplier,
      declaration_order: order.map((s) => names[s]),
      declaration_order_seats: order,
      current: names[seat],
      current_seat: seat,
    }],
  };
}
