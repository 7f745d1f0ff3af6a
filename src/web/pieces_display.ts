// How a piece looks to a person: its Chinese-chess character per colour, its name, and the hand's order.

import type { Piece, PieceKind } from "../game/pieces.ts";

/** Red and black pieces use different characters, as on a real xiangqi set. */
const GLYPHS: Record<PieceKind, { RED: string; BLACK: string; name: string }> = {
  GENERAL: { RED: "帥", BLACK: "將", name: "General" },
  ADVISOR: { RED: "仕", BLACK: "士", name: "Advisor" },
  ELEPHANT: { RED: "相", BLACK: "象", name: "Elephant" },
  CHARIOT: { RED: "俥", BLACK: "車", name: "Chariot" },
  HORSE: { RED: "傌", BLACK: "馬", name: "Horse" },
  CANNON: { RED: "炮", BLACK: "砲", name: "Cannon" },
  SOLDIER: { RED: "兵", BLACK: "卒", name: "Soldier" },
};

export function glyph(piece: Piece): string {
  return GLYPHS[piece.kind][piece.color];
}

/** "Red Horse, 6 points": the accessible name of a piece. */
export function pieceName(piece: Piece): string {
  const colour = piece.color === "RED" ? "Red" : "Black";
  return `${colour} ${GLYPHS[piece.kind].name}, ${piece.points} point${piece.points === 1 ? "" : "s"}`;
}

export function kindName(kind: PieceKind): string {
  return GLYPHS[kind].name;
}

/**
 * Red before black, strongest first within a colour: every combination beyond a single is one colour, so
 * pairs and straights sit side by side. A piece's id is its rank in the deck, strongest first.
 */
export function sortHand(pieces: readonly Piece[]): Piece[] {
  return pieces.slice().sort((a, b) => (a.color === b.color ? a.id - b.id : a.color === "RED" ? -1 : 1));
}

const PLAY_TYPE_NAMES: Record<string, [name: string, article: string]> = {
  SINGLE: ["single", "a "],
  PAIR: ["pair", "a "],
  THREE_OF_A_KIND: ["three of a kind", ""],
  STRAIGHT: ["straight", "a "],
  FOUR_OF_A_KIND: ["four of a kind", ""],
  EXTENDED_STRAIGHT: ["extended straight", "an "],
  EXTENDED_STRAIGHT_5: ["extended straight", "an "],
  FIVE_OF_A_KIND: ["five of a kind", ""],
  DOUBLE_STRAIGHT: ["double straight", "a "],
  INVALID: ["no combination", ""],
};

/** "pair", or with `article` "a pair". */
export function playTypeName(type: string, article = false): string {
  const [name, a] = PLAY_TYPE_NAMES[type] ?? [type.toLowerCase().replaceAll("_", " "), ""];
  return article ? a + name : name;
}
