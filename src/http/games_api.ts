// Game history over HTTP: `GET /api/games` (finished games, newest first, paginated) and
// `GET /api/games/{id}` (players, scores, the action log) as JSON, read from the store's archive.

import type { Hono } from "hono";
import { decodeCursor } from "../store/game_pages.ts";
import type { GameArchive } from "../store/ports.ts";

const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

/** Adds the history routes to `app`. */
export function mountGamesApi(app: Hono, archive: GameArchive): void {
  app.get("/api/games", async (c) => {
    const rawLimit = c.req.query("limit");
    const limit = rawLimit === undefined ? DEFAULT_PAGE : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      return c.json({ error: `limit must be a whole number from 1 to ${MAX_PAGE}` }, 400);
    }
    const cursor = c.req.query("cursor") ?? null;
    if (cursor !== null && decodeCursor(cursor) === null) {
      return c.json({ error: "cursor must be the next value of a previous page" }, 400);
    }
    const page = await archive.list(limit, cursor);
    return c.json({ games: page.games.map(gameJson), next_cursor: page.next });
  });

  app.get("/api/games/:id", async (c) => {
    const id = c.req.param("id");
    if (!/^[A-Za-z0-9_~-]{1,80}$/.test(id)) return c.json({ error: "Not a game id" }, 404);
    const game = await archive.get(id);
    if (game === null) return c.json({ error: "No finished game with this id" }, 404);
    return c.json({ ...gameJson(game), seed: game.seed, settings: game.settings, actions: game.actions });
  });
}

/** The wire names (snake_case, as in the WebSocket protocol). */
function gameJson(game: {
  gameId: string;
  roomId: string;
  roomName: string;
  startedAt: number;
  finishedAt: number;
  players: readonly string[];
  scores: readonly number[];
  winners: readonly string[];
  rounds: number;
}) {
  return {
    game_id: game.gameId,
    room_id: game.roomId,
    room_name: game.roomName,
    started_at: game.startedAt,
    finished_at: game.finishedAt,
    players: game.players.map((name, seat) => ({ seat, name, score: game.scores[seat] ?? 0 })),
    winners: game.winners,
    rounds: game.rounds,
  };
}
