// A running game at one table: the engine state, its action log, and the timers that keep it moving
// (display pauses, bot moves, turn and redeal deadlines). Reaches the room only through TableAccess.

import { chooseBotAction } from "../game/bot.ts";
import { botViewFor } from "../game/bot_view.ts";
import { apply, createGame, decidingSeats, waitingFor } from "../game/engine.ts";
import type { GameEvent } from "../game/events.ts";
import { legalDeclarations, legalPlays } from "../game/legal_moves.ts";
import { createRng, type Rng } from "../game/prng.ts";
import type { Action, GameState, Phase, Seat, Waiting } from "../game/state.ts";
import { type GameView, viewFor } from "../game/view.ts";
import type { Clock, TimerId } from "./clock.ts";
import type { Member } from "./room.ts";
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
  /** Wraps a timer callback so it runs as a room action. */
  timer(fn: () => void): () => void;
  changed(): void;
}

const SEATS: readonly Seat[] = [0, 1, 2, 3];

export class TableGame {
  #room: TableAccess;
  #state: GameState;
  #seed: number;
  #actions: Action[] = [];
  #rng: Rng;
  #stepTimer: TimerId | null = null;
  #deadlineTimer: TimerId | null = null;
  /** Identifies the decision the deadline belongs to, so rescheduling never restarts a running clock. */
  #deadlineKey: string | null = null;
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
    this.#rng = createRng(seed ^ 0x5bd1e995);
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

  declare(seat: Seat, value: number): RoomResult<null> {
    return this.#apply({ type: "declare", seat, value });
  }

  play(seat: Seat, pieceIds: readonly number[]): RoomResult<null> {
    return this.#apply({ type: "play", seat, pieceIds: [...pieceIds] });
  }

  redealDecision(seat: Seat, accept: boolean): RoomResult<null> {
    return this.#apply({ type: "redeal_decision", seat, accept });
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
    const prompt = this.#prompt(member.seat, waitingFor(this.#state));
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
    const result = apply(this.#state, action);
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

  /** What `your_turn` tells a seat it may do now, or null if it has nothing to decide. */
  #prompt(seat: Seat, waiting: Waiting): Record<string, unknown> | null {
    const settings = this.#room.settings();
    if (waiting.kind === "redeal" && waiting.seats.includes(seat)) {
      return { action: "redeal", seat, options: [true, false], timeout_ms: settings.redeal_timeout_ms };
    }
    if (waiting.kind === "declare" && waiting.seat === seat) {
      return {
        action: "declare",
        seat,
        options: legalDeclarations(this.#state, seat),
        timeout_ms: settings.turn_timeout_ms,
      };
    }
    if (waiting.kind === "play" && waiting.seat === seat) {
      return {
        action: "play",
        seat,
        required_piece_count: this.#state.turn?.required ?? null,
        options: legalPlays(this.#state, seat),
        timeout_ms: settings.turn_timeout_ms,
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
        this.#step(pause, () => this.#apply({ type: "advance" }));
        return;
      }
      case "declare":
      case "play": {
        const seat = waiting.seat;
        if (this.#room.isAutomated(seat)) {
          this.#clearDeadline();
          this.#step(settings.bot_think_ms, () => this.#botMove(seat));
          return;
        }
        this.#humanDecision(`${waiting.kind}:${this.#actions.length}`, [seat], settings.turn_timeout_ms);
        return;
      }
      case "redeal": {
        const bots = waiting.seats.filter((s) => this.#room.isAutomated(s));
        const humans = waiting.seats.filter((s) => !this.#room.isAutomated(s));
        const first = bots[0];
        if (first !== undefined) this.#step(settings.bot_think_ms, () => this.#botMove(first));
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
      const prompt = this.#prompt(seat, waiting);
      if (member !== undefined && prompt !== null) this.#room.sendPrivate(member.name, "your_turn", prompt);
    }
    if (timeoutMs > 0) {
      this.#deadlineTimer = this.#room.clock.setTimeout(
        this.#room.timer(() => this.#deadlinePassed()),
        timeoutMs,
      );
    }
  }

  /** Nobody stalls a game: whoever still has to decide gets the engine's bot move for that decision. */
  #deadlinePassed(): void {
    this.#deadlineTimer = null;
    for (const seat of decidingSeats(waitingFor(this.#state)).filter((s) => !this.#room.isAutomated(s))) {
      const member = this.#room.memberAt(seat);
      this.#room.broadcast("bot_took_over", { seat, player_name: member?.name ?? null, reason: "timeout" });
      this.#apply({ type: "timeout", seat });
    }
  }

  #botMove(seat: Seat): void {
    this.#stepTimer = null;
    const due = decidingSeats(waitingFor(this.#state)).includes(seat);
    if (!due || !this.#room.isAutomated(seat)) return this.#schedule();
    const member = this.#room.memberAt(seat);
    const difficulty = member?.isBot ? this.#room.settings().bot_difficulty : "normal";
    const action = chooseBotAction(botViewFor(this.#state, seat), difficulty, this.#rng);
    const result = this.#apply(action);
    if (!result.ok) {
      // A bot must never stall its table: log the bug and let the engine decide for the seat instead.
      console.error(
        `[rooms] bot move rejected for seat ${seat}: ${result.error.code} ${result.error.message}`,
      );
      this.#apply({ type: "timeout", seat });
    }
  }

  #step(ms: number, fn: () => void): void {
    this.#clearStep();
    this.#stepTimer = this.#room.clock.setTimeout(this.#room.timer(fn), ms);
  }

  #clearStep(): void {
    if (this.#stepTimer !== null) {
      this.#room.clock.clearTimeout(this.#stepTimer);
      this.#stepTimer = null;
    }
  }

  #clearDeadline(): void {
    if (this.#deadlineTimer !== null) {
      this.#room.clock.clearTimeout(this.#deadlineTimer);
      this.#deadlineTimer = null;
    }
  }
}
