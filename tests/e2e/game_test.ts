// Whole games over real sockets, against the server from source and the compiled binary: humans, bots,
// spectators, disconnects, and what each client may and may not see.

import assert from "node:assert/strict";
import { AutoPlayer, FAST_SETTINGS } from "../support/auto_player.ts";
import { ignoreTarget, MACHINE_SPEED, TARGETS, withServer } from "../support/server_process.ts";
import { assertContiguous as assertSeqs } from "../support/seq.ts";
import { type Envelope, TestClient } from "../support/ws_client.ts";

function broadcasts(client: TestClient): Envelope[] {
  return client.received.filter((m) => m.seq !== undefined);
}

function assertContiguous(client: TestClient, who: string): void {
  assertSeqs(broadcasts(client).map((m) => m.seq!), who);
}

/**
 * Checks every frame a client received: a `hand` (its own) only holds pieces that no other seat plays in that
 * deal, and no broadcast carries a hand at all. `seat` null means a spectator, who gets no hand ever.
 */
function assertNoForeignPieces(client: TestClient, seat: number | null): void {
  let deal = 0;
  let broadcastsChecked = 0;
  const hands: { deal: number; ids: number[] }[] = [];
  const playedBy = new Map<string, number>();
  for (const m of client.received) {
    if (m.event === "phase_change" && m.data?.phase === "PREPARATION") deal += 1;
    if (m.event === "hand") hands.push({ deal, ids: (m.data!.pieces as { id: number }[]).map((p) => p.id) });
    if (m.event === "player_played") {
      for (const p of m.data!.pieces as { id: number }[]) {
        playedBy.set(`${deal}:${p.id}`, m.data!.seat as number);
      }
    }
    if (m.seq !== undefined) {
      assert.ok(!JSON.stringify(m.data).includes('"hand":['), `${m.event} carries no hand`);
      broadcastsChecked++;
    }
    if (m.event === "game_state" && seat === null) {
      assert.equal((m.data?.game as { hand: unknown } | null)?.hand ?? null, null, "a spectator's state");
    }
  }
  assert.ok(broadcastsChecked > 0, "the client received room broadcasts to check");
  if (seat === null) {
    assert.equal(hands.length, 0, "a spectator never receives a hand");
    return;
  }
  assert.ok(hands.length > 0);
  for (const hand of hands) {
    for (const id of hand.ids) {
      const by = playedBy.get(`${hand.deal}:${id}`);
      assert.ok(
        by === undefined || by === seat,
        `piece ${id} in seat ${seat}'s hand was played by seat ${by}`,
      );
    }
  }
}

for (const target of TARGETS) {
  const ignore = ignoreTarget(target);

  Deno.test({
    name: `[${target}] four human clients play a full game to GAME_OVER with every move broadcast in order`,
    ignore,
    fn: () =>
      withServer(target, MACHINE_SPEED, async (server) => {
        const names = ["Ann", "Bo", "Cy", "Di"];
        const players: AutoPlayer[] = [];
        for (const [i, name] of names.entries()) {
          players.push(await AutoPlayer.join(server.wsUrl, "four", name, { seed: 100 + i }));
        }
        const host = players[0]!.client;
        host.send("update_settings", { ...FAST_SETTINGS, target_score: 5, max_rounds: 30 });
        await host.next(
          "room_state",
          (m) => (m.data?.settings as { target_score: number }).target_score === 5,
        );
        host.send("start_game", {});
        try {
          await Promise.all(players.map((p) => p.client.next("game_over", () => true, 60_000)));
        } catch (error) {
          for (const p of players) {
            console.error(p.name, JSON.stringify(p.refusals), JSON.stringify(p.prompts.at(-1)));
          }
          throw error;
        }
        for (const [i, player] of players.entries()) {
          assertContiguous(player.client, player.name);
          assertNoForeignPieces(player.client, i);
          assert.ok(player.moves.length > 0, `${player.name} made moves`);
          assert.equal(
            player.client.received.filter((m) => m.event === "error").length,
            0,
          );
        }
        // Everyone saw the same stream from the start of the game on.
        const startSeq = broadcasts(host).find((m) => m.event === "phase_change")!.seq!;
        const stream = (c: TestClient) =>
          broadcasts(c).filter((m) => m.seq! >= startSeq).map((m) => `${m.seq}:${m.event}`);
        for (const player of players.slice(1)) assert.deepEqual(stream(player.client), stream(host));
        await Promise.all(players.map((p) => p.stop()));
      }),
  });

  Deno.test({
    name: `[${target}] one human and three bots finish a game; a spectating host watches four bots finish`,
    ignore,
    fn: () =>
      withServer(target, MACHINE_SPEED, async (server) => {
        const ann = await AutoPlayer.join(server.wsUrl, "solo", "Ann", { seed: 7 });
        ann.client.send("update_settings", { ...FAST_SETTINGS, target_score: 20 });
        ann.client.send("start_game", { fill_with_bots: true });
        const over = await ann.client.next("game_over", () => true, 60_000);
        assert.ok((over.data!.rankings as unknown[]).length === 4);
        assertNoForeignPieces(ann.client, 0);
        assertContiguous(ann.client, "Ann");

        const host = await AutoPlayer.join(server.wsUrl, "bots", "Watcher", { seed: 1 }, "spectator");
        host.client.send("update_settings", { ...FAST_SETTINGS });
        host.client.send("start_game", { fill_with_bots: true });
        await host.client.next("game_over", () => true, 60_000);
        assertNoForeignPieces(host.client, null);
        host.client.send("get_state", {});
        const state = await host.client.next("game_state");
        assert.equal((state.data!.game as { hand: unknown }).hand, null);
        await Promise.all([ann.stop(), host.stop()]);
      }),
  });

  Deno.test({
    name: `[${target}] a human who drops is replaced by a bot after the grace period and the game finishes`,
    ignore,
    fn: () =>
      withServer(target, MACHINE_SPEED, async (server) => {
        const ann = await AutoPlayer.join(server.wsUrl, "drop", "Ann", { seed: 3 });
        const bo = await AutoPlayer.join(server.wsUrl, "drop", "Bo", { seed: 4 });
        bo.silent = true;
        ann.client.send("update_settings", { ...FAST_SETTINGS, reconnect_grace_ms: 300, target_score: 15 });
        ann.client.send("start_game", { fill_with_bots: true });
        await bo.client.next("your_turn", () => true, 20_000);
        await bo.drop();
        const gone = await ann.client.next("player_disconnected");
        assert.deepEqual(gone.data, { player_name: "Bo", grace_ms: 300 });
        const takeover = await ann.client.next("bot_took_over", () => true, 10_000);
        assert.equal(takeover.data!.reason, "disconnected");
        assert.equal(takeover.data!.seat, 1);
        await ann.client.next("game_over", () => true, 60_000);
        await ann.stop();
      }),
  });

  Deno.test({
    name:
      `[${target}] a human who comes back within the grace period takes the seat back with no bot move made`,
    ignore,
    fn: () =>
      withServer(target, MACHINE_SPEED, async (server) => {
        const ann = await AutoPlayer.join(server.wsUrl, "back", "Ann", { seed: 5 });
        const boClient = await TestClient.connect(`${server.wsUrl}/ws/back`);
        boClient.send("join_room", { player_name: "Bo" });
        const joined = await boClient.next("joined_room");
        const token = joined.data!.session_token as string;
        ann.client.send("update_settings", {
          ...FAST_SETTINGS,
          reconnect_grace_ms: 30_000,
          target_score: 10,
        });
        ann.client.send("start_game", { fill_with_bots: true });
        await boClient.next("your_turn", () => true, 20_000);
        await boClient.close(4000);
        await ann.client.next("player_disconnected");

        const again = await TestClient.connect(`${server.wsUrl}/ws/back?token=${encodeURIComponent(token)}`);
        const connected = await again.next("connected");
        assert.equal(connected.data!.player_name, "Bo");
        await again.next("hand");
        await again.next("your_turn");
        await ann.client.next("player_reconnected");
        const bo = AutoPlayer.adopt(again, "Bo", { seed: 6 });
        await ann.client.next("game_over", () => true, 60_000);
        assert.equal(ann.client.received.filter((m) => m.event === "bot_took_over").length, 0);
        assert.ok(bo.moves.length > 0, "Bo kept playing after coming back");
        await Promise.all([ann.stop(), bo.stop()]);
      }),
  });

  Deno.test({
    name:
      `[${target}] no client can act for another seat, non-hosts cannot use host controls, spectators see no hand`,
    ignore,
    fn: () =>
      withServer(target, MACHINE_SPEED, async (server) => {
        const ann = await TestClient.connect(`${server.wsUrl}/ws/sec`);
        ann.send("join_room", { player_name: "Ann" });
        await ann.next("joined_room");
        const bo = await TestClient.connect(`${server.wsUrl}/ws/sec`);
        bo.send("join_room", { player_name: "Bo" });
        await bo.next("joined_room");
        const spy = await TestClient.connect(`${server.wsUrl}/ws/sec`);
        spy.send("join_room", { player_name: "Spy", as: "spectator" });
        await spy.next("joined_room");

        for (
          const [event, data] of [["start_game", { fill_with_bots: true }], ["add_bot", {}], [
            "remove_player",
            { seat: 0 },
          ]] as const
        ) {
          bo.send(event, data, `host-${event}`);
          const refused = await bo.nextError();
          assert.equal(refused.error!.code, "NOT_HOST");
          assert.equal(refused.id, `host-${event}`);
        }
        ann.send("update_settings", { ...FAST_SETTINGS, turn_timeout_ms: 0 });
        ann.send("start_game", { fill_with_bots: true });
        // Whoever must declare first, the other human names them in the payload: the server ignores names.
        const prompt = await Promise.race([
          ann.next("your_turn", () => true, 20_000),
          bo.next("your_turn", () => true, 20_000),
        ]);
        const moverIsAnn = ann.received.includes(prompt);
        const [mover, other, moverName] = moverIsAnn ? [ann, bo, "Ann"] : [bo, ann, "Bo"];
        other.send("declare", { value: 1, player_name: moverName }, "forged");
        const forged = await other.nextError();
        // Which refusal is right follows from the prompt: a weak hand's redeal question means PREPARATION.
        const expected = prompt.data?.action === "redeal" ? "INVALID_PHASE" : "NOT_YOUR_TURN";
        assert.equal(forged.error!.code, expected, `forged ${String(prompt.data?.action)}`);
        spy.send("declare", { value: 1 });
        assert.equal((await spy.nextError()).error!.code, "INVALID_ACTION");
        await other.roundTrip();
        const humanMoves = broadcasts(other).filter((m) =>
          ["player_declared", "player_played", "redeal_decision"].includes(m.event) &&
          (m.data!.seat === 0 || m.data!.seat === 1)
        );
        assert.deepEqual(humanMoves, [], "neither human has moved: the refused moves changed nothing");
        assert.ok(mover.received.some((m) => m.event === "your_turn"));
        spy.send("get_state", {});
        const view = await spy.next("game_state");
        assert.equal((view.data!.game as { hand: unknown }).hand, null);
        assertNoForeignPieces(spy, null);
        await Promise.all([ann.close(), bo.close(), spy.close()]);
      }),
  });
}
