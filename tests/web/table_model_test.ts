// What the page lets a person click and what it shows, decided from the state alone: declarations with the
// reason a value is refused, play selections, seats, keys, and what server frames do. No browser.

import assert from "node:assert/strict";
import type { Piece } from "../../src/game/pieces.ts";
import type { GameView } from "../../src/game/view.ts";
import type { ServerFrame, YourTurn } from "../../src/protocol/server_events.ts";
import type { RoomState } from "../../src/rooms/room_views.ts";
import { DEFAULT_SETTINGS } from "../../src/rooms/settings.ts";
import { type AppState, initialState, routeOf } from "../../src/web/app_state.ts";
import { freshGame } from "../../src/web/game_events.ts";
import { pieceCommand } from "../../src/web/keyboard.ts";
import { linkStatus } from "../../src/web/link.ts";
import { clearSelection, markSent, toggleSelection } from "../../src/web/local_actions.ts";
import { sortHand } from "../../src/web/pieces_display.ts";
import { receive } from "../../src/web/receive.ts";
import {
  declareChoices,
  hostControlsOpen,
  playCheck,
  seatViews,
  turnTitle,
} from "../../src/web/table_model.ts";

const P = (id: number, kind: Piece["kind"], color: Piece["color"], points: number): Piece => ({
  id,
  kind,
  color,
  points,
});
// Red horses 14, 15; black horse 16; red soldiers 22, 23; black general 1; black chariot 13.
const HAND: Piece[] = [
  P(1, "GENERAL", "BLACK", 13),
  P(13, "CHARIOT", "BLACK", 7),
  P(14, "HORSE", "RED", 6),
  P(15, "HORSE", "RED", 6),
  P(16, "HORSE", "BLACK", 5),
  P(22, "SOLDIER", "RED", 2),
  P(23, "SOLDIER", "RED", 2),
];

function room(phase: RoomState["phase"] = "WAITING"): RoomState {
  return {
    room_id: "r1",
    room_name: "Friday",
    host: "Ann",
    seats: [
      { name: "Ann", is_bot: false, connected: true, seat: 0 },
      { name: "Bo", is_bot: false, connected: false, seat: 1 },
      { name: "Bot 3", is_bot: true, connected: true, seat: 2 },
      null,
    ],
    spectators: [],
    settings: { ...DEFAULT_SETTINGS },
    phase,
    is_public: true,
    created_at: 0,
    seq: 4,
  };
}

function seated(turn: YourTurn | null, patch: (game: GameView) => void = () => {}): AppState {
  const state = initialState({ kind: "room", roomId: "r1" }, "Ann");
  state.room = room("DECLARATION");
  state.me = { name: "Ann", seat: 0 };
  const game = freshGame(state.room, 0);
  game.phase = "DECLARATION";
  game.hand = HAND.slice();
  patch(game);
  state.game = game;
  state.yourTurn = turn === null ? null : { ...turn, deadline: null, sent: false };
  return state;
}

Deno.test("declareChoices() offers 0..8, enabling exactly the server's options", () => {
  const state = seated(
    { action: "declare", seat: 0, options: [0, 1, 2, 3, 5, 6, 7, 8], timeout_ms: 0 },
    (g) => {
      g.players[1]!.declared = 2;
      g.players[2]!.declared = 1;
      g.players[3]!.declared = 1;
      g.declaration_total = 4;
    },
  );
  const choices = declareChoices(state);
  assert.deepEqual(choices.map((c) => c.value), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(choices.filter((c) => !c.allowed).map((c) => c.value), [4]);
  assert.equal(choices[4]!.reason, "The last declarer cannot make the total exactly 8");
  assert.ok(choices.filter((c) => c.allowed).every((c) => c.reason === null));
});

Deno.test("declareChoices() explains a refused third zero in a row", () => {
  const state = seated(
    { action: "declare", seat: 0, options: [1, 2, 3, 4, 5, 6, 7, 8], timeout_ms: 0 },
    (g) => {
      g.players[0]!.zero_streak = 2;
    },
  );
  assert.equal(declareChoices(state)[0]!.reason, "You cannot declare 0 three rounds in a row");
});

Deno.test("declareChoices() is empty when no declaration of ours is due", () => {
  assert.deepEqual(declareChoices(seated(null)), []);
  assert.deepEqual(
    declareChoices(seated({ action: "redeal", seat: 0, options: [true, false], timeout_ms: 0 })),
    [],
  );
});

const LEAD: YourTurn = {
  action: "play",
  seat: 0,
  required_piece_count: null,
  options: [[1], [13], [14], [15], [16], [22], [23], [14, 15], [22, 23]],
  timeout_ms: 0,
};

Deno.test("playCheck() allows exactly a legal lead and names it", () => {
  let state = seated(LEAD);
  assert.equal(playCheck(state)?.canPlay, false);
  assert.match(playCheck(state)!.message, /You lead/);
  state = toggleSelection(state, 14);
  assert.equal(playCheck(state)?.canPlay, true);
  assert.equal(playCheck(state)?.message, "Ready to play a single");
  state = toggleSelection(state, 15);
  assert.equal(playCheck(state)?.canPlay, true);
  assert.equal(playCheck(state)?.message, "Ready to play a pair");
});

Deno.test("playCheck() explains a lead that is no combination, and hints the pieces that still fit", () => {
  let state = toggleSelection(seated(LEAD), 14);
  assert.deepEqual([...playCheck(state)!.hints], [15], "only the other red horse makes a pair with it");
  state = toggleSelection(state, 16); // a red and a black horse
  const check = playCheck(state)!;
  assert.equal(check.canPlay, false);
  assert.match(check.message, /not a valid combination/);
});

Deno.test("playCheck() for a follower counts the pieces against the required number", () => {
  const follow: YourTurn = {
    action: "play",
    seat: 0,
    required_piece_count: 2,
    options: [[1, 13], [1, 14], [13, 14]],
    timeout_ms: 0,
  };
  let state = seated(follow);
  assert.equal(playCheck(state)?.message, "Select exactly 2 pieces to play");
  state = toggleSelection(state, 1);
  assert.equal(playCheck(state)?.message, "Select 1 more: you must play exactly 2");
  state = toggleSelection(state, 13);
  assert.equal(playCheck(state)?.canPlay, true);
  assert.equal(playCheck(state)?.message, "Ready to play 2 pieces");
  state = toggleSelection(state, 14);
  assert.equal(playCheck(state)?.canPlay, false);
  assert.match(playCheck(state)!.message, /Too many/);
});

Deno.test("pieces can be selected only while a play of ours is due and not yet sent", () => {
  const declaring = seated({ action: "declare", seat: 0, options: [0], timeout_ms: 0 });
  assert.deepEqual(toggleSelection(declaring, 14).selection, []);
  const playing = seated(LEAD);
  assert.deepEqual(toggleSelection(playing, 99).selection, [], "a piece we do not hold");
  assert.deepEqual(
    toggleSelection(toggleSelection(playing, 14), 14).selection,
    [],
    "a second click unselects",
  );
  assert.deepEqual(toggleSelection(markSent(playing), 14).selection, [], "sent: wait for the server");
  assert.deepEqual(clearSelection(toggleSelection(playing, 14)).selection, []);
});

Deno.test("sortHand() puts red before black, strongest first", () => {
  assert.deepEqual(sortHand(HAND).map((p) => p.id), [14, 15, 22, 23, 1, 13, 16]);
});

Deno.test("seatViews() places us at the bottom and marks bots, stand-ins, the host and who acts", () => {
  const state = seated(null, (g) => {
    g.waiting = { kind: "declare", seat: 2 };
  });
  state.me = { name: "Bo", seat: 1 };
  state.room!.seats[1] = { name: "Bo", is_bot: true, connected: false, seat: 1 };
  const views = seatViews(state);
  assert.deepEqual(views.map((v) => v.position), [3, 0, 1, 2]);
  assert.deepEqual(views.map((v) => v.occupant), ["human", "human", "bot", "empty"]);
  assert.equal(views[1]!.botStandIn, true, "a bot plays for Bo while away");
  assert.equal(views[1]!.isYou, true);
  assert.equal(views[0]!.isHost, true);
  assert.deepEqual(views.map((v) => v.toAct), [false, false, true, false]);
});

Deno.test("host controls apply to the host before a game and after it, never during it", () => {
  const state = seated(null);
  for (const [phase, open] of [["WAITING", true], ["DECLARATION", false], ["GAME_OVER", true]] as const) {
    state.room!.phase = phase;
    assert.equal(hostControlsOpen(state), open, phase);
  }
  state.room!.phase = "WAITING";
  state.me = { name: "Bo", seat: 1 };
  assert.equal(hostControlsOpen(state), false, "not the host");
});

Deno.test("keys: digits pick pieces in hand order, Enter plays, Escape clears, digits focus a declaration", () => {
  const playing = seated(LEAD);
  assert.deepEqual(pieceCommand(playing, "1"), { kind: "toggle", pieceId: 14 });
  assert.deepEqual(pieceCommand(playing, "5"), { kind: "toggle", pieceId: 1 });
  assert.equal(pieceCommand(playing, "9"), null, "no ninth piece");
  assert.deepEqual(pieceCommand(playing, "Enter"), { kind: "play" });
  assert.deepEqual(pieceCommand(playing, "Escape"), { kind: "clear" });
  assert.deepEqual(pieceCommand(playing, "ArrowRight", 14), {
    kind: "focus",
    selector: '[data-piece-id="15"]',
  });
  const declaring = seated({ action: "declare", seat: 0, options: [0, 1], timeout_ms: 0 });
  assert.deepEqual(pieceCommand(declaring, "0"), {
    kind: "focus",
    selector: '[data-action=declare][data-value="0"]',
  });
  assert.equal(pieceCommand(seated(null), "1"), null, "nothing to decide");
});

Deno.test("the connection shows as reconnecting while the client retries, and says when another tab took over or an operator closed it", () => {
  assert.equal(linkStatus({ state: "connecting", attempt: 0 }), "connecting");
  assert.equal(linkStatus({ state: "open" }), "open");
  assert.equal(
    linkStatus({ state: "reconnecting", attempt: 1, delayMs: 500, code: 1006, reason: "" }),
    "reconnecting",
  );
  assert.equal(
    linkStatus({ state: "closed", code: 4001, reason: "", cause: "session_replaced" }),
    "replaced",
  );
  assert.equal(
    linkStatus({ state: "closed", code: 4003, reason: "closed by the operator", cause: "refused" }),
    "removed",
  );
  assert.equal(linkStatus({ state: "closed", code: 1000, reason: "", cause: "closed" }), "closed");
});

const frame = (event: string, data: unknown, extra: Record<string, unknown> = {}) =>
  ({ event, data, timestamp: 0, ...extra }) as unknown as ServerFrame;

Deno.test("receive(): our room_created opens the room; others' are listed", () => {
  const lobby = initialState({ kind: "lobby" }, "Ann");
  const summary = { ...room(), seats: room().seats.map((s) => s && { ...s }), spectators: 0 };
  const listed = receive(lobby, frame("room_created", summary), 0);
  assert.equal(listed.state.lobby.rooms.length, 1);
  assert.deepEqual(listed.effects, []);
  const mine = receive(lobby, frame("room_created", { ...summary, session_token: "tok" }), 0);
  assert.deepEqual(mine.effects, [{ kind: "navigate", path: "/room/r1" }]);
});

Deno.test("receive(): a stale token makes us a visitor, not an error, and a visitor asks for the state", () => {
  const state = initialState({ kind: "room", roomId: "r1" }, "Ann");
  const failed = receive(
    state,
    frame("error", undefined, {
      error: { code: "AUTHENTICATION_FAILED", message: "x", details: {}, timestamp: 0 },
    }),
    0,
  );
  assert.deepEqual(failed.effects, []);
  assert.equal(failed.state.me, null);
  assert.equal(failed.state.error, null, "not shown as an error: the page offers to join instead");
  const visitor = receive(
    state,
    frame("connected", { connection_id: "c", room_id: "r1", player_name: null }),
    0,
  );
  assert.deepEqual(visitor.effects, [{ kind: "send", event: "get_state" }]);
});

Deno.test("receive(): a broadcast whose seq a snapshot already covered changes nothing", () => {
  let state = seated(null);
  state.seq = 10;
  const chat = (seq: number) => frame("chat", { player_name: "Bo", message: `m${seq}` }, { seq });
  const next = receive(state, chat(11), 0);
  assert.deepEqual(next.effects, []);
  assert.equal(next.state.log.length, 1);
  state = next.state;
  const old = receive(state, chat(11), 0);
  assert.equal(old.state.log.length, 1, "a replayed event is applied once");
  const covered = receive({ ...state, seq: 20 }, chat(14), 0);
  assert.equal(covered.state.log.length, 1);
});

Deno.test("receive(): a refused decision can be made again; a server error is shown as its message", () => {
  const sent = markSent(seated(LEAD));
  const refused = receive(
    sent,
    frame("error", undefined, {
      error: { code: "INVALID_PLAY", message: "Not a valid play", details: {}, timestamp: 0 },
    }),
    5,
  );
  assert.equal(refused.state.yourTurn?.sent, false);
  assert.deepEqual(refused.state.error, { code: "INVALID_PLAY", message: "Not a valid play", at: 5 });
});

Deno.test("receive(): a batch applies every inner message in order, and a bot taking over is announced", () => {
  const state = seated({ action: "declare", seat: 0, options: [0, 1], timeout_ms: 1000 }, (g) => {
    g.declaration_order = [0, 1, 2, 3];
    g.waiting = { kind: "declare", seat: 0 };
  });
  const batch = frame("message_batch", {
    count: 2,
    messages: [
      {
        event: "bot_took_over",
        data: { seat: 0, player_name: "Ann", reason: "timeout" },
        seq: 5,
        timestamp: 0,
      },
      {
        event: "player_declared",
        data: { seat: 0, player: "Ann", value: 1, total: 1, timed_out: true },
        seq: 6,
        timestamp: 0,
      },
    ],
  });
  const next = receive(state, batch, 9).state;
  assert.equal(next.yourTurn, null, "our decision was made for us");
  assert.equal(next.game?.players[0]?.declared, 1);
  assert.deepEqual(next.game?.waiting, { kind: "declare", seat: 1 });
  assert.match(next.notice?.text ?? "", /Ann ran out of time/);
  assert.equal(next.seq, 6);
});

Deno.test("receive(): user text is kept as data, never interpreted", () => {
  const text = `<img src=x onerror="alert(1)">`;
  const next =
    receive(seated(null), frame("chat", { player_name: text, message: text }, { seq: 1 }), 0).state;
  assert.deepEqual(next.log.at(-1), { kind: "chat", who: text, text, at: 0 });
});

Deno.test("receive(): a snapshot keeps a decision it still waits for and drops one it does not", () => {
  const state = seated(LEAD, (g) => {
    g.phase = "TURN";
    g.waiting = { kind: "play", seat: 0 };
  });
  const snapshot = (waiting: GameView["waiting"]) =>
    frame("game_state", {
      room: state.room,
      you: { player_name: "Ann", seat: 0, is_host: true, is_spectator: false },
      game: { ...state.game!, waiting },
    });
  assert.equal(receive(state, snapshot({ kind: "play", seat: 0 }), 0).state.yourTurn?.action, "play");
  assert.equal(receive(state, snapshot({ kind: "play", seat: 1 }), 0).state.yourTurn, null);
  assert.equal(receive(state, snapshot({ kind: "declare", seat: 0 }), 0).state.yourTurn, null);
});

Deno.test("receive(): an aborted game leaves the table waiting, announced; a closed room says why", () => {
  const aborted =
    receive(seated(LEAD), frame("game_aborted", { reason: "a bot failed" }, { seq: 9 }), 3).state;
  assert.equal(aborted.game, null);
  assert.equal(aborted.yourTurn, null);
  assert.equal(aborted.room?.phase, "WAITING");
  assert.match(aborted.notice?.text ?? "", /stopped \(a bot failed\)/);
  const closed =
    receive(seated(LEAD), frame("room_closed", { message: "This room could not be restored" }), 4).state;
  assert.equal(closed.me, null);
  assert.equal(closed.error?.message, "This room could not be restored");
});

Deno.test("the page's address: /room/{room_id} is a room for a valid id, and the lobby otherwise, /room/lobby too", () => {
  assert.deepEqual(routeOf("/room/friday-game"), { kind: "room", roomId: "friday-game" });
  assert.deepEqual(routeOf("/room/AB12CD/"), { kind: "room", roomId: "AB12CD" });
  // `lobby` is no room id: `/ws/lobby` is the lobby's channel, whose room_list a room page cannot use.
  for (const path of ["/", "/room/lobby", "/room/", "/room/bad!id", `/room/${"x".repeat(33)}`, "/nope"]) {
    assert.deepEqual(routeOf(path), { kind: "lobby" }, path);
  }
});

Deno.test("receive(): joining clears the refusal of an earlier try, which would otherwise cover the table", () => {
  const state = initialState({ kind: "room", roomId: "r1" }, "Ann");
  const refused = receive(
    state,
    frame("error", undefined, {
      error: { code: "NAME_TAKEN", message: "The name Ann is taken in this room", details: {}, timestamp: 0 },
    }),
    0,
  ).state;
  assert.equal(refused.error?.message, "The name Ann is taken in this room");
  const joined =
    receive(refused, frame("joined_room", { player_name: "Bo", seat: 1, room: room() }), 10).state;
  assert.deepEqual(joined.me, { name: "Bo", seat: 1 });
  assert.equal(joined.error, null, "the join went through: the old refusal no longer applies");
});

Deno.test("turnTitle(): the tab's title says when the table waits for us, and what for, until we answered", () => {
  assert.equal(turnTitle(seated(null)), null);
  const declare = seated({ action: "declare", seat: 0, options: [0, 1], timeout_ms: 0 });
  assert.equal(turnTitle(declare), "Your move: declare");
  assert.equal(turnTitle(markSent(declare)), null, "answered: nothing to call us back for");
  const lead = seated({ action: "play", seat: 0, required_piece_count: null, options: [], timeout_ms: 0 });
  assert.equal(turnTitle(lead), "Your move: lead");
  const follow = seated({ action: "play", seat: 0, required_piece_count: 2, options: [], timeout_ms: 0 });
  assert.equal(turnTitle(follow), "Your move: play 2");
  const redeal = seated({ action: "redeal", seat: 0, options: [true, false], timeout_ms: 0 });
  assert.equal(turnTitle(redeal), "Your move: redeal?");
});
