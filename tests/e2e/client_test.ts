// The typed client against the real server (source, and the binary when built): join, a dropped socket that
// comes back by itself to the same seat, a session taken over elsewhere, a bogus token, a server shutdown.

import assert from "node:assert/strict";
import { type Client, type ClientOptions, roomClient } from "../../src/client/client.ts";
import type { RoomChannel } from "../../src/client/channel.ts";
import type { ClientStatus } from "../../src/client/client_status.ts";
import { memoryTokenStore } from "../../src/client/token_store.ts";
import { ignoreTarget, startServer, TARGETS, withServer } from "../support/server_process.ts";

/** Real sockets, remembered so a test can drop one under the client's feet. */
function trackedSockets(): { WebSocket: typeof WebSocket; sockets: WebSocket[] } {
  const sockets: WebSocket[] = [];
  const Tracked = class extends WebSocket {
    constructor(url: string | URL) {
      super(url);
      sockets.push(this);
    }
  };
  return { WebSocket: Tracked, sockets };
}

function options(extra: ClientOptions = {}): ClientOptions {
  // Short backoff keeps the test quick; liveness off because the test stops servers on purpose.
  return { backoff: { initialMs: 20, maxMs: 200 }, liveness: false, ...extra };
}

function statusLog(client: Client<RoomChannel>): ClientStatus[] {
  const log: ClientStatus[] = [];
  client.onStatus((status) => log.push(status));
  return log;
}

/** Resolves when the client reaches a status matching `match`. */
function reaches(
  client: Client<RoomChannel>,
  match: (status: ClientStatus) => boolean,
): Promise<ClientStatus> {
  if (match(client.status)) return Promise.resolve(client.status);
  return new Promise((resolve) => {
    const off = client.onStatus((status) => {
      if (!match(status)) return;
      off();
      resolve(status);
    });
  });
}

for (const target of TARGETS) {
  const ignore = ignoreTarget(target);

  Deno.test({
    name: `[${target}] the client joins, and after its socket drops it reconnects by itself to the same seat`,
    ignore,
    fn: () =>
      withServer(target, [], async (server) => {
        const net = trackedSockets();
        const tokens = memoryTokenStore();
        // Bo's reconnect waits (a fixed 30 s backoff) until the test releases it with reconnectNow().
        const hold = { backoff: { initialMs: 60_000, maxMs: 60_000 }, random: () => 0.5 };
        const bo = roomClient(server.url, "e2e-back", options({ WebSocket: net.WebSocket, tokens, ...hold }));
        const ann = roomClient(server.url, "e2e-back", options());
        try {
          await Promise.all([ann.connect(), bo.connect()]);
          const annJoined = await ann.request("join_room", { player_name: "Ann" });
          assert.equal(annJoined.data.seat, 0);
          const joined = await bo.request("join_room", { player_name: "Bo" });
          assert.equal(joined.data.seat, 1);
          assert.equal(joined.data.room.seats[1]?.name, "Bo");
          assert.equal(typeof joined.data.session_token, "string");
          assert.equal(bo.token, joined.data.session_token);
          assert.equal(tokens.get("e2e-back"), joined.data.session_token);
          const chat = bo.waitFor("chat");
          ann.send("chat", { message: "before" });
          await chat;
          const seqBefore = bo.lastSeq;
          assert.ok(seqBefore !== null && seqBefore >= 3, `seq so far: ${seqBefore}`);

          const log = statusLog(bo);
          // Back within the resume buffer: Bo is replayed what he missed (his own player_disconnected), then
          // player_reconnected follows live, then resumed {recovered: true}, and no game_state.
          const resumed = bo.waitFor("resumed", () => true, 10_000);
          const backForBo = bo.waitFor("player_reconnected", (m) => m.data.player_name === "Bo", 10_000);
          const backForAnn = ann.waitFor("player_reconnected", (m) => m.data.player_name === "Bo", 10_000);
          const snapshots: unknown[] = [];
          bo.on("game_state", (data) => snapshots.push(data));
          const away = ann.waitFor("player_disconnected");
          net.sockets[0]!.close(4000, "test drops the socket");
          // Released once Ann has heard of the drop, so player_disconnected is stored and kept for the replay;
          // a reconnect that raced the store would get it live instead, and the replay would be empty.
          await Promise.all([away, reaches(bo, (status) => status.state === "reconnecting")]);
          bo.reconnectNow();
          const resume = await resumed;
          const back = await backForAnn;
          await backForBo;
          assert.deepEqual(log.map((s) => s.state), ["reconnecting", "connecting", "open"]);
          assert.equal(net.sockets.length, 2);
          const url = new URL(net.sockets[1]!.url);
          assert.equal(url.searchParams.get("token"), joined.data.session_token);
          assert.equal(url.searchParams.get("last_seq"), String(seqBefore));
          assert.deepEqual(resume.data, { replayed: 1, recovered: true }, "the missed player_disconnected");
          assert.equal(back.data.seat, 1, "the same seat");
          assert.deepEqual(snapshots, [], "a recovered resume sends no game_state");
          assert.equal(bo.lastSeq, back.seq, "Bo is level with the room");

          // The stream goes on from there with no duplicate delivered and nothing missing.
          const seqs: number[] = [];
          bo.onMessage((m) => {
            if (m.event !== "error" && m.seq !== undefined) seqs.push(m.seq);
          });
          const after = bo.waitFor("chat", (m) => m.data.message === "after");
          ann.send("chat", { message: "after" });
          await after;
          assert.deepEqual(seqs, [back.seq! + 1]);
          assert.equal(bo.duplicates, 0);
        } finally {
          await Promise.all([ann.close(), bo.close()]);
        }
      }),
  });

  Deno.test({
    name:
      `[${target}] a client whose session connects elsewhere stops with session_replaced and does not fight back`,
    ignore,
    fn: () =>
      withServer(target, [], async (server) => {
        const first = roomClient(server.url, "e2e-tabs", options());
        await first.connect();
        const joined = await first.request("join_room", { player_name: "Ann" });
        const second = roomClient(
          server.url,
          "e2e-tabs",
          options({ tokens: { get: () => joined.data.session_token, set() {}, delete() {} } }),
        );
        try {
          const connected = second.waitFor("connected");
          await second.connect();
          assert.equal((await connected).data.player_name, "Ann");
          assert.deepEqual(await first.closed, {
            code: 4001,
            reason: "session replaced by a newer connection",
            cause: "session_replaced",
          });
          const pong = await second.request("ping", {});
          assert.equal(typeof pong.data.server_time, "number");
        } finally {
          await Promise.all([first.close(), second.close()]);
        }
      }),
  });

  Deno.test({
    name: `[${target}] a made-up token is refused: the client drops it and stays on the channel as a visitor`,
    ignore,
    fn: () =>
      withServer(target, [], async (server) => {
        const tokens = memoryTokenStore();
        tokens.set("e2e-bogus", "not-a-real-token");
        const client = roomClient(server.url, "e2e-bogus", options({ tokens }));
        try {
          const refused = client.waitFor("error");
          await client.connect();
          assert.equal((await refused).error.code, "AUTHENTICATION_FAILED");
          assert.equal(client.token, null);
          assert.equal(tokens.get("e2e-bogus"), null);
          const joined = await client.request("join_room", { player_name: "Cy" });
          assert.equal(joined.data.player_name, "Cy");
          assert.equal(client.token, joined.data.session_token);
        } finally {
          await client.close();
        }
      }),
  });

  Deno.test({
    name: `[${target}] a visitor who stays while the room closes and reopens sees the new room's events`,
    ignore,
    fn: () =>
      withServer(target, [], async (server) => {
        const visitor = roomClient(server.url, "e2e-again", options());
        const ann = roomClient(server.url, "e2e-again", options());
        const bo = roomClient(server.url, "e2e-again", options());
        try {
          await Promise.all([visitor.connect(), ann.connect(), bo.connect()]);
          const joins: string[] = [];
          visitor.on("player_joined", (data) => joins.push(data.player_name));
          await ann.request("join_room", { player_name: "Ann" });
          await ann.request("leave_room"); // the last human left: the room closes
          const seen = visitor.waitFor("player_joined", (m) => m.data.player_name === "Bo");
          await bo.request("join_room", { player_name: "Bo" }); // a new room under the same id
          await seen;
          assert.deepEqual(joins, ["Ann", "Bo"]);
          assert.equal(visitor.lastSeq, 1, "the new room's stream starts again at 1");
        } finally {
          await Promise.all([visitor.close(), ann.close(), bo.close()]);
        }
      }),
  });

  Deno.test({
    name:
      `[${target}] a server shutting down (1001) sends the client into reconnecting; close() then stops it`,
    ignore,
    fn: async () => {
      const server = await startServer(target);
      const client = roomClient(server.url, "e2e-down", options());
      try {
        await client.connect();
        await client.request("join_room", { player_name: "Di" });
        const reconnecting = reaches(client, (s) => s.state === "reconnecting");
        assert.equal(await server.stop(), 0, "the server shut down cleanly");
        const status = await reconnecting;
        assert.ok(status.state === "reconnecting" && status.code === 1001, JSON.stringify(status));
      } finally {
        assert.equal((await client.close()).cause, "closed");
      }
    },
  });
}
