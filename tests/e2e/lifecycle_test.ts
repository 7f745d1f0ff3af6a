// End-to-end: graceful shutdown. A signal with clients connected closes every socket with 1001 and the process
// exits 0 after draining (not by its 3 s fallback), against the server from source and the compiled binary.

import assert from "node:assert/strict";
import { ignoreTarget, TARGETS, withServer } from "../support/server_process.ts";
import { TestClient } from "../support/ws_client.ts";

for (const target of TARGETS) {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    Deno.test({
      name: `[${target}] ${signal} closes every client with 1001 and the process drains and exits 0`,
      ignore: ignoreTarget(target),
      async fn() {
        // One place per room, so the third room client waits in the queue when the signal arrives.
        await withServer(target, ["--max-connections-per-room", "2"], async (server) => {
          const clients: TestClient[] = [];
          const connect = async (path: string) => {
            const client = await TestClient.connect(`${server.wsUrl}${path}`);
            clients.push(client);
            return client;
          };
          try {
            const lobby = await connect("/ws/lobby");
            await lobby.next("room_list");
            const ann = await connect("/ws/closing");
            ann.send("join_room", { player_name: "Ann" });
            await ann.next("joined_room");
            const visitor = await connect("/ws/closing");
            await visitor.next("connected");
            const waiting = await connect("/ws/closing");
            await waiting.next("queued");

            const exitCode = await server.stop(signal);
            assert.equal(exitCode, 0);
            // "stopped" is printed only when the listener finished draining: the 3 s fallback exit (also code 0)
            // does not print it, so this tells a clean shutdown from a hung one without timing it.
            assert.match(server.output(), /liaptui: stopped/, "the listener drained before the exit");
            for (const client of clients) {
              const closed = await client.closed;
              assert.equal(closed.code, 1001, "every socket hears that the server is going away");
            }
            assert.match(server.output(), new RegExp(`${signal} received`));
            await assert.rejects(fetch(`${server.url}/healthz`), "nothing listens any more");
          } finally {
            await Promise.all(clients.map((client) => client.close()));
          }
        });
      },
    });
  }
}
