// TURN and TURN_RESULTS: plays, turn resolution and piles. Pure: no I/O.

import { type GameError, gameError, GameErrorCode } from "./errors.ts";
import type { PlayedEntry, Step } from "./events.ts";
import type { Piece } from "./pieces.ts";
import { classify, MAX_PLAY_SIZE, PlayType, rate, winningIndex } from "./play_types.ts";
import { type GameState, rotation, type Seat, type TurnPlay, withSeat } from "./state.ts";
import { currentPlayer } from "./waiting.ts";

/** Opens turn `number` led by `starter`. */
export function beginTurn(state: GameState, number: number, starter: Seat): Step {
  const names = state.options.players;
  const order = rotation(starter);
  return {
    state: { ...state, phase: "TURN", turn: { number, starter, required: null, plays: [] } },
    events: [{
      type: "phase_change",
      phase: "TURN",
      round: state.round,
      turn: number,
      starter: names[starter],
      starter_seat: starter,
      turn_order: order.map((s) => names[s]),
      turn_order_seats: order,
      current: names[starter],
      current_seat: starter,
      required_piece_count: null,
    }],
  };
}

/**
 * Finds the pieces `ids` names in `hand`, or explains why they cannot be played: ids must be distinct, held,
 * and as many as the turn requires (the starter: a valid play type of 1–6 pieces).
 */
export function playProblem(
  hand: readonly Piece[],
  ids: readonly number[],
  required: number | null,
): string | Piece[] {
  if (!Array.isArray(ids) || ids.length === 0) return "Choose at least one piece";
  const pieces: Piece[] = [];
  for (const id of ids) {
    const piece = hand.find((p) => p.id === id);
    if (!piece) return `You do not hold piece ${String(id)}`;
    if (pieces.includes(piece)) return `Piece ${id} is named twice`;
    pieces.push(piece);
  }
  if (required === null) {
    if (pieces.length > MAX_PLAY_SIZE) return `A lead has at most ${MAX_PLAY_SIZE} pieces`;
    if (classify(pieces) === PlayType.INVALID) return "The turn starter must lead a valid combination";
  } else if (pieces.length !== required) {
    return `This turn needs exactly ${required} piece${required === 1 ? "" : "s"}`;
  }
  return pieces;
}

/** Plays pieces for `seat`; the fourth play resolves the turn and moves to TURN_RESULTS. */
export function play(
  state: GameState,
  seat: Seat,
  ids: readonly number[],
  timedOut: boolean,
): Step | GameError {
  const due = currentPlayer(state);
  const names = state.options.players;
  const turn = state.turn;
  if (due !== seat || !turn) {
    return gameError(
      GameErrorCode.NOT_YOUR_TURN,
      due === null ? "Nobody is playing" : `It is ${names[due]}'s turn`,
    );
  }
  const checked = playProblem(state.hands[seat], ids, turn.required);
  if (typeof checked === "string") return gameError(GameErrorCode.INVALID_PLAY, checked);

  const playType = classify(checked);
  const hand = state.hands[seat].filter((p) => !checked.includes(p));
  const next: GameState = {
    ...state,
    hands: withSeat(state.hands, seat, hand),
    played: [...state.played, ...checked],
    turn: {
      ...turn,
      required: turn.required ?? checked.length,
      plays: [...turn.plays, { seat, pieces: checked, playType }],
    },
  };
  const events: Step["events"] = [{
    type: "player_played",
    seat,
    player: names[seat],
    pieces: checked,
    play_type: playType,
    timed_out: timedOut,
  }];
  if (next.turn && next.turn.plays.length < 4) return { state: next, events };
  const resolved = resolveTurn(next);
  return { state: resolved.state, events: [...events, ...resolved.events] };
}

function entry(state: GameState, play: TurnPlay): PlayedEntry {
  return {
    seat: play.seat,
    player: state.options.players[play.seat],
    pieces: play.pieces,
    play_type: play.playType,
  };
}

/** The winner takes piles equal to the piece count, counts a turn won, and will lead the next turn. */
function resolveTurn(state: GameState): Step {
  const turn = state.turn;
  if (!turn || turn.required === null) throw new Error("resolveTurn needs a complete turn");
  const winnerPlay = turn.plays[winningIndex(turn.plays.map((p) => rate(p.pieces)))] ?? turn.plays[0];
  if (!winnerPlay) throw new Error("resolveTurn needs a complete turn");
  const winner = winnerPlay.seat;
  const piles = turn.required;
  const player = state.players[winner];
  const players = withSeat(state.players, winner, {
    ...player,
    captured: player.captured + piles,
    turnsWon: player.turnsWon + 1,
  });
  const names = state.options.players;
  return {
    state: {
      ...state,
      phase: "TURN_RESULTS",
      players,
      lastTurn: { number: turn.number, winner, piles, plays: turn.plays },
      lastTurnWinner: winner,
    },
    events: [
      {
        type: "turn_result",
        winner: names[winner],
        winner_seat: winner,
        plays: turn.plays.map((p) => entry(state, p)),
        piles_won: piles,
        next_starter: names[winner],
        next_starter_seat: winner,
        turn: turn.number,
      },
      {
        type: "phase_change",
        phase: "TURN_RESULTS",
        round: state.round,
        turn: turn.number,
        winner: names[winner],
        winner_seat: winner,
        piles_won: piles,
        pile_counts: players.map((p) => p.captured),
      },
    ],
  };
}
