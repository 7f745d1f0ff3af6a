// End-to-end: the wire contract over real sockets — every room and lobby event, sessions, and every error a
// client can cause — against the server from source (Deno) and the compiled binary (Bun).

import assert from "node:assert/strict";
import { Clients } from "../support/clients.ts";
import { ignoreTarget, TARGETS, withServer } from "../support/server_process.ts";
import { assertContiguous } from "../support/seq.ts";
import { until } from "../support/waiting.ts";
import { type Envelope, TestClient } from "../support/ws_client.ts";

/** Waits until a message anywhere in `client.received` matches, whatever was consumed with `next` before. */
function seen(
  client: TestClient,
  event: string,
  where: (m: Envelope) => boolean = () => true,
): Promise<Envelope> {
  return until(
    () => client.received.find((m) => m.event === event && where(m)),
    () => `${event}; got ${client.received.map((m) => m.event).join(", ")}`,
  );
}

/** Pings until one is answered: a ping dropped by the rate limiter gets no reply, so each try has a limit. */
async function untilPingAnswered(client: TestClient): Promise<void> {
  let attempt = 0;
  await until(async () => {
    const id = `recover-${attempt++}`;
    client.send("ping", {}, id);
    try {
      return await client.next("pong", (m) => m.id === id, 500);
    } catch {
      return undefined; // Dropped while the bucket was still empty: try again, well under the allowed rate.
    }
  }, "a ping to be answered after the flood");
}

function seqsOf(client: TestClient): number[] {
  return client.received.filter((m) => m.seq !== undefined).map((m) => m.seq!);
}

for (const target of TARGETS) {
  Deno.test({
    name: `[${target}] the server speaks the wire contract for every event and every client mistake`,
    ignore: ignoreTarget(target),
    async fn(t) {
      await withServer(target, [], async (server) => {
        const clients = new Clients(server);
        try {
          await t.step(
            "the design document's client tests: connected, pong, joined_room, player_joined",
            async () => {
              const first = await clients.connect("/ws/test-room");
              const connected = await first.next("connected");
              assert.equal(connected.data?.room_id, "test-room");
              assert.equal(connected.data?.player_name, null);
              assert.equal(typeof connected.data?.connection_id, "string");

              first.send("ping", {});
              assert.equal((await first.next("pong")).event, "pong");

              first.send("join_room", { player_name: "TestPlayer" });
              const joined = await first.next("joined_room");
              assert.equal(joined.data?.player_name, "TestPlayer");
              assert.equal(joined.data?.seat, 0);

              const { joined: second } = await clients.join("test-room", "Second");
              assert.equal(second.data?.seat, 1);
              const arrival = await first.next("player_joined", (m) => m.data?.player_name === "Second");
              assert.equal(arrival.data?.seat, 1);
              assert.equal(arrival.room_id, "test-room");

              // The document's game flow: the host starts (the empty seats filled with bots) and PREPARATION begins.
              first.send("start_game", { fill_with_bots: true });
              const phase = await first.next("phase_change");
              assert.equal(phase.data?.phase, "PREPARATION");
              const hand = await seen(first, "hand");
              assert.equal(hand.seq, undefined, "a private hand carries no seq");
              await clients.closeAll();
            },
          );

          await t.step(
            "joined_room carries a session token and the room; pong echoes data and adds server_time",
            async () => {
              const { client: ann, joined } = await clients.join("evt-room", "Ann");
              const token = joined.data?.session_token;
              assert.equal(typeof token, "string");
              assert.ok((token as string).length >= 22, "at least 128 bits of token");
              const room = joined.data?.room as { host: string; room_id: string; phase: string };
              assert.equal(room.host, "Ann");
              assert.equal(room.room_id, "evt-room");
              assert.equal(room.phase, "WAITING");
              assert.equal(joined.seq, undefined, "a direct reply carries no seq");

              ann.send("ping", { nonce: 7 }, "p-1");
              const pong = await ann.next("pong", (m) => m.id === "p-1");
              assert.equal(pong.data?.nonce, 7);
              assert.equal(typeof pong.data?.server_time, "number");
              assert.equal(typeof pong.timestamp, "number");
              assert.equal(pong.seq, undefined);
              await clients.closeAll();
            },
          );

          await t.step(
            "chat, get_state and leave_room reach the right clients, with id echo and contiguous seq",
            async () => {
              const { client: ann } = await clients.join("chat-room", "Ann");
              const { client: bo } = await clients.join("chat-room", "Bo");
              await ann.next("player_joined", (m) => m.data?.player_name === "Bo");

              ann.send("chat", { message: "hello <b>Bo</b>" }, 41);
              for (const reader of [ann, bo]) {
                const chat = await seen(reader, "chat");
                assert.deepEqual(chat.data, { player_name: "Ann", message: "hello <b>Bo</b>" });
                assert.equal(chat.room_id, "chat-room");
              }

              bo.send("get_state", {}, "s-1");
              const state = await bo.next("game_state", (m) => m.id === "s-1");
              assert.equal(state.seq, undefined);
              const you = state.data?.you as { player_name: string; seat: number; is_host: boolean };
              assert.deepEqual(
                { name: you.player_name, seat: you.seat, host: you.is_host },
                { name: "Bo", seat: 1, host: false },
              );

              bo.send("leave_room", {}, "bye");
              const left = await bo.next("left_room");
              assert.equal(left.id, "bye");
              const gone = await ann.next("player_left");
              assert.equal(gone.data?.player_name, "Bo");

              // After leaving, Bo is a visitor: chat is refused, and the refusal echoes the id too.
              bo.send("chat", { message: "still here?" }, "c-9");
              const refused = await bo.nextError();
              assert.equal(refused.error?.code, "NOT_IN_ROOM");
              assert.equal(refused.id, "c-9");

              ann.send("chat", { message: "bye" });
              await ann.next("chat", (m) => m.data?.message === "bye");
              const annSeqs = seqsOf(ann);
              assertContiguous(annSeqs, "Ann");
              assert.equal(annSeqs[0], 1, "the room's stream starts at 1");
              // Bo saw the same numbers for the same events, from his arrival to his departure.
              const boBroadcasts = bo.received.filter((m) => m.seq !== undefined);
              assertContiguous(boBroadcasts.map((m) => m.seq!), "Bo");
              for (const m of boBroadcasts) {
                const twin = ann.received.find((a) => a.seq === m.seq);
                assert.equal(twin?.event, m.event, `seq ${m.seq} is the same event for everyone`);
              }
              await clients.closeAll();
            },
          );

          await t.step(
            "names are unique in a room: a second Ann gets NAME_TAKEN and can pick another",
            async () => {
              await clients.join("names", "Ann");
              const other = await clients.connect("/ws/names");
              await other.next("connected");
              other.send("join_room", { player_name: "Ann" }, "dup");
              const taken = await other.nextError();
              assert.equal(taken.error?.code, "NAME_TAKEN");
              assert.equal(taken.id, "dup");
              await other.roundTrip();
              other.send("join_room", { player_name: "Annie" });
              assert.equal((await other.next("joined_room")).data?.seat, 1);
              await clients.closeAll();
            },
          );

          await t.step(
            "a session token takes the seat back and closes the older connection with 4001",
            async () => {
              const { client: oldAnn, joined } = await clients.join("rejoin", "Ann");
              const { client: bo } = await clients.join("rejoin", "Bo");
              const token = String(joined.data?.session_token);

              const newAnn = await clients.connect(`/ws/rejoin?token=${encodeURIComponent(token)}`);
              const connected = await newAnn.next("connected");
              assert.equal(connected.data?.player_name, "Ann");
              const state = await newAnn.next("game_state");
              const you = state.data?.you as { seat: number; is_host: boolean };
              assert.deepEqual({ seat: you.seat, host: you.is_host }, { seat: 0, host: true });
              assert.equal((await oldAnn.closed).code, 4001);

              newAnn.send("chat", { message: "same seat, new socket" });
              const chat = await bo.next("chat");
              assert.equal(chat.data?.player_name, "Ann");
              await clients.closeAll();
            },
          );

          await t.step(
            "an unknown token gets AUTHENTICATION_FAILED and the visitor stays connected",
            async () => {
              const stranger = await clients.connect("/ws/rejoin-2?token=not-a-real-token");
              const connected = await stranger.next("connected");
              assert.equal(connected.data?.player_name, null);
              assert.equal((await stranger.nextError()).error?.code, "AUTHENTICATION_FAILED");
              await stranger.roundTrip();
              stranger.send("join_room", { player_name: "Visitor" });
              assert.equal((await stranger.next("joined_room")).data?.seat, 0);
              await clients.closeAll();
            },
          );

          await t.step(
            "every client mistake is answered with its code, and the connection still answers ping",
            async () => {
              await clients.join("mistakes", "Ann");
              const { client } = await clients.join("mistakes", "Bo");
              const visitor = await clients.connect("/ws/mistakes");
              await visitor.next("connected");
              const cases: { what: string; sender: TestClient; frame: string | Uint8Array; code: string }[] =
                [
                  { what: "invalid JSON", sender: client, frame: "{nope", code: "INVALID_JSON" },
                  { what: "a JSON array", sender: client, frame: "[1,2]", code: "INVALID_DATA" },
                  { what: "a JSON number", sender: client, frame: "42", code: "INVALID_DATA" },
                  { what: "JSON null", sender: client, frame: "null", code: "INVALID_DATA" },
                  { what: "no event", sender: client, frame: '{"data":{}}', code: "MISSING_EVENT" },
                  {
                    what: "an unknown event",
                    sender: client,
                    frame: '{"event":"fly","id":"u"}',
                    code: "UNKNOWN_EVENT",
                  },
                  {
                    what: "a wrong type",
                    sender: client,
                    frame: '{"event":"chat","data":{"message":42},"id":"w"}',
                    code: "INVALID_DATA",
                  },
                  {
                    what: "an unknown setting",
                    sender: client,
                    frame: '{"event":"update_settings","data":{"speed":"max"}}',
                    code: "INVALID_DATA",
                  },
                  {
                    what: "a frame over 16 KiB",
                    sender: client,
                    frame: JSON.stringify({ event: "chat", data: { message: "x".repeat(17_000) } }),
                    code: "MESSAGE_TOO_LARGE",
                  },
                  {
                    what: "a binary frame",
                    sender: client,
                    frame: new Uint8Array([1, 2, 3]),
                    code: "INVALID_DATA",
                  },
                  {
                    what: "chat before join",
                    sender: visitor,
                    frame: '{"event":"chat","data":{"message":"hi"}}',
                    code: "NOT_IN_ROOM",
                  },
                  {
                    what: "a second join",
                    sender: client,
                    frame: '{"event":"join_room","data":{"player_name":"Bo2"}}',
                    code: "ALREADY_IN_GAME",
                  },
                  {
                    what: "a host action by a guest",
                    sender: client,
                    frame: '{"event":"add_bot","data":{}}',
                    code: "NOT_HOST",
                  },
                  {
                    what: "a move before the start",
                    sender: client,
                    frame: '{"event":"declare","data":{"value":1}}',
                    code: "GAME_NOT_STARTED",
                  },
                  {
                    what: "a duplicate name",
                    sender: visitor,
                    frame: '{"event":"join_room","data":{"player_name":"Ann"}}',
                    code: "NAME_TAKEN",
                  },
                ];
              for (const c of cases) {
                c.sender.sendRaw(c.frame);
                const error = await c.sender.nextError();
                assert.equal(error.error?.code, c.code, c.what);
                assert.equal(typeof error.error?.message, "string");
                assert.equal(
                  typeof (error.error as { timestamp?: unknown } | undefined)?.timestamp,
                  "number",
                );
                await c.sender.roundTrip();
              }
              const wrongType = client.received.find((m) => m.id === "w");
              const issues = wrongType?.error?.details?.issues as { path: string }[];
              assert.deepEqual(issues.map((i) => i.path), ["data.message"]);
              assert.equal(client.received.find((m) => m.id === "u")?.error?.code, "UNKNOWN_EVENT");

              // A flood: the bucket allows 40 at once, then RATE_LIMITED; the connection recovers once it refills.
              for (let i = 0; i < 60; i++) client.send("ping", { i });
              assert.equal((await client.nextError()).error?.code, "RATE_LIMITED");
              await untilPingAnswered(client);
              await clients.closeAll();
            },
          );

          await t.step(
            "the lobby lists public rooms and announces their creation, changes and removal",
            async () => {
              const watcher = await clients.connect("/ws/lobby");
              const initial = await watcher.next("room_list");
              assert.ok(Array.isArray(initial.data?.rooms));
              const creator = await clients.connect("/ws/lobby");
              await creator.next("room_list");

              creator.send("create_room", { room_name: "Friday", player_name: "Ann" }, "mk");
              const created = await creator.next("room_created", (m) => m.id === "mk");
              const roomId = String(created.data?.room_id);
              const token = String(created.data?.session_token);
              assert.match(roomId, /^[A-Za-z0-9_-]{1,32}$/);
              assert.equal(created.data?.room_name, "Friday");
              const announced = await watcher.next("room_created", (m) => m.data?.room_id === roomId);
              assert.equal(announced.data?.session_token, undefined, "the lobby never sees a session token");
              assert.equal(announced.data?.is_public, true);

              // The creator takes seat 0 as host by connecting with the token; the lobby hears about it.
              const ann = await clients.connect(`/ws/${roomId}?token=${encodeURIComponent(token)}`);
              assert.equal((await ann.next("connected")).data?.player_name, "Ann");
              const state = await ann.next("game_state");
              const you = state.data?.you as { seat: number; is_host: boolean };
              assert.deepEqual({ seat: you.seat, host: you.is_host }, { seat: 0, host: true });
              const updated = await watcher.next("room_updated", (m) => {
                const seats = m.data?.seats as ({ name: string; connected: boolean } | null)[] | undefined;
                return m.data?.room_id === roomId && seats?.[0]?.connected === true;
              });
              assert.equal((updated.data?.seats as { name: string }[])[0]?.name, "Ann");

              creator.send(
                "create_room",
                { room_name: "Secret", player_name: "Cy", is_public: false },
                "hidden",
              );
              const secret = await creator.next("room_created", (m) => m.id === "hidden");
              const secretId = String(secret.data?.room_id);
              watcher.send("refresh_rooms", {}, "r");
              const list = await watcher.next("room_list", (m) => m.id === "r");
              const ids = (list.data?.rooms as { room_id: string }[]).map((r) => r.room_id);
              assert.ok(ids.includes(roomId), "the public room is listed");
              assert.ok(!ids.includes(secretId), "a private room is never listed");
              assert.ok(
                !watcher.received.some((m) => m.data?.room_id === secretId),
                "a private room is never announced",
              );

              ann.send("leave_room", {});
              await ann.next("left_room");
              await watcher.next("room_removed", (m) => m.data?.room_id === roomId);
              await watcher.roundTrip();
              await clients.closeAll();
            },
          );

          await t.step(
            "HTTP: the page, health, a bad room id (404) and a plain GET on a socket route (426)",
            async () => {
              const page = await fetch(`${server.url}/`);
              assert.equal(page.status, 200);
              assert.match(page.headers.get("content-type") ?? "", /text\/html/);
              assert.match(await page.text(), /<html/i);
              const health = await fetch(`${server.url}/healthz`);
              assert.equal(health.status, 200);
              assert.equal(((await health.json()) as { status: string }).status, "ok");
              const bad = await fetch(`${server.url}/ws/bad!id`);
              assert.equal(bad.status, 404);
              await bad.body?.cancel();
              const plain = await fetch(`${server.url}/ws/lobby`);
              assert.equal(plain.status, 426);
              await plain.body?.cancel();
            },
          );
        } finally {
          await clients.closeAll();
        }
      });
    },
  });
}
