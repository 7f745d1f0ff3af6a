// End-to-end: strangers cannot grow the server's memory. Sockets to made-up room ids, rooms opened and
// left, garbage frames — afterwards the server holds no trace of them; and one address cannot open more
// than its share of rooms.

import assert from "node:assert/strict";
import { createRng, random as nextRandom } from "../../src/game/prng.ts";
import { ignoreTarget, type ServerProcess, TARGETS, withServer } from "../support/server_process.ts";
import { TestClient } from "../support/ws_client.ts";

const SOCKETS = 10_000;
const AT_ONCE = 100;

interface Gauges {
  connections: number;
  rooms: number;
  queued: number;
  statsEntries: number;
  roomOwners: number;
}

async function gauges(server: ServerProcess): Promise<Gauges> {
  const text = await fetch(`${server.url}/metrics`).then((r) => r.text());
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
  const connections = [...text.matchAll(/^liaptui_connections\{endpoint="\w+"\} (\d+)$/gm)]
    .reduce((sum, m) => sum + Number(m[1]), 0);
  const rooms = [...text.matchAll(/^liaptui_rooms\{phase="\w+"\} (\d+)$/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
  return {
    connections,
    rooms,
    queued: read("liaptui_queued_connections"),
    statsEntries: read("liaptui_channel_stats_entries"),
    roomOwners: read("liaptui_room_owner_entries"),
  };
}

/** One stranger: connects to a random id, maybe opens the room and leaves it, maybe sends garbage, goes. */
async function stranger(server: ServerProcess, id: string, kind: number): Promise<void> {
  const client = await TestClient.connect(`${server.wsUrl}/ws/${id}`);
  try {
    await client.next("connected");
    if (kind === 0) {
      client.send("join_room", { player_name: "Stranger" });
      await client.next("joined_room");
      client.send("leave_room", {});
      await client.next("left_room");
    } else if (kind === 1) {
      client.sendRaw("\u0000not json");
      await client.nextError();
    }
  } finally {
    await client.close();
  }
}

for (const target of TARGETS) {
  Deno.test({
    name: `[${target}] ${SOCKETS} sockets to random room ids leave no connection, room or statistics behind`,
    ignore: ignoreTarget(target),
    async fn() {
      await withServer(target, ["--max-connections-per-address", String(AT_ONCE * 2)], async (server) => {
        const rng = createRng(9);
        const ids = Array.from(
          { length: SOCKETS },
          (_, i) => `s${i}-${Math.floor(nextRandom(rng) * 1e9).toString(36)}`,
        );
        let next = 0;
        let done = 0;
        const worker = async () => {
          while (next < ids.length) {
            const i = next++;
            await stranger(server, ids[i]!, i % 10);
            done += 1;
          }
        };
        await Promise.all(Array.from({ length: AT_ONCE }, worker));
        assert.equal(done, SOCKETS);

        let state = await gauges(server);
        // The server forgets a socket when its close arrives, a moment after the client saw it closed.
        for (let i = 0; i < 200 && state.connections > 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 25));
          state = await gauges(server);
        }
        assert.deepEqual(state, { connections: 0, rooms: 0, queued: 0, statsEntries: 0, roomOwners: 0 });
        const health = await fetch(`${server.url}/healthz`).then((r) => r.json());
        assert.deepEqual([health.connections, health.rooms], [0, 0]);
      });
    },
  });

  Deno.test({
    name:
      `[${target}] one address opens at most --max-rooms-per-address rooms, and gets its share back as they close`,
    ignore: ignoreTarget(target),
    async fn() {
      await withServer(target, ["--max-rooms-per-address", "2"], async (server) => {
        const clients: TestClient[] = [];
        const open = async (path: string) => {
          const client = await TestClient.connect(`${server.wsUrl}${path}`);
          clients.push(client);
          return client;
        };
        try {
          const lobby = await open("/ws/lobby");
          await lobby.next("room_list");
          lobby.send("create_room", { room_name: "One", player_name: "Ann" }, "c1");
          const created = await lobby.next("room_created", (m) => m.id === "c1");
          const second = await open("/ws/quota-two");
          await second.next("connected");
          second.send("join_room", { player_name: "Bo" });
          await second.next("joined_room");

          const third = await open("/ws/quota-three");
          await third.next("connected");
          third.send("join_room", { player_name: "Cy" }, "j3");
          const refused = await third.nextError();
          assert.equal(refused.error?.code, "ROOM_FULL");
          assert.deepEqual(refused.error?.details, { limit: 2 });
          lobby.send("create_room", { room_name: "Three", player_name: "Di" }, "c2");
          assert.equal((await lobby.nextError()).error?.code, "ROOM_FULL");
          assert.equal((await gauges(server)).rooms, 2, "the refusals opened nothing");

          // Joining a room someone else opened is not opening one.
          const guest = await open(`/ws/${created.data?.room_id}`);
          await guest.next("connected");
          guest.send("join_room", { player_name: "Guest" });
          await guest.next("joined_room");

          second.send("leave_room", {});
          await second.next("left_room");
          third.send("join_room", { player_name: "Cy" });
          await third.next("joined_room");
        } finally {
          await Promise.all(clients.map((c) => c.close()));
        }
      });
    },
  });
}
