// Changes the page makes to its own state without the server: selecting pieces, marking a decision as sent,
// showing an error found before sending. Pure: each returns the next state.

import type { AppState } from "./app_state.ts";
import { canSelect } from "./table_model.ts";

/** Selects or unselects a piece of our hand; ignored when selecting does not apply now. */
export function toggleSelection(state: AppState, pieceId: number): AppState {
  if (!canSelect(state)) return state;
  if (!(state.game?.hand ?? []).some((p) => p.id === pieceId)) return state;
  const selection = state.selection.includes(pieceId)
    ? state.selection.filter((id) => id !== pieceId)
    : [...state.selection, pieceId];
  return { ...state, selection };
}

export function clearSelection(state: AppState): AppState {
  return state.selection.length === 0 ? state : { ...state, selection: [] };
}

/** Our decision is on its way: its buttons stay disabled until the server answers (or refuses). */
export function markSent(state: AppState): AppState {
  return state.yourTurn === null ? state : { ...state, yourTurn: { ...state.yourTurn, sent: true } };
}

export function showError(state: AppState, message: string, now: number, code = "PAGE"): AppState {
  return { ...state, error: { code, message, at: now } };
}

export function setLink(state: AppState, link: AppState["link"]): AppState {
  return state.link === link ? state : { ...state, link };
}
