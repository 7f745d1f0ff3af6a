// PREPARATION: the deal, weak hands, simultaneous redeal decisions, the round starter. Pure: no I/O.

import { type GameError, gameError, GameErrorCode } from "./errors.ts";
import type { GameEvent } from "./events.ts";
import { deal, isWeakHand } from "./pieces.ts";
import {
  type Four,
  type GameState,
  type PlayerState,
  rotation,
  type Seat,
  SEATS,
  withSeat,
} from "./state.ts";
import { presumptiveStarter, undecidedSeats } from "./waiting.ts";
import { seatNames } from "./working_copy.ts";

// Every function here works on apply()'s private working copy `next` (see working_copy.ts): it assigns its
// fields, replaces what it shares with the caller's state, and appends the events to publish to `events`.

const NO_DECISIONS: Four<boolean | null> = [null, null, null, null];

function freshForDeal(p: PlayerState): PlayerState {
  return {
    name: p.name,
    score: p.score,
    declared: null,
    captured: 0,
    zeroStreak: p.zeroStreak,
    turnsWon: p.turnsWon,
    perfectRounds: p.perfectRounds,
  };
}

/**
 * Deals a fresh round (or a redeal of the current one) and looks for weak hands. Declarations and piles are
 * reset; the multiplier and any redeal accepter are whatever `next` already says.
 */
export function dealHands(next: GameState, events: GameEvent[], requester: Seat | null = null): void {
  // Read by index: destructuring a tuple goes through the iterator protocol, which JavaScriptCore does not always
  // optimise away.
  const dealt = deal(next.rng);
  const hands = dealt[0];
  const players = next.players;
  const weak: Seat[] = [];
  for (const seat of SEATS) if (isWeakHand(hands[seat])) weak.push(seat);
  next.phase = "PREPARATION";
  next.rng = dealt[1];
  next.hands = hands;
  next.players = [
    freshForDeal(players[0]),
    freshForDeal(players[1]),
    freshForDeal(players[2]),
    freshForDeal(players[3]),
  ];
  next.redeal = { weak, decisions: NO_DECISIONS, accepter: next.redeal?.accepter ?? null };
  next.turn = null;
  next.lastTurn = null;
  next.playedBefore = null;
  next.playedMask = 0;
  next.roundScores = null;
  const names = next.options.players;
  // The starter is not announced yet: in round 1 it would reveal who holds GENERAL_RED.
  const change: Extract<GameEvent, { type: "phase_change" }> = {
    type: "phase_change",
    phase: "PREPARATION",
    round: next.round,
    redeal_multiplier: next.multiplier,
    weak_seats: weak,
    weak_players: seatNamesOf(names, weak),
  };
  if (requester !== null) {
    change.redeal_requester = names[requester];
    change.redeal_requester_seat = requester;
  }
  events.push(change, { type: "hands_dealt", round: next.round, redeal_multiplier: next.multiplier });
}

/** The names of `seats`, in order. */
function seatNamesOf(names: Four<string>, seats: readonly Seat[]): string[] {
  const out = new Array<string>(seats.length);
  for (let i = 0; i < seats.length; i++) out[i] = names[seats[i] as Seat];
  return out;
}

/** Starts round `round` with multiplier 1 and no redeal history. */
export function startRound(next: GameState, round: number, events: GameEvent[]): void {
  next.round = round;
  next.multiplier = 1;
  next.redeal = null;
  next.starter = null;
  next.starterReason = null;
  dealHands(next, events);
}

/**
 * Records one weak seat's redeal decision. Once every weak seat has decided, the first accepter in play order
 * (from the presumptive starter) becomes the starter, the multiplier goes up by one and everything is dealt
 * again; if all declined, the current hands stand and the game waits for the "deal" display pause.
 */
export function decideRedeal(
  next: GameState,
  seat: Seat,
  accept: boolean,
  timedOut: boolean,
  events: GameEvent[],
): GameError | null {
  const redeal = next.redeal;
  if (!redeal || !redeal.weak.includes(seat)) {
    return gameError(
      GameErrorCode.NOT_YOUR_TURN,
      `${next.options.players[seat]} has no weak hand to redeal`,
    );
  }
  if (redeal.decisions[seat] !== null) {
    return gameError(GameErrorCode.INVALID_ACTION, `${next.options.players[seat]} has already decided`);
  }
  const decisions = withSeat(redeal.decisions, seat, accept);
  next.redeal = { weak: redeal.weak, decisions, accepter: redeal.accepter };
  events.push({
    type: "redeal_decision",
    seat,
    player: next.options.players[seat],
    accept,
    timed_out: timedOut,
  });
  if (undecidedSeats(next).length > 0) return null;

  const accepter = rotation(presumptiveStarter(next).seat).find((s) => decisions[s] === true);
  if (accepter === undefined) return null;
  next.multiplier += 1;
  next.redeal = { weak: [], decisions: NO_DECISIONS, accepter };
  dealHands(next, events, accepter);
  return null;
}

/** Leaves PREPARATION once nobody is deciding: the starter is settled and declarations begin. */
export function beginDeclarations(next: GameState, events: GameEvent[]): void {
  const { seat, reason } = presumptiveStarter(next);
  const order = rotation(seat);
  const names = next.options.players;
  next.phase = "DECLARATION";
  next.starter = seat;
  next.starterReason = reason;
  next.redeal = null;
  events.push({
    type: "phase_change",
    phase: "DECLARATION",
    round: next.round,
    starter: names[seat],
    starter_seat: seat,
    starter_reason: reason,
    redeal_multiplier: next.multiplier,
    declaration_order: seatNames(names, order),
    declaration_order_seats: order,
    current: names[seat],
    current_seat: seat,
  });
}
