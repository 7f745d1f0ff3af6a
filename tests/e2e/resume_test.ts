// End-to-end resume over real sockets, against the server from source (Deno) and the compiled binary (Bun):
// replay of a gap, the snapshot beyond the buffer, the resume message, two tabs, bad tokens and last_seq, and
// a player who drops mid-game and finishes it with a seq stream that has no gap and no repeat.

import assert from "node:assert/strict";
import { AutoPlayer, FAST_SETTINGS } from "../support/auto_player.ts";
import { Clients } from "../support/clients.ts";
import { ignoreTarget, MACHINE_SPEED, TARGETS, withServer } from "../support/server_process.ts";
import { type Envelope, TestClient } from "../support/ws_client.ts";

function lastSeqOf(client: TestClient): number {
  return Math.max(0, ...client.received.map((m) => m.seq ?? 0));
}

function broadcastsOf(client: TestClient): Envelope[] {
  return client.received.filter((m) => m.seq !== undefined);
}

/** Sends `count` chats from `client` and waits until it has seen the last one come back. */
async function chats(client: TestClient, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) client.send("chat", { message: `msg ${i}` });
  await client.next("chat", (m) => m.data?.message === `msg ${count}`, 20_000);
}

/** The events after the `connected` frame, by name, up to and including the first `event`. */
function eventsUntil(client: TestClient, event: string): string[] {
  const names = client.received.map((m) => m.event);
  return names.slice(1, names.indexOf(event) + 1);
}

/** Ann (host, seat 0) with three bots, Bo watching; resolves once the game waits for Ann's decision. */
async function tableWaitingForAnn(clients: Clients, roomId: string) {
  const ann = await clients.join(roomId, "Ann");
  const bo = await clients.join(roomId, "Bo", "spectator");
  ann.client.send("update_settings", { ...FAST_SETTINGS });
  await ann.client.next("room_state");
  ann.client.send("start_game", { fill_with_bots: true });
  await ann.client.next("your_turn", () => true, 10_000);
  return { ann, bo };
}

for (const target of TARGETS) {
  Deno.test({
    name: `[${target}] a returning player resumes its seat and gets exactly what it missed`,
    ignore: ignoreTarget(target),
    async fn(t) {
      await withServer(target, MACHINE_SPEED, async (server) => {
        const clients = new Clients(server);
        try {
          await t.step(
            "?token=&last_seq= inside the buffer: missed events once, in order, then hand, your_turn, resumed",
            async () => {
              const { ann, bo } = await tableWaitingForAnn(clients, "gap");
              const lastSeen = lastSeqOf(ann.client);
              await ann.client.close();
              await bo.client.next("player_disconnected");
              await chats(bo.client, 3);
              const missed = broadcastsOf(bo.client).filter((m) => m.seq! > lastSeen);

              const back = await clients.connect(`/ws/gap?token=${ann.token}&last_seq=${lastSeen}`);
              const reconnected = await back.next("player_reconnected");
              // The bots may still have moved between Ann's prompt and her drop: whatever she missed, she gets.
              const replayed = broadcastsOf(back).filter((m) =>
                back.received.indexOf(m) < back.received.indexOf(reconnected)
              );
              assert.deepEqual(replayed, missed, "the very envelopes Bo got, in order, once each");
              assert.deepEqual(replayed.slice(-4).map((m) => m.event), [
                "player_disconnected",
                "chat",
                "chat",
                "chat",
              ]);
              assert.equal(replayed[0]?.seq, lastSeen + 1);
              assert.equal(
                reconnected.seq,
                lastSeen + missed.length + 1,
                "the live stream goes on after the replay",
              );
              await back.next("hand");
              await back.next("your_turn");
              // The direct reply comes once the return is stored, after what the return caused.
              const resumed = await back.next("resumed");
              assert.deepEqual(resumed.data, { replayed: missed.length, recovered: true });
              assert.deepEqual(eventsUntil(back, "resumed"), [
                ...missed.map((m) => m.event),
                "player_reconnected",
                "hand",
                "your_turn",
                "resumed",
              ]);
              assert.equal(back.received.filter((m) => m.event === "game_state").length, 0);
              await clients.closeAll();
            },
          );

          await t.step(
            "a gap older than the buffer (1,000 events) gets recovered: false and a game_state that continues the stream",
            async () => {
              const { ann, bo } = await tableWaitingForAnn(clients, "far");
              const lastSeen = lastSeqOf(ann.client);
              await ann.client.close();
              await chats(bo.client, 1_001);
              const boLast = lastSeqOf(bo.client);

              const back = await clients.connect(`/ws/far?token=${ann.token}&last_seq=${lastSeen}`);
              const reconnected = await back.next("player_reconnected");
              const state = await back.next("game_state");
              const room = state.data?.room as { seq: number };
              assert.equal(room.seq, reconnected.seq, "the snapshot is taken right after player_reconnected");
              assert.equal(room.seq, boLast + 1);
              assert.ok(boLast - lastSeen > 1_000, "the gap is longer than the buffer");
              const you = state.data?.you as { player_name: string; seat: number };
              assert.deepEqual([you.player_name, you.seat], ["Ann", 0]);
              const hand = await back.next("hand");
              assert.deepEqual((state.data?.game as { hand: unknown }).hand, hand.data?.pieces);
              await back.next("your_turn");
              const resumed = await back.next("resumed");
              assert.deepEqual(resumed.data, { replayed: 0, recovered: false });
              assert.deepEqual(eventsUntil(back, "resumed"), [
                "player_reconnected",
                "game_state",
                "hand",
                "your_turn",
                "resumed",
              ]);
              await clients.closeAll();
            },
          );

          await t.step("the resume message on a fresh socket replays the gap and echoes its id", async () => {
            const ann = await clients.join("by-message", "Ann");
            const bo = await clients.join("by-message", "Bo");
            await ann.client.next("player_joined", (m) => m.data?.player_name === "Bo");
            const lastSeen = lastSeqOf(ann.client);
            await ann.client.close();
            await chats(bo.client, 2);
            const missed = broadcastsOf(bo.client).filter((m) => m.seq! > lastSeen);

            const back = await clients.connect("/ws/by-message");
            assert.equal((await back.next("connected")).data?.player_name, null);
            back.send("resume", { session_token: ann.token, last_seq: lastSeen }, "r-1");
            const resumed = await back.next("resumed");
            assert.deepEqual([resumed.data, resumed.id], [{ replayed: 3, recovered: true }, "r-1"]);
            assert.deepEqual(broadcastsOf(back).slice(0, 3), missed);
            assert.equal((await bo.client.next("player_reconnected")).data?.player_name, "Ann");
            back.send("chat", { message: "back" });
            assert.equal(
              (await bo.client.next("chat", (m) => m.data?.message === "back")).data?.player_name,
              "Ann",
            );
            await clients.closeAll();
          });

          await t.step(
            "two tabs of one player: the older is closed with 4001 and the newer keeps working",
            async () => {
              const ann = await clients.join("tabs", "Ann");
              const bo = await clients.join("tabs", "Bo");
              await ann.client.next("player_joined", (m) => m.data?.player_name === "Bo");
              const tab2 = await clients.connect(
                `/ws/tabs?token=${ann.token}&last_seq=${lastSeqOf(ann.client)}`,
              );
              assert.deepEqual((await tab2.next("resumed")).data, { replayed: 0, recovered: true });
              assert.equal((await ann.client.closed).code, 4001);

              tab2.send("chat", { message: "from the new tab" });
              const chat = await bo.client.next("chat");
              assert.deepEqual([chat.data?.player_name, chat.data?.message], ["Ann", "from the new tab"]);
              tab2.send("get_state", {});
              const you = (await tab2.next("game_state")).data?.you as {
                player_name: string;
                is_host: boolean;
              };
              assert.deepEqual([you.player_name, you.is_host], ["Ann", true]);
              assert.equal(bo.client.received.filter((m) => m.event === "player_disconnected").length, 0);
              await clients.closeAll();
            },
          );

          await t.step(
            "a made-up token and another room's token get AUTHENTICATION_FAILED and change nothing",
            async () => {
              const ann = await clients.join("guarded", "Ann");
              const cy = await clients.join("elsewhere", "Cy");
              const before = lastSeqOf(ann.client);
              for (const token of ["not-a-real-token", cy.token]) {
                const url = await clients.connect(
                  `/ws/guarded?token=${encodeURIComponent(token)}&last_seq=0`,
                );
                assert.equal((await url.next("connected")).data?.player_name, null);
                assert.equal((await url.nextError()).error?.code, "AUTHENTICATION_FAILED");
                await url.roundTrip();
                url.send("resume", { session_token: token, last_seq: 0 }, "m");
                const error = await url.nextError();
                assert.deepEqual([error.error?.code, error.id], ["AUTHENTICATION_FAILED", "m"]);
                await url.roundTrip();
              }
              ann.client.send("chat", { message: "still mine" });
              const chat = await ann.client.next("chat");
              assert.equal(chat.seq, before + 1, "nothing was broadcast in between");
              await cy.client.roundTrip();
              await ann.client.roundTrip();
              await clients.closeAll();
            },
          );

          await t.step(
            "a negative, fractional, malformed or future last_seq is INVALID_DATA and changes nothing",
            async () => {
              const ann = await clients.join("bad-seq", "Ann");
              const bo = await clients.join("bad-seq", "Bo");
              await ann.client.next("player_joined", (m) => m.data?.player_name === "Bo");
              const current = lastSeqOf(ann.client);
              for (const raw of ["-1", "1.5", "abc", String(current + 10)]) {
                const client = await clients.connect(`/ws/bad-seq?token=${ann.token}&last_seq=${raw}`);
                assert.equal((await client.next("connected")).data?.player_name, null, raw);
                assert.equal((await client.nextError()).error?.code, "INVALID_DATA", raw);
                await client.roundTrip();
              }
              const socket = await clients.connect("/ws/bad-seq");
              for (const lastSeq of [-1, 1.5, current + 10]) {
                socket.send("resume", { session_token: ann.token, last_seq: lastSeq });
                const error = await socket.nextError();
                assert.equal(error.error?.code, "INVALID_DATA", String(lastSeq));
                assert.equal((error.error?.details?.issues as { path: string }[])[0]?.path, "data.last_seq");
              }
              ann.client.send("chat", { message: "untouched" });
              assert.equal(
                (await bo.client.next("chat")).seq,
                current + 1,
                "nothing was broadcast in between",
              );
              await ann.client.roundTrip(); // her own socket was not replaced
              await clients.closeAll();
            },
          );

          await t.step(
            "a player who drops mid-game resumes and finishes it with no gap and no repeat in its seq stream",
            async () => {
              const ann = await AutoPlayer.join(server.wsUrl, "whole", "Ann", { seed: 3 });
              const bo = await clients.join("whole", "Bo", "spectator");
              const token = String(
                ann.client.received.find((m) => m.event === "joined_room")?.data?.session_token,
              );
              // A short turn timeout keeps the game going while Ann is away; a bot plays her seat at each deadline.
              // One second, not less: once back, Ann's answers must beat it on a loaded machine, or they are
              // rightly refused as NOT_YOUR_TURN and the no-refusal check below fails for the wrong reason.
              ann.client.send("update_settings", {
                ...FAST_SETTINGS,
                turn_timeout_ms: 1_000,
                target_score: 8,
              });
              await ann.client.next("room_state");
              ann.client.send("start_game", { fill_with_bots: true });
              await ann.client.next("your_turn", () => true, 10_000);
              await ann.client.next("your_turn", () => true, 10_000);
              await ann.drop();
              const lastSeen = lastSeqOf(ann.client);
              await bo.client.next(
                "bot_took_over",
                (m) => m.data?.reason === "timeout" && m.seq! > lastSeen,
                20_000,
              );

              const back = await clients.connect(`/ws/whole?token=${token}&last_seq=${lastSeen}`);
              const resumed = await back.next("resumed");
              assert.equal(resumed.data?.recovered, true);
              assert.ok((resumed.data?.replayed as number) > 0, "the gap was replayed, not skipped");
              const player = AutoPlayer.adopt(back, "Ann", { seed: 4 });
              await Promise.all([
                back.next("game_over", () => true, 60_000),
                bo.client.next("game_over", () => true, 60_000),
              ]);
              const annStream = [...broadcastsOf(ann.client), ...broadcastsOf(back)].map((m) =>
                `${m.seq}:${m.event}`
              );
              const boFrom = broadcastsOf(bo.client).filter((m) =>
                m.seq! >= broadcastsOf(ann.client).at(0)!.seq!
              );
              assert.deepEqual(
                annStream.slice(annStream.length - boFrom.length),
                boFrom.map((m) => `${m.seq}:${m.event}`),
              );
              const seqs = annStream.map((s) => Number(s.split(":")[0]));
              assert.deepEqual(
                seqs,
                seqs.map((_, i) => seqs[0]! + i),
                "Ann's seq stream has no gap and no repeat",
              );
              assert.equal(player.refusals.length, 0, JSON.stringify(player.refusals));
              await player.stop();
              await clients.closeAll();
            },
          );
        } finally {
          await clients.closeAll();
        }
      });
    },
  });
}
