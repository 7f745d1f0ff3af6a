// What a bot can infer from its view: unseen pieces and the best play they could form. Pure: no I/O.

import { DECK, type Piece, type PieceKind } from "./pieces.ts";
import { PlayType } from "./play_types.ts";
import type { GameView } from "./view.ts";

/**
 * Pieces neither in the bot's hand nor played this round. Every piece is dealt, so this is exactly the union
 * of the opponents' current hands, learnt from public information only.
 */
export function unseenPieces(view: GameView): Piece[] {
  const known = new Set<number>();
  for (const p of view.hand ?? []) known.add(p.id);
  for (const p of view.played_pieces) known.add(p.id);
  return DECK.filter((p) => !known.has(p.id));
}

const GROUPS: readonly (readonly PieceKind[])[] = [["GENERAL", "ADVISOR", "ELEPHANT"], [
  "CHARIOT",
  "HORSE",
  "CANNON",
]];
const COLORS = ["RED", "BLACK"] as const;

/**
 * The strongest strength of `type` that `pool` could form, or -1 if none. Conservative: it assumes a single
 * opponent might hold all of the pool, so "nothing in the pool beats this" means the play is safe.
 */
export function bestInPool(pool: readonly Piece[], type: PlayType): number {
  const count = new Map<string, number>();
  const points = new Map<string, number>();
  for (const p of pool) {
    const key = `${p.kind}_${p.color}`;
    count.set(key, (count.get(key) ?? 0) + 1);
    points.set(key, p.points);
  }
  const n = (kind: string, color: string) => count.get(`${kind}_${color}`) ?? 0;
  const pts = (kind: string, color: string) => points.get(`${kind}_${color}`) ?? 0;
  let best = -1;
  switch (type) {
    case PlayType.SINGLE:
      for (const p of pool) best = Math.max(best, p.points);
      return best;
    case PlayType.PAIR:
      for (const [key, c] of count) if (c >= 2) best = Math.max(best, 2 * (points.get(key) ?? 0));
      return best;
    case PlayType.THREE_OF_A_KIND:
    case PlayType.FOUR_OF_A_KIND:
    case PlayType.FIVE_OF_A_KIND: {
      const size = type === PlayType.THREE_OF_A_KIND ? 3 : type === PlayType.FOUR_OF_A_KIND ? 4 : 5;
      for (const color of COLORS) {
        if (n("SOLDIER", color) >= size) best = Math.max(best, size * pts("SOLDIER", color));
      }
      return best;
    }
    case PlayType.INVALID:
      return -1;
    default:
      for (const color of COLORS) {
        for (const group of GROUPS) {
          const counts = group.map((k) => n(k, color));
          const core = group.reduce((sum, k) => sum + pts(k, color), 0);
          if (counts.some((c) => c === 0)) continue;
          const doubles = counts.filter((c) => c >= 2).length;
          const fits = type === PlayType.STRAIGHT ||
            (type === PlayType.EXTENDED_STRAIGHT && doubles >= 1) ||
            (type === PlayType.EXTENDED_STRAIGHT_5 && doubles >= 2) ||
            (type === PlayType.DOUBLE_STRAIGHT && doubles === 3 && group[0] === "CHARIOT");
          if (fits) best = Math.max(best, type === PlayType.DOUBLE_STRAIGHT ? 2 * core : core);
        }
      }
      return best;
  }
}
