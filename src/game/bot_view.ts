// The part of a seat's view the bots read, built without copying: what `chooseBotAction` decides from. Pure.

import type { Piece } from "./pieces.ts";
import { type GameState, playedPieces, type PlayerState, type Seat, type Waiting } from "./state.ts";
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
 * `botViewFor`'s view: the seat, what the game waits for, and the state in a private field, from which each
 * getter gives exactly what `viewFor(state, seat)` gives under that name (`bot_view_test` compares them for every
 * seat of every state of seeded games). Nothing outside this class can read a `#private` field (no property
 * listing, `JSON.stringify`, `structuredClone` or reflection reaches it), so a bot sees the state only through
 * these getters: its own seat's hand and public facts. A decision thus allocates one small object (three fields)
 * instead of copying a dozen fields it mostly never reads.
 *
 * The round's played pieces are kept in the state as earlier turns' plays plus the current turn's
 * (GameState.playedBefore), and the bots read them only as a set, through `played_mask`; `played_pieces` joins
 * them only when something reads it (tests, a caller that serialises the view).
 *
 * Its `turn` is the view itself (null without a turn), whose `required_piece_count` and `plays` getters read the
 * state's turn, so a decision does not build a second object for them.
 */
class StateBotView implements BotView {
  readonly seat: Seat;
  readonly waiting: Waiting;
  readonly #state: GameState;

  constructor(state: GameState, seat: Seat, waiting: Waiting) {
    this.seat = seat;
    this.waiting = waiting;
    this.#state = state;
  }

  get round(): number {
    return this.#state.round;
  }

  /** Null during PREPARATION, as in the full view. */
  get starter_seat(): Seat | null {
    const state = this.#state;
    return state.phase === "PREPARATION" || state.phase === "WAITING" ? null : state.starter;
  }

  get players(): readonly BotPlayerView[] {
    return botPlayers(this.#state.players);
  }

  /** This view's own seat's hand, and never another's. */
  get hand(): readonly Piece[] {
    return this.#state.hands[this.seat];
  }

  get declaration_total(): number {
    const players = this.#state.players;
    return (players[0].declared ?? 0) + (players[1].declared ?? 0) + (players[2].declared ?? 0) +
      (players[3].declared ?? 0);
  }

  get turn(): BotView["turn"] {
    return this.#state.turn !== null ? this : null;
  }

  get required_piece_count(): number | null {
    return this.#state.turn?.required ?? null;
  }

  get plays(): readonly { readonly pieces: readonly Piece[] }[] {
    return this.#state.turn?.plays ?? NO_PLAYS;
  }

  get played_mask(): number {
    return this.#state.playedMask;
  }

  get played_pieces(): readonly Piece[] {
    return playedPieces(this.#state.playedBefore, this.plays);
  }
}

// The plays of a view without a turn. Shared by every such view: `readonly` keeps bots from writing to it.
const NO_PLAYS: readonly { readonly pieces: readonly Piece[] }[] = [];

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
