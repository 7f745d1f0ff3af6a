// Seeded random streams through the client: however the server repeats itself across reconnects, each
// broadcast is delivered at most once and in increasing order, and nothing new is held back.

import assert from "node:assert/strict";
import { Client } from "../../src/client/client.ts";
import type { RoomChannel } from "../../src/client/channel.ts";
import { createRng, randomInt } from "../../src/game/prng.ts";
import { FakeClock } from "../../src/rooms/clock.ts";
import { fakeSockets } from "./fake_socket.ts";

function chat(seq: number) {
  return { event: "chat", data: { player_name: "Ann", message: `m${seq}` }, room_id: "r", seq, timestamp: 1 };
}

Deno.test("over 200 seeded streams with replays, repeats and reconnects, every seq arrives once, in order", () => {
  let replays = 0;
  let reconnects = 0;
  for (let seed = 1; seed <= 200; seed++) {
    const rng = createRng(seed);
    const clock = new FakeClock(0);
    const net = fakeSockets();
    const client = new Client<RoomChannel>("ws://s.test/ws/r?token=T", {
      WebSocket: net.WebSocket,
      timers: clock,
      liveness: false,
      resyncOnGap: false,
    });
    const delivered: number[] = [];
    client.onMessage((m) => {
      if (m.event !== "error" && m.seq !== undefined) delivered.push(m.seq);
    });
    client.connect();
    net.last().open();
    let head = 0; // the server's last seq
    for (let step = 0; step < 60; step++) {
      const roll = randomInt(rng, 10);
      if (roll < 6) {
        head += 1;
        net.last().receive(chat(head));
      } else if (roll < 8 && head > 0) {
        // The server sends again a run of what it sent before (a resume from an older seq, a retried batch).
        replays += 1;
        const from = 1 + randomInt(rng, head);
        const batch = [];
        for (let seq = from; seq <= head; seq++) batch.push(chat(seq));
        net.last().receive({
          event: "message_batch",
          data: { messages: batch, count: batch.length },
          timestamp: 1,
        });
      } else {
        // A drop and a reconnect: the client must ask to resume after exactly what it delivered.
        reconnects += 1;
        net.last().serverClose(1006);
        clock.advance(60_000);
        const asked = net.last().params.get("last_seq");
        assert.equal(asked, head === 0 ? null : String(head), `seed ${seed}: resumes after what it saw`);
        net.last().open();
      }
    }
    const expected = Array.from({ length: head }, (_, i) => i + 1);
    assert.deepEqual(delivered, expected, `seed ${seed}`);
    client.close();
  }
  assert.ok(replays > 100 && reconnects > 100, `the streams exercised both (${replays}, ${reconnects})`);
});
