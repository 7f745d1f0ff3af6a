// A running game at one table: the engine state, its action log, and the timers that keep it moving
// (display pauses, bot moves, turn and redeal deadlines). Reaches the room only through TableAccess; every
// timer fires as a room command, so the room can log it and replay it.

import { chooseBotAction } from "../game/bot.ts";
import { botViewFor } from "../game/bot_view.ts";
import { apply, createGame, decidingSeats, waitingFor } from "../game/engine.ts";
import type { GameEvent } from "../game/events.ts";
import { legalDeclarations, legalPlays } from "../game/legal_moves.ts";
import { createRng, mixSeed } from "../game/prng.ts";
import type { Action, GameState, Phase, Seat, Waiting } from "../game/state.ts";
import { type GameView, viewFor } from "../game/view.ts";
import type { Clock, TimerId } from "./clock.ts";
import type { Member } from "./room.ts";
import type { PlayerMove, RoomCommand } from "./room_command.ts";
import { fail, ok, type RoomResult } from "./room_errors.ts";
import type { RoomSettings } from "./settings.ts";

/** What a game may do to its room. */
export interface TableAccess {
  clock: Clock;
  settings(): Readonly<RoomSettings>;
  broadcast(event: string, data: unknown): void;
  sendPrivate(memberName: string, event: string, data: unknown): void;
  memberAt(seat: Seat): Member | undefined;
  /** A bot, or a human whose seat a bot plays for now. */
  isAutomated(seat: Seat): boolean;
  /** A timer callback that runs the command `make` builds (when the timer fires) as a room action. */
  timer(make: () => RoomCommand): () => void;
  changed(): void;
  /** The game cannot go on (its engine or bot failed twice): the room ends it and says why. */
  abort(reason: string): void;
  rules: GameRules;
}

/** The engine calls a table makes: the real engine, or a wrapper a test injects to make it fail. */
export interface GameRules {
  apply: typeof apply;
  chooseBotAction: typeof chooseBotAction;
}

export const REAL_RULES: GameRules = { apply, chooseBotAction };

const SEATS: readonly Seat[] = [0, 1, 2, 3];

export class TableGame {
  #room: TableAccess;
  #state: GameState;
  #seed: number;
  #actions: Action[] = [];
  #stepTimer: TimerId | null = null;
  #deadlineTimer: TimerId | null = null;
  /** Identifies the decision the deadline belongs to, so rescheduling never restarts a running clock. */
  #deadlineKey: string | null = null;
  /** When the running deadline passes (room clock), so a prompt sent again tells the time left, not the setting. */
  #deadlineDue: number | null = null;
  #deals = 0;
  #disposed = false;

  constructor(room: TableAccess, players: readonly [string, string, string, string], seed: number) {
    this.#room = room;
    this.#seed = seed;
    const settings = room.settings();
    this.#state = createGame({
      seed,
      players,
      targetScore: settings.target_score,
      maxRounds: settings.max_rounds,
    });
  }

  get phase(): Phase {
    return this.#state.phase;
  }

  get over(): boolean {
    return this.#state.phase === "GAME_OVER";
  }

  /** The seed and accepted actions: enough to rebuild this game exactly. */
  get record(): { seed: number; actions: readonly Action[] } {
    return { seed: this.#seed, actions: this.#actions };
  }

  start(): void {
    this.#apply({ type: "start" });
  }

  /** A seated member's own move. */
  move(seat: Seat, move: PlayerMove): RoomResult<null> {
    switch (move.type) {
      case "declare":
        return this.#apply({ type: "declare", seat, value: move.value });
      case "play":
        return this.#apply({ type: "play", seat, pieceIds: [...move.pieceIds] });
      case "redeal_decision":
        return this.#apply({ type: "redeal_decision", seat, accept: move.accept });
    }
  }

  /** The display pause is over: the engine moves on. */
  advance(): RoomResult<null> {
    return this.#apply({ type: "advance" });
  }

  /** The players' results so far: seat order names, scores, winners (once over) and the round. */
  get result(): { players: string[]; scores: number[]; winners: string[]; rounds: number } {
    const state = this.#state;
    return {
      players: state.players.map((p) => p.name),
      scores: state.players.map((p) => p.score),
      winners: (state.result?.winners ?? []).map((seat) => state.players[seat].name),
      rounds: state.round,
    };
  }

  viewFor(seat: Seat | null): GameView {
    return viewFor(this.#state, seat ?? "spectator");
  }

  /** A member came back: their hand and, if it is their move, what they may do. */
  sendPrivateState(member: Member): void {
    if (member.seat === null || this.#disposed) return;
    const view = viewFor(this.#state, member.seat);
    if (view.hand !== null && view.hand.length > 0) {
      this.#room.sendPrivate(member.name, "hand", { pieces: view.hand });
    }
    // The decision's deadline kept running while they were away: the prompt says what is left of it.
    const left = this.#deadlineDue === null ? 0 : Math.max(1, this.#deadlineDue - this.#room.clock.now());
    const prompt = this.#prompt(member.seat, waitingFor(this.#state), left);
    if (prompt !== null) this.#room.sendPrivate(member.name, "your_turn", prompt);
  }

  /** A seat went to a bot or came back to its human: if the game waits for that seat, its decision restarts. */
  seatControlChanged(seat: Seat): void {
    if (this.#disposed) return;
    if (decidingSeats(waitingFor(this.#state)).includes(seat)) {
      this.#deadlineKey = null;
      this.#clearDeadline();
    }
    this.#schedule();
  }

  dispose(): void {
    this.#disposed = true;
    this.#clearStep();
    this.#clearDeadline();
  }

  // ---- internals -------------------------------------------------------------------------------------------

  #apply(action: Action): RoomResult<null> {
    if (this.#disposed) return fail("INVALID_PHASE", "This game has ended");
    const result = this.#room.rules.apply(this.#state, action);
    if (!result.ok) return fail(result.error.code, result.error.message);
    this.#state = result.state;
    this.#actions.push(action);
    this.#publish(result.events);
    this.#schedule();
    return ok(null);
  }

  #publish(events: readonly GameEvent[]): void {
    for (const event of events) {
      const { type, ...data } = event;
      if (type === "hands_dealt") {
        this.#deals += 1;
        for (const seat of SEATS) this.#sendHand(seat);
        continue;
      }
      this.#room.broadcast(type, data);
      // Whoever played (in person, by a bot for them, or at a deadline) sees their hand as it is now.
      if (event.type === "player_played") this.#sendHand(event.seat);
      if (type === "phase_change" || type === "game_over") this.#room.changed();
    }
  }

  #sendHand(seat: Seat): void {
    const member = this.#room.memberAt(seat);
    if (member === undefined || member.isBot) return;
    this.#room.sendPrivate(member.name, "hand", { pieces: viewFor(this.#state, seat).hand ?? [] });
  }

  /**
   * What `your_turn` tells a seat it may do now, or null if it has nothing to decide. `timeoutMs`: the time left
   * to decide (0: no deadline).
   */
  #prompt(seat: Seat, waiting: Waiting, timeoutMs: number): Record<string, unknown> | null {
    if (waiting.kind === "redeal" && waiting.seats.includes(seat)) {
      return { action: "redeal", seat, options: [true, false], timeout_ms: timeoutMs };
    }
    if (waiting.kind === "declare" && waiting.seat === seat) {
      return {
        action: "declare",
        seat,
        options: legalDeclarations(this.#state, seat),
        timeout_ms: timeoutMs,
      };
    }
    if (waiting.kind === "play" && waiting.seat === seat) {
      return {
        action: "play",
        seat,
        required_piece_count: this.#state.turn?.required ?? null,
        options: legalPlays(this.#state, seat),
        timeout_ms: timeoutMs,
      };
    }
    return null;
  }

  /** Looks at what the game waits for and arms exactly the timers that keep it moving. */
  #schedule(): void {
    this.#clearStep();
    if (this.#disposed) return;
    const settings = this.#room.settings();
    const waiting = waitingFor(this.#state);
    switch (waiting.kind) {
      case "start":
      case "over":
        this.#clearDeadline();
        return;
      case "advance": {
        this.#clearDeadline();
        const pause = waiting.after === "deal"
          ? settings.after_deal_ms
          : waiting.after === "turn"
          ? settings.after_turn_ms
          : settings.after_round_ms;
        this.#step(pause, () => ({ type: "advance" }));
        return;
      }
      case "declare":
      case "play": {
        const seat = waiting.seat;
        if (this.#room.isAutomated(seat)) {
          this.#clearDeadline();
          this.#step(settings.bot_think_ms, () => this.#botCommand(seat));
          return;
        }
        this.#humanDecision(`${waiting.kind}:${this.#actions.length}`, [seat], settings.turn_timeout_ms);
        return;
      }
      case "redeal": {
        const bots = waiting.seats.filter((s) => this.#room.isAutomated(s));
        const humans = waiting.seats.filter((s) => !this.#room.isAutomated(s));
        const first = bots[0];
        if (first !== undefined) this.#step(settings.bot_think_ms, () => this.#botCommand(first));
        if (humans.length > 0) {
          this.#humanDecision(`redeal:${this.#deals}`, humans, settings.redeal_timeout_ms);
        } else this.#clearDeadline();
        return;
      }
    }
  }

  /** Prompts the humans who must decide and starts their deadline, once per decision. */
  #humanDecision(key: string, seats: readonly Seat[], timeoutMs: number): void {
    if (this.#deadlineKey === key) return;
    this.#clearDeadline();
    this.#deadlineKey = key;
    const waiting = waitingFor(this.#state);
    for (const seat of seats) {
      const member = this.#room.memberAt(seat);
      const prompt = this.#prompt(seat, waiting, timeoutMs);
      if (member !== undefined && prompt !== null) this.#room.sendPrivate(member.name, "your_turn", prompt);
    }
    if (timeoutMs > 0) {
      this.#deadlineDue = this.#room.clock.now() + timeoutMs;
      this.#deadlineTimer = this.#room.clock.setTimeout(
        this.#room.timer(() => ({ type: "deadline" })),
        timeoutMs,
      );
    }
  }

  /** Nobody stalls a game: whoever still has to decide gets the engine's bot move for that decision. */
  deadlinePassed(): RoomResult<null> {
    // Cleared, not just forgotten: during a replay the timer is still noted and would fire again.
    this.#clearDeadline();
    for (const seat of decidingSeats(waitingFor(this.#state)).filter((s) => !this.#room.isAutomated(s))) {
      const member = this.#room.memberAt(seat);
      this.#room.broadcast("bot_took_over", { seat, player_name: member?.name ?? null, reason: "timeout" });
      this.#applyOrAbort({ type: "timeout", seat });
    }
    return ok(null);
  }

  /**
   * A bot's move, chosen when its timer fired. A move the engine refuses (or none, when choosing failed)
   * falls back to the engine's own decision for the seat; if that fails too the game is aborted, never stuck.
   */
  botMove(seat: Seat, action: Action | null): RoomResult<null> {
    this.#clearStep();
    const due = decidingSeats(waitingFor(this.#state)).includes(seat);
    if (!due || !this.#room.isAutomated(seat)) {
      this.#schedule();
      return ok(null);
    }
    if (action !== null) {
      const result = this.#apply(action);
      if (result.ok) return result;
      console.error(
        `[rooms] bot move rejected for seat ${seat}: ${result.error.code} ${result.error.message}`,
      );
    }
    this.#applyOrAbort({ type: "timeout", seat });
    return ok(null);
  }

  /** Builds the command a bot's step timer runs: its choice now, so the log holds it and replay needs no bot. */
  #botCommand(seat: Seat): RoomCommand {
    const due = decidingSeats(waitingFor(this.#state)).includes(seat);
    if (!due || !this.#room.isAutomated(seat)) return { type: "bot", seat, action: null };
    const member = this.#room.memberAt(seat);
    const difficulty = member?.isBot ? this.#room.settings().bot_difficulty : "normal";
    // Seeded by the game and its length, so the same game makes the same choices with no generator to carry.
    const rng = createRng(mixSeed(this.#seed, 0x5bd1e995, this.#actions.length));
    try {
      return {
        type: "bot",
        seat,
        action: this.#room.rules.chooseBotAction(botViewFor(this.#state, seat), difficulty, rng),
      };
    } catch (error) {
      const ref = crypto.randomUUID().slice(0, 8);
      console.error(`[rooms] bot failed to choose for seat ${seat} ref=${ref}`, error);
      return { type: "bot", seat, action: null, failed: true };
    }
  }

  /** The engine's fallback decision; if even that is refused the game cannot go on and is aborted. */
  #applyOrAbort(action: Action): void {
    const result = this.#apply(action);
    if (!result.ok) {
      this.#room.abort(`the engine refused its own fallback move (${result.error.code})`);
    }
  }

  #step(ms: number, make: () => RoomCommand): void {
    this.#clearStep();
    this.#stepTimer = this.#room.clock.setTimeout(this.#room.timer(make), ms);
  }

  #clearStep(): void {
    if (this.#stepTimer !== null) {
      this.#room.clock.clearTimeout(this.#stepTimer);
      this.#stepTimer = null;
    }
  }

  #clearDeadline(): void {
    this.#deadlineDue = null;
    if (this.#deadlineTimer !== null) {
      this.#room.clock.clearTimeout(this.#deadlineTimer);
      this.#deadlineTimer = null;
    }
  }
}
