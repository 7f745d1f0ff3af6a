// Legal declarations and plays for a seat, from a full state or from that seat's own view. Pure: no I/O.

import { allowedDeclarations } from "./declarations.ts";
import { declarationsFor } from "./phase_declaration.ts";
import { idMask, piecesOf, piecesOfIds, scratchCombo, scratchCombos, subsetMasks } from "./hand_masks.ts";
import type { Piece } from "./pieces.ts";
import type { GameState, Seat } from "./state.ts";
import type { BotView } from "./bot_view.ts";
import { currentPlayer } from "./waiting.ts";

function isState(source: GameState | BotView): source is GameState {
  return "hands" in source;
}

/** Calls `visit` with every k-subset of `items`, in lexicographic index order. The array passed is reused. */
export function forEachSubset<T>(
  items: readonly T[],
  k: number,
  visit: (subset: readonly T[]) => void,
): void {
  const n = items.length;
  if (k < 1 || k > n) return;
  const idx = Array.from({ length: k }, (_, i) => i);
  const subset: T[] = idx.map((i) => items[i] as T);
  for (;;) {
    visit(subset);
    let i = k - 1;
    while (i >= 0 && idx[i] === n - k + i) i--;
    if (i < 0) return;
    idx[i] = (idx[i] ?? 0) + 1;
    subset[i] = items[idx[i] ?? 0] as T;
    for (let j = i + 1; j < k; j++) {
      idx[j] = (idx[j - 1] ?? 0) + 1;
      subset[j] = items[idx[j] ?? 0] as T;
    }
  }
}

/** Every valid-type play (1–6 pieces) in `hand` (sorted by id, as hands are), as piece lists, smallest first. */
export function validCombos(hand: readonly Piece[]): Piece[][] {
  const count = scratchCombos(idMask(hand));
  const out = new Array<Piece[]>(count);
  for (let i = 0; i < count; i++) out[i] = piecesOfIds(scratchCombo(i).mask);
  return out;
}

/** Every way to play exactly `k` pieces of `hand`, in `forEachSubset` order. */
export function subsetsOf(hand: readonly Piece[], k: number): Piece[][] {
  return subsetMasks(hand.length, k).map((mask) => piecesOf(hand, mask));
}

/** Values `seat` may declare now; empty unless it is that seat's declaration (and, for a view, its own seat). */
export function legalDeclarations(source: GameState | BotView, seat: Seat): number[] {
  if (isState(source)) return declarationsFor(source, seat);
  const waiting = source.waiting;
  if (waiting.kind !== "declare" || waiting.seat !== seat) return [];
  const me = source.players[seat];
  let made = 0;
  for (const p of source.players) if (p.declared !== null) made++;
  return allowedDeclarations(source.declaration_total, made === 3, me?.zero_streak ?? 0);
}

/** The pieces `seat` may choose from and the count the turn requires (null: the starter sets it). */
function playContext(
  source: GameState | BotView,
  seat: Seat,
): { hand: readonly Piece[]; required: number | null } | null {
  if (isState(source)) {
    if (currentPlayer(source) !== seat || !source.turn) return null;
    return { hand: source.hands[seat], required: source.turn.required };
  }
  const waiting = source.waiting;
  if (waiting.kind !== "play" || waiting.seat !== seat || source.seat !== seat || !source.hand) return null;
  return { hand: source.hand, required: source.turn?.required_piece_count ?? null };
}

/**
 * Every legal set of piece ids for `seat` now: the turn starter may lead any valid-type combination of 1–6
 * pieces; a responder may play any `required` pieces. Empty when it is not that seat's play, or when a view
 * does not belong to `seat` (a view holds only its own hand).
 */
export function legalPlays(source: GameState | BotView, seat: Seat): number[][] {
  const context = playContext(source, seat);
  if (!context) return [];
  const toIds = (pieces: readonly Piece[]) => pieces.map((p) => p.id);
  if (context.required === null) return validCombos(context.hand).map(toIds);
  return subsetsOf(context.hand, context.required).map(toIds);
}
