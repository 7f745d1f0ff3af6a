// A room id whose first room finished, opened again on a cluster: its game lives in the id's next log
// generation (`id~2`), which every node derives, so when the owner is SIGKILLed the other node finds that log
// by the room id and takes the game over (same seq, the game finishes); and two nodes racing to reopen one
// finished id end with exactly one owner, the other redirecting.

import assert from "node:assert/strict";
import type { Redis } from "ioredis";
import { roomKeys } from "../../src/store/redis_keys.ts";
import { AutoPlayer } from "../support/auto_player.ts";
import { binaryExists, type ServerProcess } from "../support/server_process.ts";
import { TestClient } from "../support/ws_client.ts";
import { broadcastSeqs, followRedirect, raceJoins, seatFour, withCluster } from "./cluster_fixture.ts";

const NAMES = ["Ann", "Bo", "Cy", "Di"];

/** Opens `room` on `node` with one player who then leaves, so the room closes and its log is finished. */
async function openAndFinish(side: Redis, node: ServerProcess, room: string): Promise<void> {
  const client = await TestClient.connect(`${node.wsUrl}/ws/${room}`);
  try {
    await client.next("connected");
    client.send("join_room", { player_name: "Early" }, "j");
    await client.next("joined_room");
    client.send("leave_room", {}, "l");
    await client.next("left_room");
  } finally {
    await client.close();
  }
  let status: string | null = null;
  for (let i = 0; i < 400 && status !== "finished"; i++) {
    status = await side.hget(roomKeys(room).meta, "status");
    if (status !== "finished") await new Promise((r) => setTimeout(r, 25));
  }
  assert.equal(status, "finished", `${room}'s first room closed for good`);
}

/** `promise`, or a failure naming `what` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function gameView(client: TestClient): Promise<Record<string, unknown>> {
  const id = `gs-${crypto.randomUUID().slice(0, 6)}`;
  client.send("get_state", {}, id);
  const state = await client.next("game_state", (m) => m.id === id);
  return state.data!.game as Record<string, unknown>;
}

/** Connects with the token until a node serves the room (redirects are retried, bounded). */
async function comeBack(url: string, room: string, token: string): Promise<TestClient> {
  for (let attempt = 1; attempt <= 200; attempt++) {
    const client = await TestClient.connect(`${url}/ws/${room}?token=${token}`);
    const first = await Promise.race([client.next("connected", () => true, 10_000), client.next("redirect")]);
    if (first.event === "connected") return client;
    await client.close();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no node took ${room} back`);
}

for (const target of ["source", "binary"] as const) {
  Deno.test({
    name: `[${target}] a reopened room id's game is taken over by the other node when its owner is SIGKILLed`,
    ignore: target === "binary" && !binaryExists(),
    async fn() {
      const room = "reused";
      await withCluster(async ({ side, start }) => {
        const players: AutoPlayer[] = [];
        const clients: TestClient[] = [];
        try {
          const a = await start("node-a", { target });
          const b = await start("node-b", { target });
          await openAndFinish(side, a, room);

          players.push(...await seatFour(a.wsUrl, room, 300));
          const host = players[0]!.client;
          host.send("start_game", { fill_with_bots: false });
          await host.next("round_scores", () => true, 30_000);
          for (const player of players) player.silent = true;
          for (const player of players) await player.client.roundTrip();
          for (const player of players) await player.client.roundTrip();
          const tokens = players.map((p) =>
            p.client.received.find((m) => m.event === "joined_room")!.data!.session_token as string
          );
          const before = await Promise.all(players.map((p) => gameView(p.client)));
          const lastSeq = Math.max(...broadcastSeqs(host.received));

          await a.stop("SIGKILL");
          await Promise.all(players.map((p) => p.stop()));
          players.length = 0;

          const returned: TestClient[] = [];
          for (const token of tokens) {
            const client = await comeBack(b.wsUrl, room, token);
            clients.push(client);
            await client.next("game_state", () => true, 10_000);
            returned.push(client);
          }
          assert.match(b.output(), new RegExp(`took over room ${room} \\(\\d+ logged actions replayed\\)`));
          assert.equal(await side.hget(roomKeys(`${room}~2`).meta, "owner"), "node-b");
          const after = await Promise.all(returned.map((c) => gameView(c)));
          for (const [i, name] of NAMES.entries()) {
            assert.deepEqual(after[i], before[i], `${name} finds the same round, scores, turn and hand`);
          }
          for (const client of returned) {
            const seqs = broadcastSeqs(client.received);
            assert.ok(seqs[0]! > lastSeq, `seq continues past ${lastSeq}`);
          }
          for (const [i, name] of NAMES.entries()) {
            players.push(AutoPlayer.adopt(returned[i]!, name, { seed: 400 + i }));
          }
          await returned[0]!.next("game_over", () => true, 60_000);
          for (const player of players) {
            assert.deepEqual(player.refusals, []);
            const seqs = broadcastSeqs(player.client.received);
            assert.deepEqual(
              seqs,
              seqs.map((_, i) => seqs[0]! + i),
              `${player.name} saw no gap until the end`,
            );
          }
          const log = await side.xrange(roomKeys(`${room}~2`).log, "-", "+");
          assert.ok(log.length > lastSeq / 2, "the game is in the second generation's log");
          assert.deepEqual(log.map(([id]) => id), log.map((_, i) => `${i + 1}-0`), "one log without a gap");
          const actionIds = log.map(([, fields]) => fields[fields.indexOf("a") + 1]);
          assert.equal(new Set(actionIds).size, actionIds.length, "no action stored twice");
          assert.equal(await side.exists(roomKeys(`${room}~3`).meta), 0, "no third generation was opened");
        } finally {
          await Promise.all(players.map((p) => p.stop()));
          await Promise.all(clients.map((c) => c.close()));
        }
      });
    },
  });
}

Deno.test("two nodes racing to reopen one finished room id: one owns it, the other redirects", async () => {
  const ROUNDS = 8;
  await withCluster(async ({ side, start }) => {
    const clients: TestClient[] = [];
    try {
      const a = await start("node-a");
      const b = await start("node-b");
      for (let round = 0; round < ROUNDS; round++) {
        const room = `again-${round}`;
        await openAndFinish(side, round % 2 === 0 ? a : b, room);
        const race = await raceJoins(a, b, room, clients);
        assert.deepEqual(
          race.answers.map((m) => m.event).sort(),
          ["joined_room", "redirect"],
          `round ${round}: one joins, one is redirected`,
        );
        const [owner, winner] = race.joinedThrough === 0 ? ["node-a", a] as const : ["node-b", b] as const;
        assert.equal(race.redirect!.data!.url, `${winner.wsUrl}/n/${owner}/ws/${room}`);
        assert.equal(await side.hget(roomKeys(`${room}~2`).meta, "owner"), owner);

        const joined = await followRedirect(race.redirect!, race.loserName, clients);
        const seats = (joined.data!.room as { seats: unknown[] }).seats;
        assert.equal(seats.filter((p) => p !== null).length, 2, `round ${round}: both players in one room`);
        const log = await side.xrange(roomKeys(`${room}~2`).log, "-", "+");
        assert.deepEqual(log.map(([id]) => id), ["1-0", "2-0"], `${room}~2: two joins, one log`);
        assert.equal(await side.exists(roomKeys(`${room}~3`).meta), 0, `${room}: no other log was opened`);
        await Promise.all(clients.splice(0).map((c) => c.close()));
      }
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});

Deno.test("[source] the stalled owner of a reopened room id lets that room go when it wakes, under the id players know", async () => {
  const room = "stalled";
  await withCluster(async ({ side, start, pause, resume }) => {
    const stale: AutoPlayer[] = [];
    const clients: TestClient[] = [];
    try {
      const a = await start("node-a");
      const b = await start("node-b");
      // The first room lives on B, so the only lease A holds for this id is its second log's.
      await openAndFinish(side, b, room);
      stale.push(...await seatFour(a.wsUrl, room, 500));
      const tokens = stale.map((p) =>
        p.client.received.find((m) => m.event === "joined_room")!.data!.session_token as string
      );
      for (const player of stale) player.silent = true;

      pause(a);
      for (const token of tokens) clients.push(await comeBack(b.wsUrl, room, token));
      assert.equal(await side.hget(roomKeys(`${room}~2`).meta, "owner"), "node-b");

      // A wakes: its lease was on `stalled~2`; the room it stops, and whose sockets it sends away, is `stalled`.
      resume(a);
      for (const player of stale) {
        const closed = await within(player.client.closed, 15_000, `${player.name}'s stale socket to close`);
        assert.equal(closed.code, 1013, `${player.name}'s stale socket is sent away`);
      }
      assert.match(a.output(), new RegExp(`room ${room} lost its lease`));
      const health = await (await fetch(`${a.url}/healthz`)).json() as { rooms: number };
      assert.equal(health.rooms, 0, "no room is left on the stale owner");
    } finally {
      await Promise.all(stale.map((p) => p.stop()));
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});
