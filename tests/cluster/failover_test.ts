// Two cluster nodes on one redis-server, over real sockets: a node that does not own a room redirects its
// sockets in-band to the owner's own path; when the owner is killed (SIGKILL) mid-game, the other node takes
// the room over on the players' next connection once the lease lapses, they come back with their tokens to
// the same round, hands and scores, seq goes on, and the game finishes with one log and no repeated action.

import assert from "node:assert/strict";
import { roomKeys } from "../../src/store/redis_keys.ts";
import { AutoPlayer } from "../support/auto_player.ts";
import { binaryExists } from "../support/server_process.ts";
import { TestClient } from "../support/ws_client.ts";
import { broadcastSeqs, seatFour, withCluster } from "./cluster_fixture.ts";

const NAMES = ["Ann", "Bo", "Cy", "Di"];
const ROOM = "failover";

async function gameView(client: TestClient): Promise<Record<string, unknown>> {
  const id = `gs-${crypto.randomUUID().slice(0, 6)}`;
  client.send("get_state", {}, id);
  const state = await client.next("game_state", (m) => m.id === id);
  return state.data!.game as Record<string, unknown>;
}

/** Connects with the token until a node serves the room (redirects and refusals are retried, bounded). */
async function comeBack(urls: string[], token: string): Promise<{ client: TestClient; attempts: number }> {
  for (let attempt = 1; attempt <= 200; attempt++) {
    const url = urls[attempt % urls.length]!;
    let client: TestClient;
    try {
      client = await TestClient.connect(`${url}/ws/${ROOM}?token=${token}`);
    } catch {
      await new Promise((r) => setTimeout(r, 50));
      continue; // That node is down.
    }
    const first = await Promise.race([client.next("connected"), client.next("redirect")]);
    if (first.event === "connected") return { client, attempts: attempt };
    await client.close();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("no node took the room back");
}

for (const target of ["source", "binary"] as const) {
  Deno.test({
    name:
      `[${target}] two nodes: redirect to the owner, then SIGKILL the owner mid-game and the other takes over`,
    ignore: target === "binary" && !binaryExists(),
    async fn() {
      await withCluster(async ({ side, start }) => {
        const players: AutoPlayer[] = [];
        const clients: TestClient[] = [];
        try {
          const a = await start("node-a", { target });
          const b = await start("node-b", { target });
          players.push(...await seatFour(a.wsUrl, ROOM, 700));
          const host = players[0]!.client;

          // Node B's lobby lists the room that lives on node A.
          const lobbyB = await TestClient.connect(`${b.wsUrl}/ws/lobby`);
          clients.push(lobbyB);
          for (let asked = 0;; asked++) {
            lobbyB.send("refresh_rooms", {}, `r${asked}`);
            const list = await lobbyB.next("room_list", (m) => m.id === `r${asked}`);
            const rooms = list.data!.rooms as { room_id: string }[];
            if (rooms.some((r) => r.room_id === ROOM)) break;
            assert.ok(asked < 100, "node B's lobby never listed node A's room");
            await new Promise((r) => setTimeout(r, 50));
          }

          // Node B does not own the room: its socket hears where the room is, then closes with 4010.
          const visitor = await TestClient.connect(`${b.wsUrl}/ws/${ROOM}`);
          clients.push(visitor);
          const redirect = await visitor.next("redirect");
          assert.equal(redirect.data!.url, `${a.wsUrl}/n/node-a/ws/${ROOM}`);
          assert.equal((await visitor.closed).code, 4010);
          const direct = await TestClient.connect(redirect.data!.url as string);
          clients.push(direct);
          await direct.next("connected");
          await direct.close();

          host.send("start_game", { fill_with_bots: false });
          await host.next("round_scores", () => true, 30_000);
          for (const player of players) player.silent = true;
          for (const player of players) await player.client.roundTrip();
          for (const player of players) await player.client.roundTrip();
          const tokens = players.map((p) =>
            p.client.received.find((m) => m.event === "joined_room")!.data!.session_token as string
          );
          for (const token of tokens) assert.match(token, /^[\w-]{22}\.[\w-]{22}$/, "tokens are signed");
          const before = await Promise.all(players.map((p) => gameView(p.client)));
          const lastSeq = Math.max(...broadcastSeqs(host.received));

          const killedAt = performance.now();
          await a.stop("SIGKILL");
          await Promise.all(players.map((p) => p.stop()));
          players.length = 0;

          const returned: TestClient[] = [];
          for (const token of tokens) {
            const { client } = await comeBack([b.wsUrl], token);
            clients.push(client);
            await client.next("game_state");
            returned.push(client);
          }
          const failoverMs = performance.now() - killedAt;
          assert.ok(failoverMs < 6_000 + 2_000 + 2_000, `failover took ${Math.round(failoverMs)} ms`);
          assert.match(b.output(), /took over room failover \(\d+ logged actions replayed\)/);
          assert.equal(await side.hget(roomKeys(ROOM).meta, "owner"), "node-b");

          const after = await Promise.all(returned.map((c) => gameView(c)));
          for (const [i, name] of NAMES.entries()) {
            assert.deepEqual(after[i], before[i], `${name} finds the same round, scores, turn and hand`);
          }
          for (const client of returned) {
            const seqs = broadcastSeqs(client.received);
            assert.ok(seqs[0]! > lastSeq, `seq continues past ${lastSeq}`);
            assert.deepEqual(seqs, seqs.map((_, i) => seqs[0]! + i), "contiguous from the reconnect on");
          }
          for (const [i, name] of NAMES.entries()) {
            players.push(AutoPlayer.adopt(returned[i]!, name, { seed: 900 + i }));
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
          const log = await side.xrange(roomKeys(ROOM).log, "-", "+");
          assert.deepEqual(log.map(([id]) => id), log.map((_, i) => `${i + 1}-0`), "one log without a gap");
          const actionIds = log.map(([, fields]) => fields[fields.indexOf("a") + 1]);
          assert.equal(new Set(actionIds).size, actionIds.length, "no action stored twice");
          console.log(`failover: ${Math.round(failoverMs)} ms after SIGKILL (lease 6000 ms)`);
        } finally {
          await Promise.all(players.map((p) => p.stop()));
          await Promise.all(clients.map((c) => c.close()));
        }
      });
    },
  });
}
