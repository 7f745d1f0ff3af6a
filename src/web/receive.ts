// What each server message does to the page's state: one exhaustive table keyed by event name, so an event
// the server renames or adds breaks this file's build. Pure: it returns the next state and the effects
// (sends, stored tokens, navigation) for the caller to carry out.

import type { Seat } from "../game/state.ts";
import type {
  ErrorEnvelope,
  ServerEnvelope,
  ServerEventName,
  ServerEvents,
  ServerFrame,
} from "../protocol/server_events.ts";
import { type AppState, LOG_LIMIT } from "./app_state.ts";
import {
  applyDeclared,
  applyGameOver,
  applyPhaseChange,
  applyPlayed,
  applyRedealDecision,
  applyRoundScores,
  applyTurnResult,
  freshGame,
} from "./game_events.ts";

/**
 * Something the page must do beyond showing the new state. Session tokens, heartbeats and `seq` gaps are the
 * typed client's business (src/client), not effects here.
 */
export type Effect =
  | { kind: "send"; event: "get_state" }
  | { kind: "navigate"; path: string };

interface Context {
  now: number;
  effects: Effect[];
  /** The request id the server echoed, for replies to our own messages. */
  id?: string | number;
}

type Handler<E extends ServerEventName> = (state: AppState, data: ServerEvents[E], context: Context) => void;
type HandlerTable = { [E in ServerEventName]: Handler<E> };

const PIECES_NAMES = [
  "",
  "one piece",
  "two pieces",
  "three pieces",
  "four pieces",
  "five pieces",
  "six pieces",
];

function logEvent(state: AppState, text: string, now: number): void {
  state.log.push({ kind: "event", text, at: now });
  if (state.log.length > LOG_LIMIT) state.log.splice(0, state.log.length - LOG_LIMIT);
}

function notify(state: AppState, text: string, now: number): void {
  state.notice = { text, at: now };
  logEvent(state, text, now);
}

function nameOf(state: AppState, seat: number): string {
  return state.game?.players[seat]?.name ?? state.room?.seats[seat]?.name ?? `Seat ${seat + 1}`;
}

function isMine(state: AppState, seat: number): boolean {
  return state.me !== null && state.me.seat === seat;
}

/** Our pending decision is over once the server announces any decision of our seat. */
function decisionMade(state: AppState, seat: number): void {
  if (isMine(state, seat)) state.yourTurn = null;
}

function setConnected(state: AppState, name: string, connected: boolean): void {
  const member = state.room?.seats.find((s) => s?.name === name) ??
    state.room?.spectators.find((s) => s.name === name);
  if (member) member.connected = connected;
}

function ensureGame(state: AppState) {
  state.game ??= freshGame(state.room, state.me?.seat ?? null);
  return state.game;
}

/** Whether the game still waits for the decision `yourTurn` describes. */
function stillDue(state: AppState): boolean {
  const turn = state.yourTurn;
  const waiting = state.game?.waiting;
  if (turn === null || waiting === undefined || state.me?.seat !== turn.seat) return false;
  if (waiting.kind === "redeal") return turn.action === "redeal" && waiting.seats.includes(turn.seat);
  return (waiting.kind === "declare" || waiting.kind === "play") && waiting.kind === turn.action &&
    waiting.seat === turn.seat;
}

function pruneSelection(state: AppState): void {
  const held = new Set((state.game?.hand ?? []).map((p) => p.id));
  state.selection = state.selection.filter((id) => held.has(id));
}

const handlers: HandlerTable = {
  // ---- lobby channel
  room_list(state, data) {
    state.lobby = { rooms: data.rooms, loaded: true };
  },
  room_created(state, data, context) {
    if (data.session_token !== undefined) {
      // Our own create_room (the client keeps the seat's token): open the room as its host.
      context.effects.push({ kind: "navigate", path: `/room/${encodeURIComponent(data.room_id)}` });
      return;
    }
    const rooms = state.lobby.rooms.filter((r) => r.room_id !== data.room_id);
    state.lobby.rooms = [data, ...rooms];
  },
  room_updated(state, data) {
    const index = state.lobby.rooms.findIndex((r) => r.room_id === data.room_id);
    if (index < 0) state.lobby.rooms.unshift(data);
    else state.lobby.rooms[index] = data;
  },
  room_removed(state, data) {
    state.lobby.rooms = state.lobby.rooms.filter((r) => r.room_id !== data.room_id);
  },

  // ---- room membership
  connected(state, data, context) {
    state.queuedAt = null;
    if (data.player_name !== null) {
      // Our token was recognised: the server follows with a snapshot (`game_state`) on its own.
      state.me = { name: data.player_name, seat: state.me?.seat ?? null };
    } else {
      state.me = null;
      context.effects.push({ kind: "send", event: "get_state" });
    }
  },
  joined_room(state, data) {
    state.me = { name: data.player_name, seat: data.seat };
    // An earlier try's refusal ("name taken") no longer applies, and its toast would cover the table.
    state.error = null;
    state.room = data.room;
    state.seq = data.room.seq;
    if (state.game) state.game.seat = data.seat as Seat | null;
  },
  left_room(state, _data, context) {
    context.effects.push({ kind: "navigate", path: "/" });
    state.me = null;
    state.yourTurn = null;
    state.selection = [];
    if (state.game) {
      state.game.seat = null;
      state.game.hand = null;
    }
  },
  player_joined(state, data, context) {
    const room = state.room;
    if (room) {
      if (data.as === "spectator" || data.seat === null) {
        room.spectators = [...room.spectators.filter((s) => s.name !== data.player_name), {
          name: data.player_name,
          connected: true,
        }];
      } else {
        room.seats[data.seat] = { name: data.player_name, is_bot: false, connected: true, seat: data.seat };
      }
      room.host ??= data.player_name;
    }
    logEvent(state, `${data.player_name} joined${data.as === "spectator" ? " to watch" : ""}`, context.now);
  },
  player_left(state, data, context) {
    logEvent(state, `${data.player_name} left`, context.now);
    const room = state.room;
    if (room) {
      room.spectators = room.spectators.filter((s) => s.name !== data.player_name);
      const running = room.phase !== "WAITING" && room.phase !== "GAME_OVER";
      // In a running game a bot keeps the seat under the same name (`bot_took_over` follows).
      if (data.seat !== null && !running && room.seats[data.seat]?.name === data.player_name) {
        room.seats[data.seat] = null;
      }
    }
    if (state.me?.name === data.player_name) {
      // Removed by the host: we are a visitor now (the server forgets our token, so a reload offers to join).
      state.me = null;
      state.yourTurn = null;
      if (state.game) {
        state.game.seat = null;
        state.game.hand = null;
      }
    }
  },
  player_disconnected(state, data, context) {
    setConnected(state, data.player_name, false);
    const seconds = Math.round(data.grace_ms / 1000);
    logEvent(state, `${data.player_name} lost connection (${seconds} s to come back)`, context.now);
  },
  player_reconnected(state, data, context) {
    setConnected(state, data.player_name, true);
    const seat = state.room?.seats.find((s) => s?.name === data.player_name);
    // A bot that stood in for them hands the seat back.
    if (seat) seat.is_bot = false;
    logEvent(state, `${data.player_name} is back`, context.now);
  },
  host_changed(state, data, context) {
    if (state.room) state.room.host = data.host;
    notify(state, `${data.host} is the host now`, context.now);
  },
  room_state(state, data) {
    state.room = data;
    if (state.me) {
      const seat = data.seats.find((s) => s?.name === state.me?.name);
      state.me.seat = seat?.seat ?? null;
    }
    if (state.game && data.phase !== "WAITING") {
      data.seats.forEach((s, i) => {
        const player = state.game?.players[i];
        if (s && player) player.name = s.name;
      });
    }
  },
  chat(state, data, context) {
    state.log.push({ kind: "chat", who: data.player_name, text: data.message, at: context.now });
    if (state.log.length > LOG_LIMIT) state.log.splice(0, state.log.length - LOG_LIMIT);
  },
  bot_took_over(state, data, context) {
    const name = data.player_name ?? nameOf(state, data.seat);
    const seat = state.room?.seats[data.seat];
    if (seat && data.reason !== "timeout") {
      seat.is_bot = true;
      seat.connected = data.reason === "left";
    }
    const why = data.reason === "timeout"
      ? "ran out of time: a bot decides for them this once"
      : data.reason === "disconnected"
      ? "is away: a bot plays their seat until they return"
      : "left: a bot plays their seat";
    notify(state, `${name} ${why}`, context.now);
  },
  game_state(state, data) {
    state.room = data.room;
    // A snapshot is the truth, also when the room was closed and opened again with `seq` from 1.
    state.seq = data.room?.seq ?? 0;
    state.me = data.you === null ? null : { name: data.you.player_name, seat: data.you.seat };
    state.game = data.game;
    // A snapshot after a reconnect is followed by a fresh `your_turn`; one asked for (`get_state`) is not, so a
    // pending decision stays while the snapshot still waits for it.
    if (!stillDue(state)) state.yourTurn = null;
    pruneSelection(state);
  },
  game_aborted(state, data, context) {
    state.game = null;
    state.yourTurn = null;
    state.selection = [];
    if (state.room) state.room.phase = "WAITING";
    notify(state, `The game was stopped (${data.reason}); the host can start a new one`, context.now);
  },
  room_closed(state, data, context) {
    state.me = null;
    state.yourTurn = null;
    state.error = { code: "ROOM_CLOSED", message: data.message, at: context.now };
  },
  resumed() {
    // Replayed events (or a fresh game_state) already brought the state up to date.
  },

  // ---- the game
  phase_change(state, data, context) {
    if (state.game?.phase === "GAME_OVER" && data.phase === "PREPARATION") {
      // "Play again": a new game at the same table starts from zero.
      state.game = freshGame(state.room, state.me?.seat ?? null);
    }
    const game = ensureGame(state);
    const newRound = data.phase === "PREPARATION" && data.round !== game.round;
    applyPhaseChange(game, data);
    if (state.room) state.room.phase = data.phase;
    if (data.phase !== "PREPARATION" || newRound) state.yourTurn = null;
    if (data.phase === "PREPARATION" && data.round === 1 && newRound) state.roundHistory = [];
    if (data.phase === "PREPARATION" && data.redeal_requester !== undefined) {
      logEvent(
        state,
        `New hands for everyone: this round counts x${game.redeal_multiplier}`,
        context.now,
      );
    }
    if (data.phase === "DECLARATION" && data.starter !== undefined) {
      logEvent(state, `Round ${data.round}: ${data.starter} starts`, context.now);
    }
  },
  redeal_decision(state, data, context) {
    applyRedealDecision(ensureGame(state), data);
    decisionMade(state, data.seat);
    logEvent(state, `${data.player} ${data.accept ? "asked for a redeal" : "kept their hand"}`, context.now);
  },
  player_declared(state, data, context) {
    applyDeclared(ensureGame(state), data);
    decisionMade(state, data.seat);
    logEvent(state, `${data.player} declared ${data.value}`, context.now);
  },
  player_played(state, data, context) {
    applyPlayed(ensureGame(state), data);
    decisionMade(state, data.seat);
    if (isMine(state, data.seat)) pruneSelection(state);
    // Others' plays are on the table for all to see; the log keeps only ours and plays made for someone.
    if (isMine(state, data.seat) || data.timed_out) {
      logEvent(state, `${data.player} played ${PIECES_NAMES[data.pieces.length] ?? "pieces"}`, context.now);
    }
  },
  play_accepted() {
    // The broadcast `player_played` before it already moved the pieces to the table.
  },
  turn_result(state, data, context) {
    applyTurnResult(ensureGame(state), data);
    const piles = data.piles_won === 1 ? "1 pile" : `${data.piles_won} piles`;
    logEvent(state, `${data.winner} won turn ${data.turn} (${piles})`, context.now);
  },
  round_scores(state, data, context) {
    applyRoundScores(ensureGame(state), data);
    state.roundHistory = state.roundHistory.filter((r) => r.round !== data.round);
    state.roundHistory.push({ round: data.round, scores: data.scores });
    logEvent(state, `Round ${data.round} scored`, context.now);
  },
  game_over(state, data, context) {
    applyGameOver(ensureGame(state), data);
    if (state.room) state.room.phase = "GAME_OVER";
    state.yourTurn = null;
    logEvent(state, `Game over: ${data.winners.join(" and ")} won`, context.now);
  },
  hand(state, data) {
    const game = ensureGame(state);
    game.hand = data.pieces;
    pruneSelection(state);
  },
  your_turn(state, data, context) {
    const deadline = data.timeout_ms > 0 ? context.now + data.timeout_ms : null;
    state.yourTurn = { ...data, deadline, sent: false };
  },

  // ---- either channel
  ping() {
    // The client answers the heartbeat itself.
  },
  pong() {},
  timeout_warning() {
    // Answering is enough: the pong to the server's ping, or any action, counts as activity.
  },
  queued(state, data) {
    state.queuedAt = data.position;
  },
  queue_processed(state) {
    state.queuedAt = null;
  },
  server_notice(state, data, context) {
    // An operator's message (admin `notice`): shown like the table's own notices, and kept in the log.
    notify(state, `Server: ${data.message}`, context.now);
  },
};

function applyError(state: AppState, frame: ErrorEnvelope, context: Context): void {
  const { code, message } = frame.error;
  if (code === "AUTHENTICATION_FAILED") {
    // Our stored token is stale (the room closed, or our seat was given up): the client forgets it; we offer
    // to join instead of showing an error.
    state.me = null;
    return;
  }
  state.error = { code, message, at: context.now };
  // A refused decision can be made again.
  if (state.yourTurn) state.yourTurn.sent = false;
}

function applyEnvelope(state: AppState, frame: ServerEnvelope | ErrorEnvelope, context: Context): void {
  if (frame.event === "error") return applyError(state, frame, context);
  if (frame.seq !== undefined) {
    if (state.seq > 0 && frame.seq > state.seq + 1) {
      // We missed broadcasts: take a fresh snapshot rather than guess.
      context.effects.push({ kind: "send", event: "get_state" });
    }
    if (frame.seq <= state.seq) return; // Already in our picture (a snapshot or a replay covered it).
    state.seq = Math.max(state.seq, frame.seq);
  }
  const handler = handlers[frame.event] as Handler<typeof frame.event> | undefined;
  if (handler === undefined) return; // A newer server's event this page does not know: ignore it.
  handler(state, frame.data as never, { ...context, id: frame.id });
}

/** The next state after one frame from the server, and what the page must do about it. */
export function receive(
  state: AppState,
  frame: ServerFrame,
  now: number,
): { state: AppState; effects: Effect[] } {
  const next = structuredClone(state);
  const context: Context = { now, effects: [] };
  if (frame.event === "message_batch") {
    for (const inner of frame.data.messages) applyEnvelope(next, inner, context);
  } else {
    applyEnvelope(next, frame, context);
  }
  return { state: next, effects: context.effects };
}
