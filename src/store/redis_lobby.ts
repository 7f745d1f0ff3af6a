// The Lobby port on Redis: listings are leases that expire on Redis's clock unless their owner refreshes
// them, and every change is an entry in a capped stream that readers follow by id.

import type { Redis } from "ioredis";
import type { Json, Lobby, LobbyListing } from "./ports.ts";
import { guarded } from "./redis_failure.ts";
import type { RedisFunctions } from "./redis_functions.ts";
import { LOBBY_KEYS } from "./redis_keys.ts";

/** The change stream keeps about this many entries (MAXLEN ~). */
export const LOBBY_STREAM_MAXLEN = 10_000;
/** Changes read per call. */
const CHANGES_PAGE = 1_000;

export interface LobbyChanges {
  changed: LobbyListing[];
  removed: string[];
  cursor: string;
  /**
   * The stream was trimmed past the cursor, so changes were lost: `changed` is then the whole listing and the
   * reader must drop every room it holds that is not in it.
   */
  reset?: true;
}

export class RedisLobby implements Lobby {
  readonly #redis: Redis;
  readonly #fns: RedisFunctions;
  readonly #epochOf: (roomId: string) => number;

  /**
   * `epochOf` names the epoch under which this node owns a room (0 if it does not): a listing written under
   * an older epoch than the one in Redis is refused, so an owner that woke up late cannot bring back a stale
   * summary or take down its successor's listing.
   */
  constructor(redis: Redis, fns: RedisFunctions, epochOf: (roomId: string) => number) {
    this.#redis = redis;
    this.#fns = fns;
    this.#epochOf = epochOf;
  }

  put(listing: LobbyListing, ttlMs: number): Promise<void> {
    return guarded("lobby put", async () => {
      const epoch = this.#epochOf(listing.roomId);
      const summary = JSON.stringify(listing.summary);
      await this.#fns.lobbyPut(
        listing.roomId,
        epoch,
        Math.max(1, Math.round(ttlMs)),
        LOBBY_STREAM_MAXLEN,
        summary,
      );
    });
  }

  remove(roomId: string): Promise<void> {
    return guarded("lobby remove", async () => {
      await this.#fns.lobbyRemove(roomId, this.#epochOf(roomId), LOBBY_STREAM_MAXLEN);
    });
  }

  snapshot(): Promise<{ listings: LobbyListing[]; cursor: string }> {
    return guarded("lobby snapshot", async () => {
      const reply = await this.#fns.lobbySnapshot(LOBBY_STREAM_MAXLEN);
      const listings = [...reply.listings].map(([roomId, { summary }]) => ({
        roomId,
        summary: JSON.parse(summary) as Json,
      }));
      listings.sort((a, b) => (a.roomId < b.roomId ? -1 : a.roomId > b.roomId ? 1 : 0));
      return { listings, cursor: reply.lastEventId };
    });
  }

  changes(cursor: string): Promise<LobbyChanges> {
    return guarded("lobby changes", async () => {
      if (!/^\d+-\d+$/.test(cursor)) throw new Error(`not a lobby cursor: "${cursor}"`);
      // Whoever reads also expires: listings go when their time is up even if no owner is left to remove them.
      await this.#fns.lobbySweep(LOBBY_STREAM_MAXLEN, CHANGES_PAGE);
      if (await this.#trimmedPast(cursor)) {
        const { listings, cursor: next } = await this.snapshot();
        return { changed: listings, removed: [], cursor: next, reset: true };
      }
      const rows = await this.#redis.xrange(LOBBY_KEYS.ev, `(${cursor}`, "+", "COUNT", CHANGES_PAGE);
      // Only each room's last change counts: a put then an expire within one page is a removal.
      const last = new Map<string, LobbyListing | null>();
      for (const [, fields] of rows) {
        const values = new Map<string, string>();
        for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i]!, fields[i + 1]!);
        const roomId = values.get("room");
        if (roomId === undefined) continue;
        last.delete(roomId);
        const summary = values.get("summary");
        last.set(
          roomId,
          values.get("type") === "put" && summary !== undefined
            ? { roomId, summary: JSON.parse(summary) as Json }
            : null,
        );
      }
      const changed: LobbyListing[] = [];
      const removed: string[] = [];
      for (const [roomId, listing] of last) {
        if (listing === null) removed.push(roomId);
        else changed.push(listing);
      }
      return { changed, removed, cursor: rows.at(-1)?.[0] ?? cursor };
    });
  }

  /**
   * Whether changes after `cursor` are gone: trimmed by MAXLEN (the first id left is more than one past the
   * cursor; change ids count 0-1, 0-2, ...) or the stream itself was lost (the cursor is ahead of it).
   */
  async #trimmedPast(cursor: string): Promise<boolean> {
    let info: unknown;
    try {
      info = await this.#redis.call("XINFO", ["STREAM", LOBBY_KEYS.ev]);
    } catch (error) {
      if (error instanceof Error && /no such key/i.test(error.message)) return cursor !== "0-0";
      throw error;
    }
    if (!Array.isArray(info)) throw new Error(`unexpected XINFO reply: ${JSON.stringify(info)}`);
    const field = (name: string): unknown => {
      const at = info.indexOf(name);
      return at < 0 ? undefined : info[at + 1];
    };
    const read = changeNumber(cursor);
    const last = field("last-generated-id");
    if (typeof last === "string" && changeNumber(last) < read) return true;
    const first = field("first-entry");
    const firstId = Array.isArray(first) ? first[0] : null;
    return typeof firstId === "string" && changeNumber(firstId) > read + 1;
  }
}

/** The running number of a change id `0-<n>`. */
function changeNumber(id: string): number {
  return Number(id.slice(id.indexOf("-") + 1));
}

/** Orders two stream ids `<ms>-<n>`. */
export function compareIds(a: string, b: string): number {
  const [am = 0n, an = 0n] = a.split("-").map(BigInt);
  const [bm = 0n, bn = 0n] = b.split("-").map(BigInt);
  return am === bm ? (an === bn ? 0 : an < bn ? -1 : 1) : am < bm ? -1 : 1;
}
