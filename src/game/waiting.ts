// What the game waits for next, and the small state queries behind it. Pure: no I/O.

import type { GameState, Seat, StarterReason, Waiting } from "./state.ts";

/** The seat whose declaration is due, or null when none is (outside DECLARATION, or all declared). */
export function currentDeclarer(state: GameState): Seat | null {
  if (state.phase !== "DECLARATION" || state.starter === null) return null;
  for (let i = 0; i < 4; i++) {
    const seat = ((state.starter + i) % 4) as Seat;
    if (state.players[seat].declared === null) return seat;
  }
  return null;
}

/** The seat whose play is due in the current turn, or null. */
export function currentPlayer(state: GameState): Seat | null {
  if (state.phase !== "TURN" || !state.turn) return null;
  const played = state.turn.plays.length;
  return played < 4 ? ((state.turn.starter + played) % 4) as Seat : null;
}

/** Weak seats that have not decided on the redeal yet. */
export function undecidedSeats(state: GameState): Seat[] {
  if (state.phase !== "PREPARATION" || !state.redeal) return [];
  const { weak, decisions } = state.redeal;
  return weak.filter((s) => decisions[s] === null);
}

/**
 * The round starter as things stand: the latest redeal accepter, else in round 1 the GENERAL_RED holder
 * (piece id 0), else the previous round's last turn winner. It also heads the order that ranks redeal accepters.
 */
export function presumptiveStarter(state: GameState): { seat: Seat; reason: StarterReason } {
  const accepter = state.redeal?.accepter ?? null;
  if (accepter !== null) return { seat: accepter, reason: "accepted_redeal" };
  if (state.round > 1 && state.lastTurnWinner !== null) {
    return { seat: state.lastTurnWinner, reason: "won_last_turn" };
  }
  return { seat: generalRedHolder(state), reason: "has_general_red" };
}

/** The seat holding GENERAL_RED (piece id 0); seat 0 when nobody does (before the first deal). */
function generalRedHolder(state: GameState): Seat {
  for (let seat = 0; seat < 4; seat++) {
    const hand = state.hands[seat as Seat];
    for (let i = 0; i < hand.length; i++) if (hand[i]?.id === 0) return seat as Seat;
  }
  return 0;
}

/** The seats that must decide now: the undecided weak seats, the declarer or the player; none otherwise. */
export function decidingSeats(waiting: Waiting): Seat[] {
  if (waiting.kind === "redeal") return waiting.seats;
  return waiting.kind === "declare" || waiting.kind === "play" ? [waiting.seat] : [];
}

// The answers waitingFor gives, other than a redeal's (which lists seats), made once: it is asked before every
// action (by the room, the bots' driver and apply() itself), and a fresh object per question was garbage. Frozen,
// since every caller shares them; JavaScriptCore reads frozen objects (unlike frozen arrays) at full speed.
const START: Waiting = Object.freeze({ kind: "start" });
const OVER: Waiting = Object.freeze({ kind: "over" });
const AFTER_DEAL: Waiting = Object.freeze({ kind: "advance", after: "deal" });
const AFTER_TURN: Waiting = Object.freeze({ kind: "advance", after: "turn" });
const AFTER_ROUND: Waiting = Object.freeze({ kind: "advance", after: "round" });
const DECLARE: readonly Waiting[] = [0, 1, 2, 3].map((seat) =>
  Object.freeze({ kind: "declare", seat } as Waiting)
);
const PLAY: readonly Waiting[] = [0, 1, 2, 3].map((seat) => Object.freeze({ kind: "play", seat } as Waiting));

/**
 * What the game is waiting for right now; the room schedules timers, bots and `your_turn` from this. The answer
 * may be shared with other callers: read it, never change it.
 */
export function waitingFor(state: GameState): Waiting {
  switch (state.phase) {
    case "WAITING":
      return START;
    case "PREPARATION": {
      // Once nobody is deciding (no weak hands, or every weak seat declined) the deal is shown for the
      // room's "after deal" pause; one uniform exit keeps the room's timer logic to a single case.
      const seats = undecidedSeats(state);
      return seats.length > 0 ? { kind: "redeal", seats } : AFTER_DEAL;
    }
    case "DECLARATION": {
      const seat = currentDeclarer(state);
      return seat === null ? OVER : DECLARE[seat] as Waiting;
    }
    case "TURN": {
      const seat = currentPlayer(state);
      return seat === null ? OVER : PLAY[seat] as Waiting;
    }
    case "TURN_RESULTS":
      return AFTER_TURN;
    case "SCORING":
      return AFTER_ROUND;
    case "GAME_OVER":
      return OVER;
  }
}
