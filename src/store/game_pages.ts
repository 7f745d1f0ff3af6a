// Paging through finished games, newest first: the cursor format every archive shares, and the in-memory page.

import type { FinishedGame, GamePage } from "./ports.ts";

/** Where a page ended: the last game's finish time and id (ties on time are broken by id). */
export interface GameCursor {
  finishedAt: number;
  gameId: string;
}

export function encodeCursor(game: { finishedAt: number; gameId: string }): string {
  return `${game.finishedAt}.${game.gameId}`;
}

/** The cursor a client sent back, or null if it is not one of ours (the caller answers 400). */
export function decodeCursor(text: string): GameCursor | null {
  const match = /^(\d{1,16})\.([A-Za-z0-9_~-]{1,80})$/.exec(text);
  return match === null ? null : { finishedAt: Number(match[1]), gameId: match[2]! };
}

/** Whether `game` comes after `cursor` in newest-first order. */
export function after(game: { finishedAt: number; gameId: string }, cursor: GameCursor): boolean {
  return game.finishedAt < cursor.finishedAt ||
    (game.finishedAt === cursor.finishedAt && game.gameId < cursor.gameId);
}

/** Summary fields of a game: what a list shows without the action log. */
export function summaryOf(game: FinishedGame): GamePage["games"][number] {
  const { actions: _actions, seed: _seed, settings: _settings, ...summary } = game;
  return summary;
}

/** One newest-first page out of every game (the memory archive's query). */
export function pageOfGames(games: readonly FinishedGame[], limit: number, cursor: string | null): GamePage {
  const from = cursor === null ? null : decodeCursor(cursor);
  const sorted = [...games].sort((a, b) =>
    b.finishedAt - a.finishedAt || (a.gameId < b.gameId ? 1 : a.gameId > b.gameId ? -1 : 0)
  );
  const rest = from === null ? sorted : sorted.filter((g) => after(g, from));
  const page = rest.slice(0, limit);
  const last = page.at(-1);
  return {
    games: page.map((g) => structuredClone(summaryOf(g))),
    next: rest.length > limit && last !== undefined ? encodeCursor(last) : null,
  };
}
