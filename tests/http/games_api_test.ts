// GET /api/games and /api/games/{id} through Hono's app.request(), over a memory archive.

import assert from "node:assert/strict";
import { Hono } from "hono";
import { mountGamesApi } from "../../src/http/games_api.ts";
import { memoryStore } from "../../src/store/memory_store.ts";
import type { FinishedGame } from "../../src/store/ports.ts";

function game(n: number): FinishedGame {
  return {
    gameId: `R${n}-1`,
    roomId: `R${n}`,
    roomName: `Table ${n}`,
    startedAt: 1_000 * n,
    finishedAt: 1_000 * n + 500,
    seed: n,
    players: ["Ann", "Bo", "Bot 3", "Bot 4"],
    scores: [n, 2, 3, 4],
    winners: ["Ann"],
    rounds: 3,
    actions: [{ type: "start" }, { type: "advance" }],
    settings: { target_score: 50 },
  };
}

async function app(games: number) {
  const store = memoryStore();
  for (let n = 1; n <= games; n++) await store.archive.put(game(n));
  const hono = new Hono();
  mountGamesApi(hono, store.archive);
  return hono;
}

Deno.test("GET /api/games pages finished games newest first with next_cursor", async () => {
  const hono = await app(5);
  const first = await (await hono.request("/api/games?limit=2")).json();
  assert.deepEqual(first.games.map((g: { game_id: string }) => g.game_id), ["R5-1", "R4-1"]);
  assert.deepEqual(first.games[0].players[0], { seat: 0, name: "Ann", score: 5 });
  assert.equal("actions" in first.games[0], false);
  const ids: string[] = [];
  for (let cursor: string | null = null, pages = 0; pages < 10; pages++) {
    const url: string = `/api/games?limit=2${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`;
    const page = await (await hono.request(url)).json();
    ids.push(...page.games.map((g: { game_id: string }) => g.game_id));
    cursor = page.next_cursor;
    if (cursor === null) break;
  }
  assert.deepEqual(ids, ["R5-1", "R4-1", "R3-1", "R2-1", "R1-1"]);
  const all = await (await hono.request("/api/games")).json();
  assert.equal(all.games.length, 5);
  assert.equal(all.next_cursor, null);
});

Deno.test("GET /api/games refuses a bad limit or cursor with 400", async () => {
  const hono = await app(1);
  for (const query of ["limit=0", "limit=101", "limit=x", "cursor=nonsense"]) {
    const response = await hono.request(`/api/games?${query}`);
    assert.equal(response.status, 400, query);
    assert.ok(typeof (await response.json()).error === "string");
  }
});

Deno.test("GET /api/games/{id} returns the game with seed, settings and actions; unknown ids are 404", async () => {
  const hono = await app(2);
  const response = await hono.request("/api/games/R2-1");
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.room_name, "Table 2");
  assert.equal(body.seed, 2);
  assert.deepEqual(body.actions, [{ type: "start" }, { type: "advance" }]);
  assert.deepEqual(body.settings, { target_score: 50 });
  assert.equal((await hono.request("/api/games/R9-1")).status, 404);
  assert.equal((await hono.request("/api/games/bad%20id")).status, 404);
});

Deno.test("a game of a reopened room id (log id `R~2`) is listed, paged past and found by its id", async () => {
  const store = memoryStore();
  await store.archive.put(game(1));
  await store.archive.put({ ...game(2), gameId: "R1~2-4", roomId: "R1", finishedAt: 9_000 });
  const hono = new Hono();
  mountGamesApi(hono, store.archive);
  const first = await (await hono.request("/api/games?limit=1")).json();
  assert.deepEqual(first.games.map((g: { game_id: string }) => g.game_id), ["R1~2-4"]);
  const next = await hono.request(`/api/games?limit=1&cursor=${encodeURIComponent(first.next_cursor)}`);
  assert.equal(next.status, 200, "a cursor that ends on such a game reads on");
  assert.deepEqual((await next.json()).games.map((g: { game_id: string }) => g.game_id), ["R1-1"]);
  const found = await hono.request("/api/games/R1~2-4");
  assert.equal(found.status, 200);
  assert.equal((await found.json()).room_id, "R1");
});
