// The part of a seat's view the bots read, built without copying: what `chooseBotAction` decides from. Pure.

import type { Piece } from "./pieces.ts";
import { type GameState, type PlayedTurn, playedPieces, type PlayerState, type Seat, type Waiting } from "./state.ts";
import { waitingFor } from "./waiting.ts";

export interface BotPlayerView {
  readonly seat: Seat;
  readonly declared: number | null;
  readonly captured_piles: number;
  readonly score: number;
  readonly zero_streak: number;
}

/**
 * A seat's view cut down to the fields the bots use. Every field has the same name and value as in
 * `viewFor(state, seat)` (but for the optional `played_mask`, derived from `played_pieces`), so a full
 * `GameView` is also a `BotView` (rooms may pass either). Hidden
 * information: it holds the seat's own hand and public facts only — `bot_view_test` checks that every value
 * equals the full view's. Arrays are shared with the state, not copied, hence `readonly` throughout: a bot
 * must never change what it is shown.
 */
export interface BotView {
  readonly seat: Seat | null;
  readonly round: number;
  /** Null during PREPARATION, as in the full view. */
  readonly starter_seat: Seat | null;
  readonly waiting: Waiting;
  readonly players: readonly BotPlayerView[];
  readonly hand: readonly Piece[] | null;
  readonly declaration_total: number;
  readonly turn: {
    readonly required_piece_count: number | null;
    readonly plays: readonly { readonly pieces: readonly Piece[] }[];
  } | null;
  readonly played_pieces: readonly Piece[];
  /**
   * The ids of `played_pieces` as a mask (bit i = piece id i), when the view has it (`botViewFor` does; a full
   * `GameView` does not, and bots then build it from `played_pieces`). Public like the pieces it names.
   */
  readonly played_mask?: number;
}

/**
 * What `seat` may see, as the bots read it; shares the state's arrays (a bot decision copies nothing). A caller
 * that already asked `waitingFor(state)` may pass the answer instead of having it computed again.
 */
export function botViewFor(state: GameState, seat: Seat, waiting: Waiting = waitingFor(state)): BotView {
  return new StateBotView(state, seat, waiting);
}

/**
 * `botViewFor`'s view. The state keeps the round's played pieces as the list of earlier turns' pieces plus the
 * current turn's plays (GameState.playedBefore), and the bots read them only as a set, through `played_mask`;
 * so `played_pieces` is joined only when something reads it (tests, a caller that serialises the view), not on
 * every decision. The earlier turns' plays are held in a private field, which `JSON.stringify` leaves out.
 */
class StateBotView implements BotView {
  readonly seat: Seat;
  readonly round: number;
  readonly starter_seat: Seat | null;
  readonly waiting: Waiting;
  readonly players: readonly BotPlayerView[];
  readonly hand: readonly Piece[];
  readonly declaration_total: number;
  readonly turn: BotView["turn"];
  readonly played_mask: number;
  readonly #playedBefore: PlayedTurn | null;

  constructor(state: GameState, seat: Seat, waiting: Waiting) {
    const preparing = state.phase === "PREPARATION" || state.phase === "WAITING";
    const players = state.players;
    const turn = state.turn;
    this.seat = seat;
    this.round = state.round;
    this.starter_seat = preparing ? null : state.starter;
    this.waiting = waiting;
    this.players = botPlayers(players);
    this.hand = state.hands[seat];
    this.declaration_total = (players[0].declared ?? 0) + (players[1].declared ?? 0) +
      (players[2].declared ?? 0) + (players[3].declared ?? 0);
    this.turn = turn ? { required_piece_count: turn.required, plays: turn.plays } : null;
    this.played_mask = state.playedMask;
    this.#playedBefore = state.playedBefore;
  }

  get played_pieces(): readonly Piece[] {
    return playedPieces(this.#playedBefore, this.turn?.plays ?? []);
  }
}

// The players' part of the view changes only when a player's record does (a declaration, a turn won, a deal,
// scoring), not on every play, so the last one built is kept and handed out again for the same `players`
// tuple. States are never changed in place, so the same tuple always means the same values; likewise the same
// record, so when a new tuple replaces only some records (a declaration or a turn won replaces one), the entries
// of the records it kept are reused and only the changed ones are built. Nothing here is frozen, like the hand and
// played pieces the view shares with the state: `readonly` types keep bots from writing to them. In
// JavaScriptCore, the release binary's engine, `Object.freeze` was 18 % of a bot-only game, and every read of a
// frozen array (each decision reads `players`) took its slow path.
let lastPlayers: GameState["players"] | null = null;
let lastViews: readonly BotPlayerView[] = [];
// The record each entry of lastViews was built from, by seat.
const lastRecords: (PlayerState | null)[] = [null, null, null, null];

function botPlayers(players: GameState["players"]): readonly BotPlayerView[] {
  if (players !== lastPlayers) {
    lastViews = [
      botPlayer(players[0], 0),
      botPlayer(players[1], 1),
      botPlayer(players[2], 2),
      botPlayer(players[3], 3),
    ];
    lastPlayers = players;
  }
  return lastViews;
}

/** Seat `seat`'s entry: the last one built if it was built from this very record, else a new one. */
function botPlayer(p: PlayerState, seat: Seat): BotPlayerView {
  const last = lastViews[seat];
  if (last !== undefined && lastRecords[seat] === p) return last;
  lastRecords[seat] = p;
  return {
    seat,
    declared: p.declared,
    captured_piles: p.captured,
    score: p.score,
    zero_streak: p.zeroStreak,
  };
}
