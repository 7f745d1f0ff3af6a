// One piece as a disc with its character and points, the way every view draws it.

import type { Piece } from "../game/pieces.ts";
import { h } from "./dom.ts";
import { glyph, pieceName } from "./pieces_display.ts";

/** A read-only piece (on the table, in a trick). */
export function pieceDisc(piece: Piece, size: "small" | "medium" = "small"): HTMLElement {
  return h(
    "span",
    {
      class: `piece ${piece.color.toLowerCase()} ${size}`,
      title: pieceName(piece),
      role: "img",
      "aria-label": pieceName(piece),
    },
    h("span", { class: "glyph", "aria-hidden": "true" }, glyph(piece)),
    h("span", { class: "pts", "aria-hidden": "true" }, piece.points),
  );
}
