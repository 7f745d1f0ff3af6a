// The GameArchive port on Redis: each finished game as JSON in a hash, ordered newest first by a zset whose
// members sort lexicographically as '<finishedAt, 16 digits>.<gameId>'.

import type { Redis } from "ioredis";
import { decodeCursor, encodeCursor, summaryOf } from "./game_pages.ts";
import type { FinishedGame, GameArchive, GamePage } from "./ports.ts";
import { guarded } from "./redis_failure.ts";
import type { RedisFunctions } from "./redis_functions.ts";
import { GAMES_KEYS } from "./redis_keys.ts";

function orderMember(game: { finishedAt: number; gameId: string }): string {
  return `${String(game.finishedAt).padStart(16, "0")}.${game.gameId}`;
}

export class RedisGameArchive implements GameArchive {
  readonly #redis: Redis;
  readonly #fns: RedisFunctions;

  constructor(redis: Redis, fns: RedisFunctions) {
    this.#redis = redis;
    this.#fns = fns;
  }

  put(game: FinishedGame): Promise<void> {
    return guarded("archive put", async () => {
      await this.#fns.gamePut(game.gameId, orderMember(game), JSON.stringify(game));
    });
  }

  list(limit: number, cursor: string | null): Promise<GamePage> {
    return guarded("archive list", async () => {
      const from = cursor === null ? null : decodeCursor(cursor);
      const max = from === null ? "+" : `(${orderMember(from)}`;
      const members = await this.#redis.zrange(GAMES_KEYS.z, max, "-", "BYLEX", "REV", "LIMIT", 0, limit + 1);
      const page = members.slice(0, limit).map((m) => m.slice(m.indexOf(".") + 1));
      const json = page.length === 0 ? [] : await this.#redis.hmget(GAMES_KEYS.h, ...page);
      const games = json.flatMap((text) => text === null ? [] : [JSON.parse(text) as FinishedGame]);
      const last = games.at(-1);
      return {
        games: games.map(summaryOf),
        next: members.length > limit && last !== undefined ? encodeCursor(last) : null,
      };
    });
  }

  get(gameId: string): Promise<FinishedGame | null> {
    return guarded("archive get", async () => {
      const text = await this.#redis.hget(GAMES_KEYS.h, gameId);
      return text === null ? null : JSON.parse(text) as FinishedGame;
    });
  }
}
