// Playing from the keyboard: digits pick pieces (or a declaration value), Enter plays, Escape clears, arrows
// move between pieces. Pure: maps a key to a command for the state as it is.

import type { AppState } from "./app_state.ts";
import { sortHand } from "./pieces_display.ts";

export type KeyCommand =
  | { kind: "toggle"; pieceId: number }
  | { kind: "play" }
  | { kind: "clear" }
  | { kind: "focus"; selector: string };

export function pieceCommand(
  state: AppState,
  key: string,
  focusedPieceId: number | null = null,
): KeyCommand | null {
  const turn = state.yourTurn;
  if (turn === null || turn.sent) return null;
  if (turn.action === "declare" && /^[0-8]$/.test(key)) {
    return { kind: "focus", selector: `[data-action=declare][data-value="${key}"]` };
  }
  if (turn.action !== "play") return null;
  const hand = sortHand(state.game?.hand ?? []);
  if (/^[1-9]$/.test(key)) {
    const piece = hand[Number(key) - 1];
    return piece === undefined ? null : { kind: "toggle", pieceId: piece.id };
  }
  if (key === "Enter") return { kind: "play" };
  if (key === "Escape") return { kind: "clear" };
  if (key === "ArrowLeft" || key === "ArrowRight") {
    const index = hand.findIndex((p) => p.id === focusedPieceId);
    const step = key === "ArrowLeft" ? -1 : 1;
    const next = hand[index < 0 ? 0 : (index + step + hand.length) % hand.length];
    return next === undefined ? null : { kind: "focus", selector: `[data-piece-id="${next.id}"]` };
  }
  return null;
}
