// The part of a seat's view the bots read, built without copying: what `chooseBotAction` decides from. Pure.

import type { Piece } from "./pieces.ts";
import type { GameState, PlayerState, Seat, Waiting } from "./state.ts";
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
 * `viewFor(state, seat)`, so a full `GameView` is also a `BotView` (rooms may pass either). Hidden
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
}

/**
 * What `seat` may see, as the bots read it; shares the state's arrays (a bot decision copies nothing). A caller
 * that already asked `waitingFor(state)` may pass the answer instead of having it computed again.
 */
export function botViewFor(state: GameState, seat: Seat, waiting: Waiting = waitingFor(state)): BotView {
  const preparing = state.phase === "PREPARATION" || state.phase === "WAITING";
  const players = state.players;
  const turn = state.turn;
  return {
    seat,
    round: state.round,
    starter_seat: preparing ? null : state.starter,
    waiting,
    players: botPlayers(players),
    hand: state.hands[seat],
    declaration_total: (players[0].declared ?? 0) + (players[1].declared ?? 0) + (players[2].declared ?? 0) +
      (players[3].declared ?? 0),
    turn: turn ? { required_piece_count: turn.required, plays: turn.plays } : null,
    played_pieces: state.played,
  };
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
