// One table: its members, seats, host, settings and broadcast stream, with every timer it starts.
// All changes run one at a time through `#run`; all output leaves through RoomOutput, batched per action.

import type { Seat } from "../game/state.ts";
import type { Clock, TimerId } from "./clock.ts";
import type { OutboundEvent, RoomOutput } from "./room_output.ts";
import { fail, ok, RoomErrorCode, type RoomResult } from "./room_errors.ts";
import type { RoomState, RoomSummary, SeatSummary } from "./room_views.ts";
import { newSessionToken } from "./session_token.ts";
import { DEFAULT_SETTINGS, type RoomSettings } from "./settings.ts";
import { type TableAccess, TableGame } from "./table_game.ts";

/** Someone at the table or watching it; bots are members without a session. */
export interface Member {
  readonly name: string;
  seat: Seat | null;
  readonly isBot: boolean;
  readonly token: string | null;
  connected: boolean;
  /** A human whose grace ran out while seated in a game: a bot plays the seat until they come back. */
  automated: boolean;
  graceTimer: TimerId | null;
  readonly joinedAt: number;
  /** Has had a connection at least once (a lobby creator's seat is reserved before they connect). */
  seen: boolean;
}

export interface RoomHooks {
  /** Something the lobby lists changed. */
  changed(room: Room): void;
  /** No human member is left: the directory disposes of the room. */
  empty(room: Room): void;
}

export interface RoomOptions {
  id: string;
  name: string;
  settings?: Partial<RoomSettings>;
  clock: Clock;
  output: RoomOutput;
  hooks: RoomHooks;
  /** A fresh 32-bit seed for each game (tests pass a fixed one). */
  seed: () => number;
}

export interface JoinOutcome {
  member: Member;
  token: string;
}

const SEAT_INDEXES: readonly Seat[] = [0, 1, 2, 3];

export class Room {
  readonly id: string;
  readonly createdAt: number;
  readonly clock: Clock;
  #name: string;
  #settings: RoomSettings;
  #output: RoomOutput;
  #hooks: RoomHooks;
  #seed: () => number;
  #members = new Map<string, Member>();
  #seats: (string | null)[] = [null, null, null, null];
  #host: string | null = null;
  #seq = 0;
  #game: TableGame | null = null;
  #disposed = false;
  // Output of the action in progress, delivered together when it ends.
  #broadcasts: OutboundEvent[] = [];
  #private = new Map<string, OutboundEvent[]>();
  #running = false;
  #summaryChanged = false;

  constructor(options: RoomOptions) {
    this.id = options.id;
    this.#name = options.name;
    this.clock = options.clock;
    this.createdAt = options.clock.now();
    this.#settings = { ...DEFAULT_SETTINGS, ...options.settings };
    this.#output = options.output;
    this.#hooks = options.hooks;
    this.#seed = options.seed;
  }

  get name(): string {
    return this.#name;
  }

  get settings(): Readonly<RoomSettings> {
    return this.#settings;
  }

  get host(): string | null {
    return this.#host;
  }

  get seq(): number {
    return this.#seq;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  get game(): TableGame | null {
    return this.#game;
  }

  member(name: string): Member | undefined {
    return this.#members.get(name);
  }

  memberAt(seat: Seat): Member | undefined {
    const name = this.#seats[seat];
    return name === null || name === undefined ? undefined : this.#members.get(name);
  }

  /** The member a session token belongs to; a token is never shown to anyone but its owner. */
  memberByToken(token: string): Member | undefined {
    for (const member of this.#members.values()) {
      if (member.token !== null && member.token === token) return member;
    }
    return undefined;
  }

  /** Humans still counted at the table: connected, or within their reconnect grace. */
  get humansPresent(): number {
    let count = 0;
    for (const member of this.#members.values()) {
      if (isPresentHuman(member)) count += 1;
    }
    return count;
  }

  // ---- membership -------------------------------------------------------------------------------------------

  join(name: string, as: "player" | "spectator", connected = true): RoomResult<JoinOutcome> {
    return this.#run(() => {
      if (this.#members.has(name)) {
        return fail(RoomErrorCode.NAME_TAKEN, `The name ${name} is taken in this room`);
      }
      let seat: Seat | null = null;
      if (as === "player") {
        if (this.#game !== null && !this.#game.over) {
          return fail(RoomErrorCode.ALREADY_IN_GAME, "The game has started; join as a spectator");
        }
        const free = SEAT_INDEXES.find((s) => this.#seats[s] === null);
        if (free === undefined) {
          return fail(RoomErrorCode.ROOM_FULL, "All four seats are taken; join as a spectator");
        }
        seat = free;
      } else if (this.#spectators().length >= this.#settings.max_spectators) {
        return fail(RoomErrorCode.ROOM_FULL, "This room has no place for more spectators");
      }
      const token = newSessionToken();
      const member: Member = {
        name,
        seat,
        isBot: false,
        token,
        connected,
        automated: false,
        graceTimer: null,
        joinedAt: this.clock.now(),
        seen: connected,
      };
      this.#members.set(name, member);
      if (seat !== null) this.#seats[seat] = name;
      if (this.#host === null) this.#host = name;
      this.#broadcast("player_joined", { player_name: name, seat, as });
      if (!connected) this.#startGrace(member);
      this.#summaryChanged = true;
      return ok({ member, token });
    });
  }

  leave(name: string): RoomResult<null> {
    return this.#run(() => {
      const member = this.#members.get(name);
      if (member === undefined || member.isBot) {
        return fail(RoomErrorCode.NOT_IN_ROOM, "You are not in this room");
      }
      this.#dropMember(member);
      return ok(null);
    });
  }

  /**
   * A member's connection is back (token reconnect): it takes its seat back at once. `snapshot: false` skips
   * the private `game_state` for a client that was replayed every event it missed (the hand and any prompt
   * still go out).
   */
  reconnect(name: string, options: { snapshot?: boolean } = {}): RoomResult<Member> {
    return this.#run(() => {
      const member = this.#members.get(name);
      if (member === undefined || member.isBot) {
        return fail(RoomErrorCode.NOT_IN_ROOM, "That session has ended");
      }
      const wasAway = !member.connected;
      this.#clearGrace(member);
      member.connected = true;
      const tookBack = member.automated;
      member.automated = false;
      if (!member.seen) {
        // A reserved seat's first connection is an arrival, not a return: show the seat as taken up.
        member.seen = true;
        this.#broadcastRoomState();
      } else if (wasAway) {
        this.#broadcast("player_reconnected", { player_name: name, seat: member.seat });
      }
      if (tookBack && member.seat !== null) this.#game?.seatControlChanged(member.seat);
      if (options.snapshot !== false) this.#sendPrivate(name, "game_state", this.stateFor(name));
      this.#game?.sendPrivateState(member);
      this.#summaryChanged = true;
      return ok(member);
    });
  }

  /** A member's connection closed without leaving: the seat waits for the grace period. */
  disconnected(name: string): void {
    this.#run(() => {
      const member = this.#members.get(name);
      if (member === undefined || member.isBot || !member.connected) return;
      member.connected = false;
      this.#broadcast("player_disconnected", {
        player_name: name,
        grace_ms: this.#settings.reconnect_grace_ms,
      });
      this.#startGrace(member);
      this.#summaryChanged = true;
    });
  }

  chat(name: string | null, message: string): RoomResult<null> {
    return this.#run(() => {
      const member = name === null ? undefined : this.#members.get(name);
      if (member === undefined) return fail(RoomErrorCode.NOT_IN_ROOM, "Join the room before chatting");
      this.#broadcast("chat", { player_name: member.name, message });
      return ok(null);
    });
  }

  // ---- host controls ---------------------------------------------------------------------------------------

  addBot(by: string | null, seat: Seat | undefined): RoomResult<null> {
    return this.#run(() => {
      const denied = this.#checkHostBeforeStart(by);
      if (denied) return denied;
      const target = seat ?? SEAT_INDEXES.find((s) => this.#seats[s] === null);
      if (target === undefined) return fail(RoomErrorCode.ROOM_FULL, "All four seats are taken");
      if (this.#seats[target] !== null) return fail(RoomErrorCode.INVALID_ACTION, `Seat ${target} is taken`);
      this.#seatBot(target);
      this.#broadcastRoomState();
      return ok(null);
    });
  }

  removeBot(by: string | null, seat: Seat): RoomResult<null> {
    return this.#run(() => {
      const denied = this.#checkHostBeforeStart(by);
      if (denied) return denied;
      const member = this.memberAt(seat);
      if (member === undefined || !member.isBot) {
        return fail(RoomErrorCode.INVALID_ACTION, `Seat ${seat} has no bot`);
      }
      this.#members.delete(member.name);
      this.#seats[seat] = null;
      this.#broadcastRoomState();
      return ok(null);
    });
  }

  removePlayer(by: string | null, seat: Seat): RoomResult<null> {
    return this.#run(() => {
      const denied = this.#checkHostBeforeStart(by);
      if (denied) return denied;
      const member = this.memberAt(seat);
      if (member === undefined) return fail(RoomErrorCode.INVALID_ACTION, `Seat ${seat} is empty`);
      if (member.name === by) return fail(RoomErrorCode.INVALID_ACTION, "The host cannot remove themself");
      if (member.isBot) {
        this.#members.delete(member.name);
        this.#seats[seat] = null;
      } else {
        this.#dropMember(member);
      }
      this.#broadcastRoomState();
      return ok(null);
    });
  }

  updateSettings(by: string | null, patch: Partial<RoomSettings>): RoomResult<RoomSettings> {
    return this.#run(() => {
      const denied = this.#checkHostBeforeStart(by);
      if (denied) return denied;
      this.#settings = { ...this.#settings, ...definedOnly(patch) };
      this.#broadcastRoomState();
      return ok(this.#settings);
    });
  }

  startGame(by: string | null, fillWithBots: boolean): RoomResult<null> {
    return this.#run(() => {
      const denied = this.#checkHostBeforeStart(by);
      if (denied) return denied;
      const empty = SEAT_INDEXES.filter((s) => this.#seats[s] === null);
      if (empty.length > 0 && !fillWithBots) {
        return fail(
          RoomErrorCode.INVALID_ACTION,
          `${empty.length} seat(s) are empty: add bots or use fill_with_bots`,
        );
      }
      for (const seat of empty) this.#seatBot(seat);
      if (empty.length > 0) this.#broadcastRoomState();
      this.#game?.dispose();
      const names = SEAT_INDEXES.map((s) => this.#seats[s] ?? "") as [string, string, string, string];
      this.#game = new TableGame(this.#tableAccess(), names, this.#seed());
      this.#game.start();
      this.#summaryChanged = true;
      return ok(null);
    });
  }

  /** Runs a game action for the seat of `by`; rule violations come back as values and change nothing. */
  gameAction(
    by: string | null,
    act: (game: TableGame, seat: Seat) => RoomResult<unknown>,
  ): RoomResult<unknown> {
    return this.#run(() => {
      const member = by === null ? undefined : this.#members.get(by);
      if (member === undefined) return fail(RoomErrorCode.NOT_IN_ROOM, "Join the room first");
      if (this.#game === null) return fail(RoomErrorCode.GAME_NOT_STARTED, "The game has not started");
      if (member.seat === null) return fail(RoomErrorCode.INVALID_ACTION, "Spectators cannot play");
      return act(this.#game, member.seat);
    });
  }

  // ---- views -----------------------------------------------------------------------------------------------

  get phase(): RoomSummary["phase"] {
    return this.#game?.phase ?? "WAITING";
  }

  summary(): RoomSummary {
    return {
      room_id: this.id,
      room_name: this.#name,
      host: this.#host,
      seats: SEAT_INDEXES.map((s) => this.#seatSummary(s)),
      spectators: this.#spectators().length,
      phase: this.phase,
      is_public: this.#settings.is_public,
      created_at: this.createdAt,
    };
  }

  state(): RoomState {
    return {
      room_id: this.id,
      room_name: this.#name,
      host: this.#host,
      seats: SEAT_INDEXES.map((s) => {
        const seat = this.#seatSummary(s);
        return seat === null ? null : { ...seat, seat: s };
      }),
      spectators: this.#spectators().map((m) => ({ name: m.name, connected: m.connected })),
      settings: { ...this.#settings },
      phase: this.phase,
      is_public: this.#settings.is_public,
      created_at: this.createdAt,
      seq: this.#seq,
    };
  }

  /** What `get_state` answers: the table, who you are, and the game as your seat may see it. */
  stateFor(name: string | null): Record<string, unknown> {
    const member = name === null ? undefined : this.#members.get(name);
    return {
      room: this.state(),
      you: member === undefined ? null : {
        player_name: member.name,
        seat: member.seat,
        is_host: member.name === this.#host,
        is_spectator: member.seat === null,
      },
      game: this.#game?.viewFor(member?.seat ?? null) ?? null,
    };
  }

  /** Clears every timer this room started. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#game?.dispose();
    for (const member of this.#members.values()) this.#clearGrace(member);
  }

  /** Delivers what the current action produced. Public so tests driving a fake clock need not await. */
  flush(): void {
    // Take both queues before delivering anything: a delivery can drop a socket and make this room emit
    // again, and that later output must not overtake what this action produced.
    const broadcasts = this.#broadcasts;
    const privates = this.#private;
    this.#broadcasts = [];
    this.#private = new Map();
    if (broadcasts.length > 0) this.#output.broadcast(this.id, broadcasts);
    for (const [name, events] of privates) this.#output.toMember(this.id, name, events);
    if (this.#summaryChanged && !this.#disposed) {
      this.#summaryChanged = false;
      this.#hooks.changed(this);
    }
  }

  // ---- internals -------------------------------------------------------------------------------------------

  /** One action at a time: messages and timer callbacks all enter here, and each one's output is flushed. */
  #run<T>(action: () => RoomResult<T>): RoomResult<T>;
  #run(action: () => void): void;
  #run<T>(action: () => RoomResult<T> | void): RoomResult<T> | void {
    if (this.#disposed) return fail(RoomErrorCode.ROOM_NOT_FOUND, "This room is closed");
    // Output is delivered after the action, and sockets close asynchronously, so nothing an action triggers
    // can call back into the room while it runs; if that ever changes, fail loudly rather than interleave.
    if (this.#running) throw new Error(`re-entrant action in room ${this.id}`);
    this.#running = true;
    let result: RoomResult<T> | void;
    try {
      result = action();
    } finally {
      this.#running = false;
    }
    this.flush();
    if (this.humansPresent === 0 && !this.#disposed) this.#hooks.empty(this);
    return result;
  }

  /** Timer callbacks enter the room through here, so they are ordered with messages. */
  #timer(fn: () => void): () => void {
    return () => this.#run(fn);
  }

  #broadcast(event: string, data: unknown): void {
    this.#seq += 1;
    this.#broadcasts.push({ event, data, seq: this.#seq });
  }

  #sendPrivate(name: string, event: string, data: unknown): void {
    const member = this.#members.get(name);
    if (member === undefined || member.isBot) return;
    let events = this.#private.get(name);
    if (events === undefined) {
      events = [];
      this.#private.set(name, events);
    }
    events.push({ event, data });
  }

  #broadcastRoomState(): void {
    // Numbered first, so the state it carries already counts itself in `seq`.
    this.#seq += 1;
    this.#broadcasts.push({ event: "room_state", data: this.state(), seq: this.#seq });
    this.#summaryChanged = true;
  }

  #checkHostBeforeStart(by: string | null): RoomResult<never> | null {
    if (by === null || !this.#members.has(by)) return fail(RoomErrorCode.NOT_IN_ROOM, "Join the room first");
    if (by !== this.#host) return fail(RoomErrorCode.NOT_HOST, "Only the host can do that");
    if (this.#game !== null && !this.#game.over) {
      return fail(RoomErrorCode.ALREADY_IN_GAME, "The game is under way");
    }
    return null;
  }

  #seatBot(seat: Seat): void {
    let name = `Bot ${seat + 1}`;
    for (let n = 2; this.#members.has(name); n += 1) name = `Bot ${seat + 1}-${n}`;
    this.#members.set(name, {
      name,
      seat,
      isBot: true,
      token: null,
      connected: true,
      automated: false,
      graceTimer: null,
      joinedAt: this.clock.now(),
      seen: true,
    });
    this.#seats[seat] = name;
  }

  /** A human leaves for good: during a game their seat goes to a bot, otherwise it frees up. */
  #dropMember(member: Member): void {
    this.#clearGrace(member);
    const playing = member.seat !== null && this.#game !== null && !this.#game.over;
    if (playing && member.seat !== null) {
      const seat = member.seat;
      // The engine knows the seat by its name, so the bot keeps it; the session is gone for good.
      this.#members.set(member.name, {
        ...member,
        isBot: true,
        token: null,
        connected: true,
        automated: false,
      });
      this.#broadcast("player_left", { player_name: member.name, seat });
      this.#broadcast("bot_took_over", { seat, player_name: member.name, reason: "left" });
      this.#game?.seatControlChanged(seat);
    } else {
      this.#members.delete(member.name);
      if (member.seat !== null) this.#seats[member.seat] = null;
      this.#broadcast("player_left", { player_name: member.name, seat: member.seat });
    }
    this.#output.memberRemoved(this.id, member.name);
    if (this.#host === member.name) this.#passHost();
    this.#summaryChanged = true;
  }

  /** The host role goes to the next human still here: seated ones by seat, then spectators by arrival. */
  #passHost(): void {
    const humans = [...this.#members.values()].filter(isPresentHuman);
    humans.sort((a, b) => (a.seat ?? 9) - (b.seat ?? 9) || a.joinedAt - b.joinedAt);
    const next = humans.find((m) => m.name !== this.#host)?.name ?? null;
    if (next === this.#host) return;
    this.#host = next;
    if (next !== null) this.#broadcast("host_changed", { host: next });
  }

  #startGrace(member: Member): void {
    this.#clearGrace(member);
    member.graceTimer = this.clock.setTimeout(
      this.#timer(() => this.#graceOver(member.name)),
      this.#settings.reconnect_grace_ms,
    );
  }

  #clearGrace(member: Member): void {
    if (member.graceTimer !== null) {
      this.clock.clearTimeout(member.graceTimer);
      member.graceTimer = null;
    }
  }

  #graceOver(name: string): void {
    const member = this.#members.get(name);
    if (member === undefined || member.connected) return;
    member.graceTimer = null;
    const inGame = member.seat !== null && this.#game !== null && !this.#game.over;
    if (inGame && member.seat !== null) {
      member.automated = true;
      this.#broadcast("bot_took_over", { seat: member.seat, player_name: name, reason: "disconnected" });
      if (this.#host === name) this.#passHost();
      this.#game?.seatControlChanged(member.seat);
      this.#summaryChanged = true;
    } else {
      this.#dropMember(member);
    }
  }

  #spectators(): Member[] {
    return [...this.#members.values()].filter((m) => m.seat === null && !m.isBot);
  }

  #seatSummary(seat: Seat): SeatSummary | null {
    const member = this.memberAt(seat);
    if (member === undefined) return null;
    return { name: member.name, is_bot: member.isBot || member.automated, connected: member.connected };
  }

  /** The narrow window a TableGame gets onto its room. */
  #tableAccess(): TableAccess {
    return {
      clock: this.clock,
      settings: () => this.#settings,
      broadcast: (event: string, data: unknown) => this.#broadcast(event, data),
      sendPrivate: (name: string, event: string, data: unknown) => this.#sendPrivate(name, event, data),
      memberAt: (seat: Seat) => this.memberAt(seat),
      isAutomated: (seat: Seat) => {
        const member = this.memberAt(seat);
        return member === undefined || member.isBot || member.automated;
      },
      timer: (fn: () => void) => this.#timer(fn),
      changed: () => {
        this.#summaryChanged = true;
      },
    };
  }
}

/** A human still counted at the table: connected, or within their reconnect grace. */
function isPresentHuman(member: Member): boolean {
  return !member.isBot && (member.connected || member.graceTimer !== null);
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}
