// What a bot can infer from its view: unseen pieces and the best play they could form. Pure: no I/O.

import { BUCKET_IDS, idMask, lowestBit, popcount } from "./hand_masks.ts";
import { DECK, PIECE_BY_ID } from "./pieces.ts";
import { PlayType } from "./play_types.ts";
import type { BotView } from "./bot_view.ts";

// Pools are sets of deck ids as 32-bit masks (bit i = DECK[i]); bots ask about them on every decision, so
// they are counted with bit operations on a few fixed masks rather than with maps built each time.

/** Points of a piece in each bucket (one value per kind and colour). */
const BUCKET_POINTS: readonly number[] = BUCKET_IDS.map((mask) => DECK[lowestBit(mask)]?.points ?? 0);

const SOLDIER_BUCKETS = [12, 13] as const;
/** Kind indexes of the straight groups (GENERAL ADVISOR ELEPHANT, CHARIOT HORSE CANNON). */
const GROUPS: readonly (readonly [number, number, number])[] = [[0, 1, 2], [3, 4, 5]];

/**
 * Pieces neither in the bot's hand (whose ids `hand` names) nor played this round, as a mask of ids. Every piece
 * is dealt, so this is exactly the union of the opponents' current hands, learnt from public information only.
 */
export function unseenMask(view: BotView, hand: number): number {
  return ~(hand | (view.played_mask ?? idMask(view.played_pieces)));
}

/**
 * The strongest strength of `type` that the pieces of `pool` (a mask of ids) could form, or -1 if none.
 * Conservative: it assumes a single opponent might hold all of the pool, so "nothing in the pool beats this"
 * means the play is safe.
 */
export function bestInPool(pool: number, type: PlayType): number {
  // Counts and points per bucket are read inline rather than through small closures: this runs on most
  // decisions, and each closure was an allocation.
  let best = -1;
  switch (type) {
    case PlayType.SINGLE:
      // The deck is ordered strongest first, so the lowest id present is the strongest single.
      return pool === 0 ? -1 : PIECE_BY_ID[lowestBit(pool)]?.points ?? -1;
    case PlayType.PAIR:
      for (let bucket = 0; bucket < 14; bucket++) {
        if (inPool(pool, bucket) >= 2) best = Math.max(best, 2 * (BUCKET_POINTS[bucket] ?? 0));
      }
      return best;
    case PlayType.THREE_OF_A_KIND:
    case PlayType.FOUR_OF_A_KIND:
    case PlayType.FIVE_OF_A_KIND: {
      const size = type === PlayType.THREE_OF_A_KIND ? 3 : type === PlayType.FOUR_OF_A_KIND ? 4 : 5;
      for (const bucket of SOLDIER_BUCKETS) {
        if (inPool(pool, bucket) >= size) best = Math.max(best, size * (BUCKET_POINTS[bucket] ?? 0));
      }
      return best;
    }
    case PlayType.INVALID:
      return -1;
    default:
      for (let color = 0; color < 2; color++) {
        for (let group = 0; group < GROUPS.length; group++) {
          let core = 0;
          let doubles = 0;
          let missing = false;
          const kinds = GROUPS[group] ?? [0, 0, 0];
          for (let k = 0; k < 3; k++) {
            const kind = kinds[k] ?? 0;
            const count = inPool(pool, kind * 2 + color);
            if (count === 0) missing = true;
            if (count >= 2) doubles++;
            core += BUCKET_POINTS[kind * 2 + color] ?? 0;
          }
          if (missing) continue;
          const fits = type === PlayType.STRAIGHT ||
            (type === PlayType.EXTENDED_STRAIGHT && doubles >= 1) ||
            (type === PlayType.EXTENDED_STRAIGHT_5 && doubles >= 2) ||
            (type === PlayType.DOUBLE_STRAIGHT && doubles === 3 && group === 1);
          if (fits) best = Math.max(best, type === PlayType.DOUBLE_STRAIGHT ? 2 * core : core);
        }
      }
      return best;
  }
}

/** How many pieces of `bucket` the pool holds. */
function inPool(pool: number, bucket: number): number {
  return popcount(pool & (BUCKET_IDS[bucket] ?? 0));
}
