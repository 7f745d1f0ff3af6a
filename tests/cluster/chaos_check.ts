// Three cluster nodes on one real redis-server; scripted players (the typed client: redirects, token + last_seq
// resume) and bots play game after game while a seeded, time-bounded chaos script SIGKILLs the owner of a
// playing room and restarts it, SIGSTOPs an owner past its lease and resumes it, and restarts Redis; each game
// opens with its two players joining through two different nodes at once (a creation race). Gates, printed:
// actions lost = 0, applied twice = 0, no seq gap or repeat seen by any client, every game finishes,
// failover p95 <= lease + 2 s. CHAOS_SEED and CHAOS_MS override the seed and the chaos window.

import assert from "node:assert/strict";
import type { WebSocketConstructor } from "../../src/client/socket_port.ts";
import { NO_DELAYS } from "../../src/rooms/settings.ts";
import { connectRedis, parseRedisUrl } from "../../src/store/redis_connection.ts";
import { roomKeys } from "../../src/store/redis_keys.ts";
import { freePort, type ServerProcess, startServer } from "../support/server_process.ts";
import { ChaosPlayer } from "./chaos_player.ts";
import { startRedis } from "./redis_server.ts";

const SEED = Number(Deno.env.get("CHAOS_SEED") ?? 20261202);
const CHAOS_MS = Number(Deno.env.get("CHAOS_MS") ?? 50_000);
const TABLES = 3;
const LEASE_MS = 6_000;
const SECRET = "a-test-secret-that-is-long-enough-1234";
const NODES = ["node-0", "node-1", "node-2"];

function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function hash(text: string): number {
  let h = 2166136261;
  for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

const started = performance.now();
/** One line per chaos step and game, so a stuck run shows where it stopped. */
const note = (text: string) =>
  console.log(`[chaos ${((performance.now() - started) / 1000).toFixed(1)} s] ${text}`);

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

interface Game {
  room: string;
  players: ChaosPlayer[];
  finished: boolean;
}

Deno.test({
  name: "chaos: three nodes, SIGKILL/SIGSTOP owners, Redis restarts, creation races; nothing lost or doubled",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const redis = await startRedis();
    const address = parseRedisUrl(redis.url);
    if (typeof address === "string") throw new Error(address);
    const side = await connectRedis(address, { name: "liaptui:test:chaos" });
    const ports = NODES.map(() => freePort());
    const procs: (ServerProcess | null)[] = NODES.map(() => null);
    const reachable = NODES.map(() => true);
    const random = prng(SEED);
    const games: Game[] = [];
    const failovers: number[] = [];
    const counts = { kills: 0, stops: 0, redisRestarts: 0 };
    /** Every node process started, killed ones included, for their logs. */
    const everyProc: ServerProcess[] = [];

    const start = async (i: number) => {
      procs[i] = await startServer("source", [
        "--port",
        String(ports[i]),
        "--redis-url",
        redis.url,
        "--node-id",
        NODES[i]!,
        "--public-url",
        `http://127.0.0.1:${ports[i]}`,
        "--cluster-secret",
        SECRET,
      ]);
      everyProc.push(procs[i]!);
      reachable[i] = true;
    };
    // A consistent-hash load balancer over the nodes it can reach; player `offset` lands on the next node
    // along, so a table's two players open its room on two nodes at once. `/n/{node}/` goes where it says.
    const balancer = (offset: number): WebSocketConstructor =>
      function (url: string) {
        const target = new URL(url);
        if (!target.pathname.startsWith("/n/")) {
          const up = NODES.map((_, i) => i).filter((i) => reachable[i]);
          const room = target.pathname.split("/").at(-1) ?? "";
          const pick = up.length === 0 ? 0 : up[(hash(room) + offset) % up.length]!;
          target.port = String(ports[pick]);
        }
        return new WebSocket(target.href);
      } as unknown as WebSocketConstructor;

    const playGame = async (table: number, number: number): Promise<void> => {
      const room = `t${table}-g${number}`;
      const players = [0, 1].map((i) =>
        new ChaosPlayer(
          `ws://127.0.0.1:${ports[0]}`,
          room,
          `P${table}${i}`,
          SEED + table * 100 + number * 10 + i,
          balancer(i),
        )
      );
      const game: Game = { room, players, finished: false };
      games.push(game);
      await Promise.all(players.map((p) => p.join()));
      note(`${room}: joined`);
      // Only the host's settings and start count; the other player's are refused, which changes nothing.
      for (let attempt = 0; !players.some((p) => p.dealt); attempt++) {
        assert.ok(attempt < 40, `${room} never started`);
        for (const p of players) {
          p.client.sendRaw(JSON.stringify({
            event: "update_settings",
            data: { ...NO_DELAYS, max_rounds: 2, target_score: 30, reconnect_grace_ms: 300_000 },
          }));
          p.client.sendRaw(JSON.stringify({ event: "start_game", data: { fill_with_bots: true } }));
        }
        await Promise.race([...players.map((p) => p.client.waitFor("hand", () => true, 3_000)), wait(3_000)])
          .catch(() => {});
      }
      note(`${room}: dealt`);
      const over = await Promise.race([
        Promise.all(players.map((p) => p.over)).then(() => true),
        wait(90_000),
      ]);
      if (over !== true) {
        note(`${room}: no game_over within 90 s`);
        await Promise.all(players.map((p) => p.close()));
        return;
      }
      game.finished = true;
      note(`${room}: game over`);
      await Promise.all(players.map((p) => p.close()));
    };

    const tables = async (deadline: number) => {
      await Promise.all(Array.from({ length: TABLES }, async (_, table) => {
        for (let number = 0; number === 0 || performance.now() < deadline; number++) {
          await playGame(table, number);
        }
      }));
    };

    /** The node that owns a room now playing, picked at random; null when none is. */
    const playingOwner = async (): Promise<{ game: Game; node: number } | null> => {
      const playing = games.filter((g) => !g.finished && g.players.some((p) => p.dealt));
      if (playing.length === 0) return null;
      const game = playing[Math.floor(random() * playing.length)]!;
      const owner = await side.hget(roomKeys(game.room).meta, "owner");
      const node = NODES.indexOf(owner ?? "");
      return node < 0 || procs[node] === null ? null : { game, node };
    };

    /** Time from `since` until every player of `game` is connected again (after the owner's death). */
    const backAfter = async (game: Game, since: number): Promise<number | null> => {
      for (let waited = 0; waited < 30_000 && !game.finished; waited += 50) {
        const back = game.players.map((p) => p.connectedAt.find((t) => t > since));
        if (back.every((t) => t !== undefined)) return Math.max(...(back as number[])) - since;
        await wait(50);
      }
      return null;
    };

    const chaos = async (deadline: number) => {
      let lastWasRedis = false;
      while (performance.now() < deadline) {
        await wait(1_000 + random() * 3_000);
        const roll = random();
        const target = await playingOwner();
        // Each step needs a game in play, except a Redis restart, which never comes twice in a row.
        if (target === null && (roll < 0.8 || lastWasRedis)) continue;
        lastWasRedis = roll >= 0.8;
        if (roll < 0.6 && target !== null) {
          // SIGKILL the owner of a playing room at a random moment; restart it a little later.
          const { game, node } = target;
          const killedAt = performance.now();
          reachable[node] = false;
          await procs[node]!.stop("SIGKILL");
          procs[node] = null;
          counts.kills++;
          note(`SIGKILL ${NODES[node]}, owner of ${game.room}`);
          const measured = backAfter(game, killedAt);
          await wait(500 + random() * 1_500);
          await start(node);
          const took = await measured;
          if (took !== null) failovers.push(took);
          note(`${game.room} back after ${took === null ? "(game over first)" : `${Math.round(took)} ms`}`);
        } else if (roll < 0.8 && target !== null) {
          // Split brain: the owner stalls past its lease, another node takes the room, then it wakes up.
          const { node } = target;
          reachable[node] = false;
          Deno.kill(procs[node]!.pid, "SIGSTOP");
          counts.stops++;
          note(`SIGSTOP ${NODES[node]}`);
          await wait(LEASE_MS + 1_500);
          Deno.kill(procs[node]!.pid, "SIGCONT");
          reachable[node] = true;
        } else {
          note("Redis restart");
          await redis.restart();
          counts.redisRestarts++;
        }
      }
    };

    try {
      for (let i = 0; i < NODES.length; i++) await start(i);
      const deadline = performance.now() + CHAOS_MS;
      await Promise.all([tables(deadline), chaos(deadline)]);
      // The side connection comes back by itself after the last Redis restart.
      for (let tries = 0; await side.ping().then(() => false, () => true); tries++) {
        assert.ok(tries < 100, "Redis did not come back");
        await wait(100);
      }

      // ---- gates ------------------------------------------------------------------------------------------
      let lost = 0;
      let twice = 0;
      let forks = 0;
      for (const game of games) {
        const rows = await side.xrange(roomKeys(game.room).log, "-", "+");
        assert.deepEqual(
          rows.map(([id]) => id),
          rows.map((_, i) => `${i + 1}-0`),
          `${game.room}: one gapless log`,
        );
        const field = (fields: string[], name: string) => fields[fields.indexOf(name) + 1]!;
        const actionIds = rows.map(([, f]) => field(f, "a"));
        twice += actionIds.length - new Set(actionIds).size;
        const loggedUpTo = Number(field(rows.at(-1)![1], "ev"));
        // Whatever a client was told must be in the log, and told identically to every member.
        const told = new Map<number, string>();
        for (const player of game.players) {
          for (const [seq, event] of player.bySeq) {
            if (seq > loggedUpTo) lost++;
            const other = told.get(seq);
            if (other !== undefined && other !== event) forks++;
            told.set(seq, event);
          }
        }
      }
      const gaps = games.flatMap((g) => g.players).reduce((n, p) => n + p.gaps, 0);
      const reconnectGaps = games.flatMap((g) => g.players).reduce((n, p) => n + p.reconnectGaps, 0);
      const resumes = games.flatMap((g) => g.players).reduce((n, p) => n + p.resumes, 0);
      const repeats = games.flatMap((g) => g.players).reduce((n, p) => n + p.repeats, 0);
      const unfinished = games.filter((g) => !g.finished).length;
      // A node SIGSTOPped past its lease finds, on waking, that its renewals fail: it stops the room itself.
      const fencedNodes = everyProc.filter((p) => /lost its lease/.test(p.output())).length;
      const p95 = percentile(failovers, 95);
      console.log(
        `chaos (seed ${SEED}, ${Math.round(CHAOS_MS / 1000)} s): ${games.length} games, ` +
          `${counts.kills} SIGKILLs, ${counts.stops} SIGSTOPs, ${counts.redisRestarts} Redis restarts, ` +
          `${games.length} creation races; nodes that fenced themselves: ${fencedNodes}`,
      );
      console.log(
        `gates: actions lost ${lost + forks}, applied twice ${twice}, seq gaps ${gaps} in the stream and ` +
          `${reconnectGaps} on coming back (server resumes: ${resumes}), seq repeats ${repeats}, ` +
          `unfinished games ${unfinished}, failover p50 ${Math.round(percentile(failovers, 50))} ms ` +
          `p95 ${Math.round(p95)} ms over ${failovers.length} kills (gate ${LEASE_MS + 2_000} ms)`,
      );
      assert.equal(lost + forks, 0, "actions lost");
      assert.equal(twice, 0, "actions applied twice");
      assert.equal(gaps, 0, "seq gaps seen by clients in the stream");
      // On coming back, only a server that replays from last_seq (`resumed`, the resume branch) closes the
      // hole; one that answers with a game_state snapshot leaves it (the snapshot covers it, as state). Until
      // resume is merged here the comeback gaps are printed, not gated; with it they are gated too.
      if (resumes > 0) assert.equal(reconnectGaps, 0, "seq gaps seen by clients coming back");
      assert.equal(repeats, 0, "seq repeats seen by clients");
      assert.equal(unfinished, 0, "every game finishes");
      assert.ok(counts.kills > 0, "the chaos script killed an owner at least once");
      if (counts.stops > 0) assert.ok(fencedNodes > 0, "a stalled owner fenced itself on waking");
      assert.ok(failovers.length > 0 && p95 <= LEASE_MS + 2_000, `failover p95 ${p95} ms`);
    } finally {
      for (const proc of procs) {
        if (proc === null) continue;
        try {
          Deno.kill(proc.pid, "SIGCONT");
        } catch {
          // Already gone.
        }
        await proc.stop("SIGKILL");
      }
      side.disconnect();
      await redis.stop();
    }
  },
});
