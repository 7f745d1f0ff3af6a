// TURN and TURN_RESULTS: plays, turn resolution and piles. Pure: no I/O.

import { type GameError, gameError, GameErrorCode } from "./errors.ts";
import type { GameEvent } from "./events.ts";
import type { Piece } from "./pieces.ts";
import { beats, classify, MAX_PLAY_SIZE, PlayType, type RatedPlay, strength } from "./play_types.ts";
import { type GameState, rotation, type Seat, type TurnPlay, withSeat } from "./state.ts";
import { currentPlayer } from "./waiting.ts";
import { seatNames, withItem } from "./working_copy.ts";

// Like every phase, these work on apply()'s private working copy `next` (see working_copy.ts) and append the
// events to publish to `events`.

/** Opens turn `number` led by `starter`. */
export function beginTurn(next: GameState, number: number, starter: Seat, events: GameEvent[]): void {
  const names = next.options.players;
  const order = rotation(starter);
  foldTurn(next);
  next.phase = "TURN";
  next.turn = { number, starter, required: null, plays: [] };
  events.push({
    type: "phase_change",
    phase: "TURN",
    round: next.round,
    turn: number,
    starter: names[starter],
    starter_seat: starter,
    turn_order: seatNames(names, order),
    turn_order_seats: order,
    current: names[starter],
    current_seat: starter,
    required_piece_count: null,
  });
}

/**
 * Links the plays of `next.turn`, which is about to be replaced, in front of `next.playedBefore` (see
 * GameState.playedBefore): one small node per turn, where a flat list of the round's pieces was copied.
 */
export function foldTurn(next: GameState): void {
  if (next.turn && next.turn.plays.length > 0) {
    next.playedBefore = { plays: next.turn.plays, before: next.playedBefore };
  }
}

/** Position of piece `id` in `hand`, or -1. */
function positionOf(hand: readonly Piece[], id: number): number {
  for (let i = 0; i < hand.length; i++) if ((hand[i] as Piece).id === id) return i;
  return -1;
}

// playProblem's positions in the hand of the pieces it returned, as a mask (bit i = hand[i]), their ids (bit i
// = piece id i) and their play type: play() drops them from the hand, adds them to the round's played mask and
// records the type (a lead was classified to be checked; an answer is classified here). Set by every successful
// call and read right after it, so sharing them keeps both pure.
let chosenMask = 0;
let chosenIds = 0;
let chosenType: PlayType = PlayType.INVALID;

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
  // Sized up front: this array becomes the play's pieces in the state and its event, so it should not carry
  // the spare capacity push() would give it. Never longer than the hand: ids are untrusted, and past that many
  // some id is bound to be unheld or repeated, which ends the loop. Repeats are found with a mask of hand
  // positions rather than by searching the pieces found so far.
  const pieces = new Array<Piece>(Math.min(ids.length, hand.length));
  let mask = 0;
  let idBits = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    const at = positionOf(hand, id);
    if (at < 0) return `You do not hold piece ${String(id)}`;
    if ((mask & (1 << at)) !== 0) return `Piece ${id} is named twice`;
    mask |= 1 << at;
    idBits |= 1 << id;
    pieces[i] = hand[at] as Piece;
  }
  let type: PlayType;
  if (required === null) {
    if (pieces.length > MAX_PLAY_SIZE) return `A lead has at most ${MAX_PLAY_SIZE} pieces`;
    type = classify(pieces);
    if (type === PlayType.INVALID) return "The turn starter must lead a valid combination";
  } else if (pieces.length !== required) {
    return `This turn needs exactly ${required} piece${required === 1 ? "" : "s"}`;
  } else {
    type = classify(pieces);
  }
  chosenType = type;
  chosenMask = mask;
  chosenIds = idBits;
  return pieces;
}

/** The pieces of `hand` whose positions are not in `mask`, in hand order. */
function keptPieces(hand: readonly Piece[], mask: number, count: number): Piece[] {
  const out = new Array<Piece>(hand.length - count);
  let n = 0;
  for (let i = 0; i < hand.length; i++) if ((mask & (1 << i)) === 0) out[n++] = hand[i] as Piece;
  return out;
}

/** Plays pieces for `seat`; the fourth play resolves the turn and moves to TURN_RESULTS. */
export function play(
  next: GameState,
  seat: Seat,
  ids: readonly number[],
  timedOut: boolean,
  events: GameEvent[],
): GameError | null {
  const due = currentPlayer(next);
  const names = next.options.players;
  const turn = next.turn;
  if (due !== seat || !turn) {
    return gameError(
      GameErrorCode.NOT_YOUR_TURN,
      due === null ? "Nobody is playing" : `It is ${names[due]}'s turn`,
    );
  }
  const hand = next.hands[seat];
  const checked = playProblem(hand, ids, turn.required);
  if (typeof checked === "string") return gameError(GameErrorCode.INVALID_PLAY, checked);

  const playType = chosenType;
  const plays = withItem(turn.plays, { seat, player: names[seat], pieces: checked, play_type: playType });
  next.hands = withSeat(next.hands, seat, keptPieces(hand, chosenMask, checked.length));
  next.playedMask |= chosenIds;
  next.turn = {
    number: turn.number,
    starter: turn.starter,
    required: turn.required ?? checked.length,
    plays,
  };
  events.push({
    type: "player_played",
    seat,
    player: names[seat],
    pieces: checked,
    play_type: playType,
    timed_out: timedOut,
  });
  if (plays.length === 4) resolveTurn(next, events);
  return null;
}

/**
 * The winning play of a complete turn, as `winningIndex` picks it (the first play, replaced only by one that
 * `beats` it), without a rating object per play: each play's type was classified when it was played, and the
 * two plays being compared are rated into these two reused objects.
 */
function winningPlay(plays: readonly TurnPlay[]): TurnPlay | undefined {
  let best = plays[0];
  if (!best) return undefined;
  BEST.type = best.play_type;
  BEST.strength = strength(best.pieces, best.play_type);
  for (let i = 1; i < plays.length; i++) {
    const play = plays[i] as TurnPlay;
    CHALLENGER.type = play.play_type;
    CHALLENGER.strength = strength(play.pieces, play.play_type);
    if (!beats(CHALLENGER, BEST)) continue;
    best = play;
    BEST.type = CHALLENGER.type;
    BEST.strength = CHALLENGER.strength;
  }
  return best;
}

// winningPlay's two ratings; each call sets them before reading them and nothing keeps them.
const BEST: RatedPlay = { type: PlayType.INVALID, strength: 0 };
const CHALLENGER: RatedPlay = { type: PlayType.INVALID, strength: 0 };

/** The winner takes piles equal to the piece count, counts a turn won, and will lead the next turn. */
function resolveTurn(next: GameState, events: GameEvent[]): void {
  const turn = next.turn;
  if (!turn || turn.required === null) throw new Error("resolveTurn needs a complete turn");
  const winnerPlay = winningPlay(turn.plays);
  if (!winnerPlay) throw new Error("resolveTurn needs a complete turn");
  const winner = winnerPlay.seat;
  const piles = turn.required;
  const player = next.players[winner];
  const players = withSeat(next.players, winner, {
    name: player.name,
    score: player.score,
    declared: player.declared,
    captured: player.captured + piles,
    zeroStreak: player.zeroStreak,
    turnsWon: player.turnsWon + 1,
    perfectRounds: player.perfectRounds,
  });
  const names = next.options.players;
  next.phase = "TURN_RESULTS";
  next.players = players;
  next.lastTurn = { number: turn.number, winner, piles, plays: turn.plays };
  next.lastTurnWinner = winner;
  events.push(
    {
      type: "turn_result",
      winner: names[winner],
      winner_seat: winner,
      // The plays themselves are already in the shape the event announces (TurnPlay); the list is the event's own.
      plays: turn.plays.slice(),
      piles_won: piles,
      next_starter: names[winner],
      next_starter_seat: winner,
      turn: turn.number,
    },
    {
      type: "phase_change",
      phase: "TURN_RESULTS",
      round: next.round,
      turn: turn.number,
      winner: names[winner],
      winner_seat: winner,
      piles_won: piles,
      pile_counts: [players[0].captured, players[1].captured, players[2].captured, players[3].captured],
    },
  );
}
