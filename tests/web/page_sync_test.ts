// The page's state logic against the real room: fed the events a seat and a spectator receive, the page's copy
// of the game equals the server's own view for them after every step, through whole games. No browser.

import assert from "node:assert/strict";
import type { ServerFrame } from "../../src/protocol/server_events.ts";
import { type AppState, initialState } from "../../src/web/app_state.ts";
import { receive } from "../../src/web/receive.ts";
import { type Delivered, FAST, fixture, settle } from "../rooms/room_fixture.ts";

function envelope(d: Delivered): ServerFrame {
  return { event: d.event, data: d.data, room_id: "table", seq: d.seq, timestamp: 0 } as ServerFrame;
}

/** A page that hears what one member hears, from where it last listened. */
class Listener {
  state: AppState;
  #read = 0;
  decisions = 0;

  constructor(readonly name: string, first: ServerFrame) {
    this.state = receive(initialState({ kind: "room", roomId: "table" }, name), first, 0).state;
  }

  catchUp(delivered: readonly Delivered[]): void {
    for (; this.#read < delivered.length; this.#read++) {
      const d = delivered[this.#read]!;
      if (d.to === "room" || d.to === this.name) this.state = receive(this.state, envelope(d), 0).state;
    }
  }
}

for (const seed of [3, 11, 29]) {
  Deno.test(`the page's game equals the server's view for a player and a spectator after every step of two games (seed ${seed})`, () => {
    const { clock, output, room: makeRoom } = fixture(seed);
    const room = makeRoom("table", { ...FAST, target_score: 30, max_rounds: 3 });
    assert.ok(room.join("Ann", "player").ok);
    assert.ok(room.join("Cy", "spectator").ok);
    for (const seat of [1, 2, 3] as const) assert.ok(room.addBot("Ann", seat).ok);
    const snapshot = (name: string) =>
      ({ event: "game_state", data: room.stateFor(name), timestamp: 0 }) as unknown as ServerFrame;
    const ann = new Listener("Ann", snapshot("Ann"));
    const cy = new Listener("Cy", snapshot("Cy"));
    output.delivered.length = 0;
    assert.ok(room.startGame("Ann", false).ok);

    const playOneGame = () => {
      let steps = 0;
      for (; steps < 500 && room.phase !== "GAME_OVER"; steps++) {
        settle(clock);
        ann.catchUp(output.delivered);
        cy.catchUp(output.delivered);
        assert.deepEqual(ann.state.game, room.stateFor("Ann").game, `Ann's page after step ${steps}`);
        assert.deepEqual(cy.state.game, room.stateFor("Cy").game, `Cy's page after step ${steps}`);
        const turn = ann.state.yourTurn;
        if (turn === null) continue;
        ann.decisions++;
        const decided = room.gameAction(
          "Ann",
          turn.action === "declare"
            ? { type: "declare", value: turn.options[0]! }
            : turn.action === "play"
            ? { type: "play", pieceIds: turn.options[0]! }
            : { type: "redeal_decision", accept: false },
        );
        assert.ok(decided.ok, `Ann's ${turn.action} from the page's options is accepted`);
      }
      settle(clock);
      ann.catchUp(output.delivered);
      cy.catchUp(output.delivered);
    };
    playOneGame();
    assert.equal(room.phase, "GAME_OVER");
    assert.deepEqual(ann.state.game, room.stateFor("Ann").game);
    // Play again: the new game starts from zero on the page too.
    assert.ok(room.startGame("Ann", false).ok);
    playOneGame();
    assert.equal(room.phase, "GAME_OVER");
    assert.ok(ann.decisions >= 18, `Ann decided ${ann.decisions} times in two games`);
    assert.deepEqual(ann.state.game, room.stateFor("Ann").game);
    assert.deepEqual(cy.state.game, room.stateFor("Cy").game);
    assert.equal(cy.state.game?.hand, null, "the spectator's page never holds a hand");
    assert.equal(ann.state.game?.phase, "GAME_OVER");
    assert.equal(ann.state.room?.phase, "GAME_OVER");
    room.dispose();
  });
}
