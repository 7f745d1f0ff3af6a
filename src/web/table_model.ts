// What the page shows and lets a person click, derived from the state alone: declaration choices with the
// reason a value is refused, whether the selected pieces can be played (and why not), and who sits where.
// Pure: views and unit tests call these; nothing here touches the DOM.

import { declarationProblem, PILES_PER_ROUND } from "../game/declarations.ts";
import { classify } from "../game/play_types.ts";
import type { Piece } from "../game/pieces.ts";
import type { AppState } from "./app_state.ts";
import { playTypeName } from "./pieces_display.ts";

export interface DeclareChoice {
  value: number;
  allowed: boolean;
  /** Why a refused value is refused, in words. */
  reason: string | null;
}

/** Every value 0..8 with whether we may declare it now; empty unless a declaration of ours is due. */
export function declareChoices(state: AppState): DeclareChoice[] {
  const turn = state.yourTurn;
  const game = state.game;
  if (turn?.action !== "declare" || game === null) return [];
  const me = game.players[turn.seat];
  const made = game.players.filter((p) => p.declared !== null).length;
  const choices: DeclareChoice[] = [];
  for (let value = 0; value <= PILES_PER_ROUND; value++) {
    const allowed = turn.options.includes(value);
    const problem = declarationProblem(value, game.declaration_total, made === 3, me?.zero_streak ?? 0);
    choices.push({ value, allowed, reason: allowed ? null : problem ?? "Not allowed now" });
  }
  return choices;
}

export interface PlayCheck {
  /** True when the selection is exactly one of the server's legal sets. */
  canPlay: boolean;
  /** What the person should know about the selection: what it is, or what is wrong with it. */
  message: string;
  /** The count a responder must play; null when we lead (any valid combination of 1–6). */
  required: number | null;
  /** Pieces that, added to the selection, still lead towards a legal play. */
  hints: Set<number>;
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}

/** Whether the selection may be played now, and why or why not; null unless a play of ours is due. */
export function playCheck(state: AppState): PlayCheck | null {
  const turn = state.yourTurn;
  if (turn?.action !== "play") return null;
  const required = turn.required_piece_count;
  const selected = state.selection;
  const extending = turn.options.filter((option) => selected.every((id) => option.includes(id)));
  const hints = new Set<number>();
  for (const option of extending) for (const id of option) if (!selected.includes(id)) hints.add(id);
  const pieces = (state.game?.hand ?? []).filter((p) => selected.includes(p.id));
  if (selected.length === 0) {
    const message = required === null
      ? "You lead: select a single piece or a combination"
      : `Select exactly ${required} piece${required === 1 ? "" : "s"} to play`;
    return { canPlay: false, message, required, hints };
  }
  if (turn.options.some((option) => sameSet(option, selected))) {
    const label = required === null
      ? playTypeName(classify(pieces), true)
      : `${selected.length} piece${selected.length === 1 ? "" : "s"}`;
    return { canPlay: true, message: `Ready to play ${label}`, required, hints };
  }
  if (required !== null) {
    const diff = required - selected.length;
    const message = diff > 0
      ? `Select ${diff} more: you must play exactly ${required}`
      : `Too many: you must play exactly ${required} piece${required === 1 ? "" : "s"}`;
    return { canPlay: false, message, required, hints };
  }
  const message = extending.length > 0
    ? "Not a combination yet: pairs, sets and straights are one colour"
    : selected.length > 6
    ? "A lead is at most 6 pieces"
    : "These pieces are not a valid combination (pairs, sets and straights are one colour)";
  return { canPlay: false, message, required, hints };
}

/** Whether a piece button is enabled: while a play of ours is due any held piece may be (de)selected. */
export function canSelect(state: AppState): boolean {
  return state.yourTurn?.action === "play" && !state.yourTurn.sent;
}

export type Occupant = "human" | "bot" | "empty";

export interface SeatView {
  seat: number;
  /** 0 = bottom (us), 1 = right, 2 = top, 3 = left: play goes round counter-clockwise. */
  position: number;
  occupant: Occupant;
  name: string;
  isYou: boolean;
  isHost: boolean;
  connected: boolean;
  /** A bot plays this human's seat for now. */
  botStandIn: boolean;
  toAct: boolean;
  declared: number | null;
  captured: number;
  score: number;
  handSize: number;
}

/** The four seats as the table shows them, from our point of view (seat 0's when we have no seat). */
export function seatViews(state: AppState): SeatView[] {
  const room = state.room;
  const game = state.game;
  const mySeat = state.me?.seat ?? null;
  const anchor = mySeat ?? 0;
  const waiting = game?.waiting;
  const inGame = game !== null && room?.phase !== "WAITING";
  const views: SeatView[] = [];
  for (let seat = 0; seat < 4; seat++) {
    const summary = room?.seats[seat] ?? null;
    const player = inGame ? game?.players[seat] : undefined;
    const toAct = waiting === undefined || !inGame
      ? false
      : waiting.kind === "redeal"
      ? waiting.seats.includes(seat as 0)
      : (waiting.kind === "declare" || waiting.kind === "play") && waiting.seat === seat;
    views.push({
      seat,
      position: (seat - anchor + 4) % 4,
      occupant: summary === null
        ? "empty"
        : summary.is_bot && !wasHuman(state, summary.name)
        ? "bot"
        : "human",
      name: summary?.name ?? player?.name ?? "",
      isYou: mySeat === seat,
      isHost: summary !== null && summary.name === room?.host,
      connected: summary?.connected ?? false,
      botStandIn: summary !== null && summary.is_bot && wasHuman(state, summary.name),
      toAct,
      declared: player?.declared ?? null,
      captured: player?.captured_piles ?? 0,
      score: player?.score ?? 0,
      handSize: player?.hand_size ?? 0,
    });
  }
  return views;
}

/**
 * A seat whose summary says bot may be a human a bot stands in for: such a seat is `connected: false`
 * (the person is away) while real bots always show connected.
 */
function wasHuman(state: AppState, name: string): boolean {
  const seat = state.room?.seats.find((s) => s?.name === name);
  return seat !== undefined && seat !== null && seat.is_bot && !seat.connected;
}

/** Whether we are the room's host. */
export function isHost(state: AppState): boolean {
  return state.me !== null && state.room?.host === state.me.name;
}

/** The phase the badge shows: the game's when one exists, else the room's. */
export function currentPhase(state: AppState): string {
  return state.game?.phase ?? state.room?.phase ?? "WAITING";
}

/** Whether the host controls (seats, settings, start) apply now: before a game or after one ended. */
export function hostControlsOpen(state: AppState): boolean {
  const phase = state.room?.phase ?? "WAITING";
  return isHost(state) && (phase === "WAITING" || phase === "GAME_OVER");
}

/**
 * What the tab's title leads with while the table waits for a decision of ours (null once answered, or when it
 * does not wait for us): someone in another tab while others play sees it is their move before the clock runs
 * out and a bot decides for them.
 */
export function turnTitle(state: AppState): string | null {
  const turn = state.yourTurn;
  if (turn === null || turn.sent) return null;
  switch (turn.action) {
    case "declare":
      return "Your move: declare";
    case "redeal":
      return "Your move: redeal?";
    case "play":
      return turn.required_piece_count === null
        ? "Your move: lead"
        : `Your move: play ${turn.required_piece_count}`;
  }
}

/** Seconds left on our deadline, rounded up; null without one. */
export function secondsLeft(state: AppState, now: number): number | null {
  const deadline = state.yourTurn?.deadline ?? null;
  return deadline === null ? null : Math.max(0, Math.ceil((deadline - now) / 1000));
}

/** The pieces of a play in display order. */
export function playedPieces(pieces: readonly Piece[]): Piece[] {
  return pieces.slice();
}
