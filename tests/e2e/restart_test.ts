// Games survive the server: four socket clients play half a game, the server is killed (SIGKILL, or stopped
// with SIGTERM) and started again on the same data directory, and the clients come back with their tokens to
// the same round, hands and scores, with `seq` going on, and finish the game. Source and compiled binary.

import assert from "node:assert/strict";
import { AutoPlayer } from "../support/auto_player.ts";
import {
  ignoreTarget,
  type ServerProcess,
  startServer,
  type Target,
  TARGETS,
} from "../support/server_process.ts";
import { type Envelope, TestClient } from "../support/ws_client.ts";

const NAMES = ["Ann", "Bo", "Cy", "Di"];
const ROOM = "survivor";

function broadcastSeqs(messages: readonly Envelope[]): number[] {
  return messages.filter((m) => m.seq !== undefined).map((m) => m.seq!);
}

/** What a player sees of the game: `get_state`'s game view, which holds round, scores, phase and own hand. */
async function gameView(client: TestClient): Promise<Record<string, unknown>> {
  const id = `gs-${crypto.randomUUID().slice(0, 6)}`;
  client.send("get_state", {}, id);
  const state = await client.next("game_state", (m) => m.id === id);
  return state.data!.game as Record<string, unknown>;
}

async function survives(target: Target, signal: "SIGKILL" | "SIGTERM"): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "liaptui-restart-" });
  const servers: ServerProcess[] = [];
  const players: AutoPlayer[] = [];
  try {
    const first = await startServer(target, ["--data-dir", dataDir]);
    servers.push(first);
    players.push(...await AutoPlayer.table(first.wsUrl, ROOM, NAMES, 500));
    const host = players[0]!.client;
    host.send("start_game", { fill_with_bots: false });

    // Half a game: the first of three rounds is scored. Then everyone stops answering and the table waits on a human.
    await host.next("round_scores", () => true, 30_000);
    for (const player of players) player.silent = true;
    for (const player of players) await player.client.roundTrip();
    for (const player of players) await player.client.roundTrip();
    const tokens = players.map((p) =>
      p.client.received.find((m) => m.event === "joined_room")!.data!.session_token
    );
    const before = await Promise.all(players.map((p) => gameView(p.client)));
    const lastSeq = Math.max(...broadcastSeqs(host.received));
    for (const player of players) {
      assert.equal(
        Math.max(...broadcastSeqs(player.client.received)),
        lastSeq,
        "every member saw the same stream",
      );
    }
    assert.ok((before[0]!.round as number) >= 1 && before[0]!.phase !== "GAME_OVER", "stopped mid-game");

    const code = await first.stop(signal);
    if (signal === "SIGTERM") assert.equal(code, 0, first.output());
    for (const player of players) await player.client.closed;
    await Promise.all(players.map((p) => p.stop()));
    players.length = 0;

    const second = await startServer(target, ["--data-dir", dataDir]);
    servers.push(second);
    assert.match(second.output(), /rebuilt 1 room\(s\)/);
    const returned: TestClient[] = [];
    // Ann resumes from a few events before the restart: the rebuilt room refilled the resume history with the
    // broadcasts it regenerated, so she is replayed the gap instead of being sent a whole new state.
    const annFrom = lastSeq - 5;
    for (const [i, name] of NAMES.entries()) {
      const query = i === 0 ? `token=${tokens[i]}&last_seq=${annFrom}` : `token=${tokens[i]}`;
      const client = await TestClient.connect(`${second.wsUrl}/ws/${ROOM}?${query}`);
      const connected = await client.next("connected");
      assert.equal(connected.data!.player_name, name, `${name}'s token still names their seat`);
      if (i === 0) {
        const resumed = await client.next("resumed");
        assert.equal(resumed.data!.recovered, true, JSON.stringify(resumed.data));
      } else {
        await client.next("game_state");
      }
      returned.push(client);
    }
    const after = await Promise.all(returned.map((c) => gameView(c)));
    for (const [i, name] of NAMES.entries()) {
      assert.deepEqual(after[i], before[i], `${name} finds the same round, scores, turn and hand`);
      const view = after[i] as { hand: unknown[] };
      assert.ok(view.hand.length > 0);
    }
    // The stream goes on from where it stopped: the first numbers after the restart are the server marking
    // everyone disconnected, then each reconnect; nothing is numbered twice.
    for (const [i, client] of returned.entries()) {
      const seqs = broadcastSeqs(client.received);
      const first = i === 0 ? annFrom + 1 : lastSeq + 1;
      assert.ok(seqs.length > 0 && seqs[0]! >= first, `after the restart seq continues from ${first}`);
      if (i === 0) assert.equal(seqs[0], annFrom + 1, "Ann's replay starts right after her last_seq");
      assert.deepEqual(seqs, seqs.map((_, i) => seqs[0]! + i), "contiguous from the reconnect on");
    }

    for (const [i, name] of NAMES.entries()) {
      players.push(AutoPlayer.adopt(returned[i]!, name, { seed: 900 + i }));
    }
    const over = await returned[0]!.next("game_over", () => true, 60_000);
    assert.ok((over.data!.winners as unknown[]).length >= 1);
    for (const player of players) {
      assert.deepEqual(player.refusals, [], `${player.name}'s moves were all accepted`);
      const seqs = broadcastSeqs(player.client.received);
      assert.deepEqual(seqs, seqs.map((_, i) => seqs[0]! + i), `${player.name} saw no gap until the end`);
    }

    // The finished game is in the history, with its players and scores.
    const list = await (await fetch(`${second.url}/api/games`)).json() as { games: { game_id: string }[] };
    assert.equal(list.games.length, 1);
    const game = await (await fetch(`${second.url}/api/games/${list.games[0]!.game_id}`)).json() as {
      players: { name: string }[];
      actions: unknown[];
    };
    assert.deepEqual(game.players.map((p) => p.name), NAMES);
    assert.ok(game.actions.length > 20);
  } finally {
    await Promise.all(players.map((p) => p.stop()));
    for (const server of servers) await server.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
}

for (const target of TARGETS) {
  const ignore = ignoreTarget(target);
  for (const signal of ["SIGKILL", "SIGTERM"] as const) {
    Deno.test({
      name:
        `[${target}] a game survives ${signal} mid-game: same round, hands and scores, seq goes on, it finishes`,
      ignore,
      fn: () => survives(target, signal),
    });
  }
}
