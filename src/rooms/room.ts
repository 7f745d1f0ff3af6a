// One table: its members, seats, host, settings and broadcast stream, with every timer it starts.
// Every change is a RoomCommand run one at a time through `#run`; with a journal it is stored before its
// output (batched per action) leaves through RoomOutput. A command that throws, or that the store fails to
// keep, is rolled back by replaying the commands that were accepted before it.

import type { Seat } from "../game/state.ts";
import type { FinishedGame, Json } from "../store/ports.ts";
import type { Clock, TimerId } from "./clock.ts";
import { CommandLog, type KeptCommand } from "./command_log.ts";
import type { PlayerMove, RoomCommand, TimedCommand } from "./room_command.ts";
import { RoomClock } from "./room_clock.ts";
import type { BroadcastOptions, OutboundEvent, RoomOutput } from "./room_output.ts";
import { fail, ok, type RoomError, RoomErrorCode, type RoomResult } from "./room_errors.ts";
import { LogRefused, type RoomJournal } from "./room_journal.ts";
import type { RoomState, RoomSummary, SeatSummary } from "./room_views.ts";
import { newSessionToken } from "./session_token.ts";
import { DEFAULT_SETTINGS, type RoomSettings } from "./settings.ts";
import { type GameRules, REAL_RULES, type TableAccess, TableGame } from "./table_game.ts";

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
  /** The room's state is unusable (a rollback failed): its members were told; the directory closes it. */
  broken(room: Room): void;
  /**
   * The store's log holds entries this room never applied (an append was refused as `conflict`): rolling back
   * to what it knows cannot catch up. True when the room is being replaced by one rebuilt from the log.
   */
  diverged?(room: Room): boolean;
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
  /** A fresh session token for a joining member (cluster mode signs them; default: 128 random bits). */
  newToken?: () => string;
  /** When the room was created, for a room rebuilt from the store; otherwise now. */
  createdAt?: number;
  /** Where accepted commands are stored before their output goes out; none keeps the room in memory only. */
  journal?: RoomJournal | null;
  /** The engine calls (a test seam). */
  rules?: GameRules;
}

/** What one accepted command produced, held back until it is stored. */
interface ActionOutput {
  broadcasts: readonly OutboundEvent[];
  privates: Map<string, OutboundEvent[]> | null;
  removed: readonly string[];
  summaryChanged: boolean;
  finished: readonly FinishedGame[];
  /** A chat's one broadcast, by its parts (see `chat`): its seq, or 0 when the action was no chat. */
  chatSeq: number;
  chatName: string;
  chatMessage: string;
}

/** What an action that emitted nothing of a kind holds: one shared empty list, not a new one per action. */
const NONE: readonly never[] = [];

/** A broadcast's options, one shared object each rather than one per broadcast. */
const OPEN: BroadcastOptions = Object.freeze({ closed: false });
const CLOSED: BroadcastOptions = Object.freeze({ closed: true });

export interface JoinOutcome {
  member: Member;
  token: string;
}

const SEAT_INDEXES: readonly Seat[] = [0, 1, 2, 3];

export class Room {
  readonly id: string;
  readonly createdAt: number;
  readonly clock: RoomClock;
  #name: string;
  #opening: RoomSettings;
  #settings: RoomSettings;
  #output: RoomOutput;
  #hooks: RoomHooks;
  #seed: () => number;
  #newToken: () => string;
  #log: CommandLog<ActionOutput>;
  #rules: GameRules;
  #members = new Map<string, Member>();
  #seats: (string | null)[] = [null, null, null, null];
  #host: string | null = null;
  #seq = 0;
  #game: TableGame | null = null;
  #gameStart: { seq: number; at: number } | null = null;
  #disposed = false;
  // Output of the action in progress, held together until it is stored.
  #broadcasts: OutboundEvent[] = [];
  #private: Map<string, OutboundEvent[]> | null = null;
  #removed: string[] = [];
  #finished: FinishedGame[] = [];
  /** An output holder nothing refers to any more (its action was delivered, or refused), for the next action. */
  #spare: ActionOutput | null = null;
  #running = false;
  #replaying = false;
  #summaryChanged = false;
  /** Commands applied since the last (re)build: the log seq of the one being applied is this + 1. */
  #applied = 0;
  /** How long timers wait after a failed append (0 while the store works). */
  #storeBackoffMs = 0;

  constructor(options: RoomOptions) {
    this.id = options.id;
    this.#name = options.name;
    this.clock = new RoomClock(options.clock);
    this.createdAt = options.createdAt ?? options.clock.now();
    this.#opening = { ...DEFAULT_SETTINGS, ...options.settings };
    this.#settings = { ...this.#opening };
    this.#output = options.output;
    this.#hooks = options.hooks;
    this.#seed = options.seed;
    this.#newToken = options.newToken ?? newSessionToken;
    this.#log = new CommandLog<ActionOutput>(options.journal ?? null, {
      deliver: (output) => {
        this.#storeBackoffMs = 0;
        // `#guard` inlined: this is every stored action, and its closure would be one more allocation each.
        try {
          this.#deliver(output);
        } catch (error) {
          this.#guardFailed("delivering", error);
        }
      },
      lost: (entry, error) => {
        const ref = correlationId();
        console.error(`[rooms] room ${this.id}: storing ${entry.command.type} failed ref=${ref}`, error);
        if (
          error instanceof LogRefused && error.kind === "conflict" && this.#hooks.diverged?.(this) === true
        ) return;
        if (!this.#rollBack(ref)) return;
        // The rebuilt room re-arms the timer whose command just failed; without a pause a table of bots
        // would retry a full disk as fast as the loop turns. Doubling up to 5 s, reset by the next success:
        // once the store is back the table goes on within seconds, not after a pause grown to half a minute.
        this.#storeBackoffMs = Math.min(5_000, this.#storeBackoffMs * 2 || 1_000);
        this.clock.holdUntil(this.clock.now() + this.#storeBackoffMs);
      },
      waiting: (entry, error, ms, attempt) => {
        // Play pauses: what was accepted waits (nobody hears of it yet) and timers hold until the next try.
        this.clock.holdUntil(this.clock.now() + ms);
        if (attempt === 1 || attempt % 30 === 0) {
          console.error(
            `[rooms] room ${this.id}: storing ${entry.command.type} is unanswered (try ${attempt}); ` +
              `sending it again in ${ms} ms`,
            error,
          );
        }
      },
      recovered: (attempts) => {
        console.info(`[rooms] room ${this.id}: the store answers again; stored after ${attempts} tries`);
      },
    }, options.clock);
    this.#rules = options.rules ?? REAL_RULES;
  }

  /** The settings the room opened with: with its log, enough to rebuild it. */
  get opening(): { name: string; settings: RoomSettings } {
    return { name: this.#name, settings: { ...this.#opening } };
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

  /** Where this room stores what it accepts, or null (memory only). */
  get journal(): RoomJournal | null {
    return this.#log.journal;
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

  // ---- entry points: each builds one command and runs it ---------------------------------------------------

  join(name: string, as: "player" | "spectator", connected = true): RoomResult<JoinOutcome> {
    const token = this.#newToken();
    const joined = this.#run({ type: "join", name, as, connected, token });
    if (!joined.ok) return joined;
    return ok({ member: this.#members.get(name)!, token });
  }

  leave(name: string): RoomResult<null> {
    return this.#run({ type: "leave", name });
  }

  /**
   * A member's connection is back (token reconnect): it takes its seat back at once. `snapshot: false` skips
   * the private `game_state` for a client that was replayed every event it missed (the hand and any prompt
   * still go out).
   */
  reconnect(name: string, options: { snapshot?: boolean } = {}): RoomResult<Member> {
    const back = this.#run({ type: "reconnect", name, snapshot: options.snapshot !== false });
    return back.ok ? ok(this.#members.get(name)!) : back;
  }

  /** A member's connection closed without leaving: the seat waits for the grace period. */
  disconnected(name: string): void {
    const member = this.#members.get(name);
    if (member === undefined || member.isBot || !member.connected) return;
    this.#run({ type: "disconnect", name });
  }

  /**
   * Every chat of every room, so it skips what a chat does not need of `#run`: the clock's action frame, the
   * command switch, and the broadcast event with its data and list (its output holder carries the line's parts
   * instead, and the output encodes the frame from them). What a chat is to the log does not change: the same
   * command, stored before it goes out, numbered the same, replayed by `#execute` after a rollback or restart.
   */
  chat(name: string | null, message: string): RoomResult<null> {
    if (this.#disposed || this.#running) return this.#run({ type: "chat", name, message });
    const member = name === null ? undefined : this.#members.get(name);
    if (member === undefined) return fail(RoomErrorCode.NOT_IN_ROOM, "Join the room before chatting");
    const at = this.clock.now();
    this.#seq += 1;
    this.#applied += 1;
    const output = this.#takeOutput();
    output.chatSeq = this.#seq;
    output.chatName = member.name;
    output.chatMessage = message;
    if (this.#log.add({ at, command: { type: "chat", name, message } }, this.#seq, output)) {
      this.#spare = output;
    }
    return ok(null);
  }

  addBot(by: string | null, seat: Seat | undefined): RoomResult<null> {
    return this.#run({ type: "add_bot", by, seat: seat ?? null });
  }

  removeBot(by: string | null, seat: Seat): RoomResult<null> {
    return this.#run({ type: "remove_bot", by, seat });
  }

  removePlayer(by: string | null, seat: Seat): RoomResult<null> {
    return this.#run({ type: "remove_player", by, seat });
  }

  updateSettings(by: string | null, patch: Partial<RoomSettings>): RoomResult<RoomSettings> {
    const updated = this.#run({ type: "update_settings", by, patch: definedOnly(patch) });
    return updated.ok ? ok(this.#settings) : updated;
  }

  startGame(by: string | null, fillWithBots: boolean): RoomResult<null> {
    return this.#run({ type: "start_game", by, fill: fillWithBots, seed: this.#seed() });
  }

  /** A seated member's move; rule violations come back as values and change nothing. */
  gameAction(by: string | null, move: PlayerMove): RoomResult<null> {
    return this.#run({ type: "move", by, move });
  }

  /**
   * Null when everything this room accepted is stored (always, without a journal); otherwise a promise of
   * null once it is, or of SERVER_ERROR if it was rolled back. A caller answers its sender only after this.
   */
  stored(): Promise<RoomError | null> | null {
    return this.#log.settled()?.then(notStoredError) ?? null;
  }

  /**
   * Rebuilds this (new, empty) room from its stored commands, then goes live: timers resume for the time
   * they had left. Throws if the log cannot be replayed.
   */
  restore(entries: readonly TimedCommand[]): void {
    this.#rebuild(entries, true);
    this.#log.restored(entries);
    this.#summaryChanged = false;
  }

  /** Human members the log says are connected: after a restart they are not, until they come back. */
  get connectedHumans(): string[] {
    return [...this.#members.values()].filter((m) => !m.isBot && m.connected).map((m) => m.name);
  }

  // ---- what each command does --------------------------------------------------------------------------------

  /** `#execute` as a function made once, for `clock.at`. */
  #executeOne = (command: RoomCommand): RoomResult<unknown> => this.#execute(command);

  #execute(command: RoomCommand): RoomResult<unknown> {
    switch (command.type) {
      case "join":
        return this.#join(command.name, command.as, command.connected, command.token);
      case "leave": {
        const member = this.#members.get(command.name);
        if (member === undefined || member.isBot) {
          return fail(RoomErrorCode.NOT_IN_ROOM, "You are not in this room");
        }
        this.#dropMember(member);
        return ok(null);
      }
      case "reconnect":
        return this.#reconnect(command.name, command.snapshot !== false);
      case "disconnect":
        return this.#disconnect(command.name);
      case "chat": {
        const member = command.name === null ? undefined : this.#members.get(command.name);
        if (member === undefined) return fail(RoomErrorCode.NOT_IN_ROOM, "Join the room before chatting");
        this.#broadcast("chat", { player_name: member.name, message: command.message });
        return ok(null);
      }
      case "add_bot":
        return this.#addBot(command.by, command.seat);
      case "remove_bot":
        return this.#removeBot(command.by, command.seat);
      case "remove_player":
        return this.#removePlayer(command.by, command.seat);
      case "update_settings": {
        const denied = this.#checkHostBeforeStart(command.by);
        if (denied) return denied;
        this.#settings = { ...this.#settings, ...command.patch };
        this.#broadcastRoomState();
        return ok(null);
      }
      case "start_game":
        return this.#startGame(command.by, command.fill, command.seed);
      case "move": {
        const member = command.by === null ? undefined : this.#members.get(command.by);
        if (member === undefined) return fail(RoomErrorCode.NOT_IN_ROOM, "Join the room first");
        if (this.#game === null) return fail(RoomErrorCode.GAME_NOT_STARTED, "The game has not started");
        if (member.seat === null) return fail(RoomErrorCode.INVALID_ACTION, "Spectators cannot play");
        return this.#game.move(member.seat, command.move);
      }
      case "advance":
        return this.#game?.advance() ?? fail(RoomErrorCode.GAME_NOT_STARTED, "No game");
      case "bot":
        return this.#game?.botMove(command.seat, command.action) ??
          fail(RoomErrorCode.GAME_NOT_STARTED, "No game");
      case "deadline":
        return this.#game?.deadlinePassed() ?? fail(RoomErrorCode.GAME_NOT_STARTED, "No game");
      case "grace_over":
        return this.#graceOver(command.name);
      case "abort_game":
        this.#abortGame(command.reason);
        return ok(null);
    }
  }

  #join(name: string, as: "player" | "spectator", connected: boolean, token: string): RoomResult<null> {
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
    return ok(null);
  }

  #reconnect(name: string, snapshot: boolean): RoomResult<null> {
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
    if (snapshot) this.#sendPrivate(name, "game_state", this.stateFor(name));
    this.#game?.sendPrivateState(member);
    this.#summaryChanged = true;
    return ok(null);
  }

  #disconnect(name: string): RoomResult<null> {
    const member = this.#members.get(name);
    if (member === undefined || member.isBot || !member.connected) {
      return fail(RoomErrorCode.NOT_IN_ROOM, "Not connected");
    }
    member.connected = false;
    this.#broadcast("player_disconnected", {
      player_name: name,
      grace_ms: this.#settings.reconnect_grace_ms,
    });
    this.#startGrace(member);
    this.#summaryChanged = true;
    return ok(null);
  }

  #addBot(by: string | null, seat: Seat | null): RoomResult<null> {
    const denied = this.#checkHostBeforeStart(by);
    if (denied) return denied;
    const target = seat ?? SEAT_INDEXES.find((s) => this.#seats[s] === null);
    if (target === undefined) return fail(RoomErrorCode.ROOM_FULL, "All four seats are taken");
    if (this.#seats[target] !== null) return fail(RoomErrorCode.INVALID_ACTION, `Seat ${target} is taken`);
    this.#seatBot(target);
    this.#broadcastRoomState();
    return ok(null);
  }

  #removeBot(by: string | null, seat: Seat): RoomResult<null> {
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
  }

  #removePlayer(by: string | null, seat: Seat): RoomResult<null> {
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
  }

  #startGame(by: string | null, fillWithBots: boolean, seed: number): RoomResult<null> {
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
    this.#game = new TableGame(this.#tableAccess(), names, seed);
    this.#gameStart = { seq: this.#applied + 1, at: this.clock.now() };
    this.#game.start();
    this.#summaryChanged = true;
    return ok(null);
  }

  /** The game cannot go on: it ends without a result, and the table can start a new one. */
  #abortGame(reason: string): void {
    if (this.#game === null) return;
    this.#game.dispose();
    this.#game = null;
    this.#gameStart = null;
    this.#broadcast("game_aborted", { reason });
    this.#broadcastRoomState();
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
    this.#log.stop();
    this.#game?.dispose();
    this.clock.clearAll();
  }

  // ---- the pipeline --------------------------------------------------------------------------------------------

  /**
   * One action at a time: messages and timer fires all enter here. An accepted command is stored (when there
   * is a journal) and only then is its output delivered; a refused one changes nothing and is not stored.
   */
  #run<T = null>(command: RoomCommand): RoomResult<T> {
    if (this.#disposed) return fail(RoomErrorCode.ROOM_NOT_FOUND, "This room is closed");
    // Output is delivered after the action, and sockets close asynchronously, so nothing an action triggers
    // can call back into the room while it runs; if that ever changes, fail loudly rather than interleave.
    if (this.#running) throw new Error(`re-entrant action in room ${this.id}`);
    const at = this.clock.now();
    this.#running = true;
    let result: RoomResult<unknown>;
    try {
      result = this.clock.at(at, this.#executeOne, command);
    } catch (error) {
      this.#running = false;
      return this.#failed(command, error);
    }
    this.#running = false;
    if (!result.ok) {
      this.#spare = this.#takeOutput(); // A refusal emits nothing; anything it did emit is dropped with it.
      return result as RoomResult<T>;
    }
    this.#noteFinishedGame(at);
    this.#applied += 1;
    const output = this.#takeOutput();
    // Stored and delivered before `add` returned (no journal, or a store in memory): nothing holds the output
    // any more, so its holder carries the next action's.
    if (this.#log.add({ at, command }, this.#seq, output)) this.#spare = output;
    // Closes now, before the store has this action: its output follows the close (see `#deliver`). A chat
    // changes no membership, and this walk over the members would be every chat's.
    if (command.type !== "chat" && this.humansPresent === 0 && !this.#disposed) this.#hooks.empty(this);
    return result as RoomResult<T>;
  }

  /** A command threw: nothing it did is kept. The room is rebuilt as it was before it, or closed. */
  #failed<T>(command: RoomCommand, error: unknown): RoomResult<T> {
    const ref = correlationId();
    console.error(`[rooms] room ${this.id}: ${command.type} failed ref=${ref}`, error);
    this.#spare = this.#takeOutput();
    if (!this.#rollBack(ref)) return serverError(ref);
    // A timer's command would only fail again when its timer is re-armed: fall back instead of looping.
    const fallback: RoomCommand | null = command.type === "bot" && command.action !== null
      ? { type: "bot", seat: command.seat, action: null, failed: true }
      : ["advance", "bot", "deadline"].includes(command.type)
      ? { type: "abort_game", reason: `the game engine failed (ref ${ref})` }
      : null;
    if (fallback !== null) this.#run(fallback);
    return serverError(ref);
  }

  /** Rebuilds from every command accepted so far (stored or in flight). False when the room had to close. */
  #rollBack(ref: string): boolean {
    try {
      this.#rebuild(this.#log.accepted());
      return true;
    } catch (error) {
      console.error(`[rooms] room ${this.id}: its log cannot be replayed; closing it ref=${ref}`, error);
      this.#close(`This table hit a problem it cannot recover from and was closed (ref ${ref}).`);
      return false;
    }
  }

  /**
   * Resets the room to its opening state and applies `entries` again, with their stored times. After a
   * restart (`announce`) the regenerated broadcasts are handed to `RoomOutput.replayed`; after a rollback they
   * are not, since they went out live and the in-memory log keeps only the number of chats, not the chats.
   */
  #rebuild(entries: readonly KeptCommand[], announce = false): void {
    this.#game?.dispose();
    this.clock.clearAll();
    this.#members = new Map();
    this.#seats = [null, null, null, null];
    this.#host = null;
    this.#seq = 0;
    this.#game = null;
    this.#gameStart = null;
    this.#settings = { ...this.#opening };
    this.#applied = 0;
    this.clock.startReplay();
    this.#replaying = true;
    const replayed: OutboundEvent[] = [];
    try {
      entries.forEach((entry) => {
        if ("chats" in entry) {
          // Stored chats, by their number: each took one seq and was one command applied, and changed nothing.
          this.#seq += entry.chats;
          this.#applied += entry.chats;
          return;
        }
        const result = this.clock.at(entry.at, this.#executeOne, entry.command);
        if (!result.ok) {
          const at = this.#applied + 1;
          throw new Error(`replay diverged at entry ${at} (${entry.command.type}): ${result.error.code}`);
        }
        this.#noteFinishedGame(entry.at);
        this.#applied += 1;
        const output = this.#takeOutput();
        replayed.push(...output.broadcasts);
        // A game whose archiving was cut short (a crash right after its last entry) is archived now.
        for (const game of output.finished) this.#archive(game);
      });
    } finally {
      this.#replaying = false;
    }
    this.clock.goLive();
    if (announce) this.#output.replayed?.(this.id, replayed);
    this.#summaryChanged = true;
  }

  /** The room cannot go on: members are told why, and the directory closes it. */
  #close(message: string): void {
    for (const member of this.#members.values()) {
      if (!member.isBot) {
        this.#output.toMember(this.id, member.name, [{ event: "room_closed", data: { message } }]);
      }
    }
    this.dispose();
    this.#hooks.broken(this);
  }

  /** The accepted command ended the game: its record goes to the archive once the command is stored. */
  #noteFinishedGame(at: number): void {
    if (this.#game === null || !this.#game.over || this.#gameStart === null) return;
    const start = this.#gameStart;
    this.#gameStart = null;
    const { seed, actions } = this.#game.record;
    this.#finished.push({
      gameId: `${this.#log.journal?.logId || this.id}-${start.seq}`,
      roomId: this.id,
      roomName: this.#name,
      startedAt: start.at,
      finishedAt: at,
      seed,
      ...this.#game.result,
      actions: actions as unknown as Json,
      settings: { ...this.#settings } as unknown as Json,
    });
  }

  #archive(game: FinishedGame): void {
    this.#log.journal?.archive(game).catch((error) => {
      console.error(`[rooms] room ${this.id}: archiving game ${game.gameId} failed`, error);
    });
  }

  /**
   * Hands over what the action emitted and starts empty lists for the next: only those that were used are
   * replaced (a chat emits one broadcast and nothing else, and every chat is an action). The holder is the
   * spare one when there is one (`#spare`): every chat would otherwise be one more object.
   */
  #takeOutput(): ActionOutput {
    const broadcasts = this.#broadcasts.length === 0 ? NONE : this.#broadcasts;
    const removed = this.#removed.length === 0 ? NONE : this.#removed;
    const finished = this.#finished.length === 0 ? NONE : this.#finished;
    let output = this.#spare;
    if (output === null) {
      output = {
        broadcasts,
        privates: this.#private,
        removed,
        summaryChanged: this.#summaryChanged,
        finished,
        chatSeq: 0,
        chatName: "",
        chatMessage: "",
      };
    } else {
      this.#spare = null;
      output.broadcasts = broadcasts;
      output.privates = this.#private;
      output.removed = removed;
      output.summaryChanged = this.#summaryChanged;
      output.finished = finished;
      output.chatSeq = 0;
    }
    if (this.#broadcasts.length > 0) this.#broadcasts = [];
    this.#private = null;
    if (this.#removed.length > 0) this.#removed = [];
    this.#summaryChanged = false;
    if (this.#finished.length > 0) this.#finished = [];
    return output;
  }

  /** Delivers one stored action's output, in the order it was produced. */
  #deliver(output: ActionOutput): void {
    if (output.chatSeq !== 0) this.#deliverChat(output);
    if (output.broadcasts.length > 0) {
      // With a store, the action that emptied the room is delivered after the room closed.
      this.#output.broadcast(this.id, output.broadcasts, this.#disposed ? CLOSED : OPEN);
    }
    if (output.privates !== null) {
      for (const [name, events] of output.privates) this.#output.toMember(this.id, name, events);
    }
    for (const name of output.removed) this.#output.memberRemoved(this.id, name);
    for (const game of output.finished) this.#archive(game);
    if (output.summaryChanged && !this.#disposed) this.#hooks.changed(this);
  }

  /** A chat's line: encoded from its parts where the output can, otherwise as the event `#execute` makes. */
  #deliverChat({ chatSeq: seq, chatName: player_name, chatMessage: message }: ActionOutput): void {
    const options = this.#disposed ? CLOSED : OPEN;
    if (this.#output.broadcastChat !== undefined) {
      this.#output.broadcastChat(this.id, seq, player_name, message, options);
    } else {
      this.#output.broadcast(this.id, [{ event: "chat", data: { player_name, message }, seq }], options);
    }
  }

  /** A timer callback that runs, when it fires, the command `make` builds then. */
  #timer(make: () => RoomCommand): () => void {
    return () => {
      if (this.#disposed) return;
      this.#guard("timer", () => this.#run(make()));
    };
  }

  /**
   * The last line for code no caller waits on (timer fires, store answers): a throw here is logged with a
   * correlation id instead of ending the process with every room in it. Commands themselves never get this
   * far: `#run` already rolls them back.
   */
  #guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#guardFailed(what, error);
    }
  }

  #guardFailed(what: string, error: unknown): void {
    console.error(`[rooms] room ${this.id}: ${what} failed ref=${correlationId()}`, error);
  }

  #broadcast(event: string, data: unknown): void {
    this.#seq += 1;
    this.#broadcasts.push({ event, data, seq: this.#seq });
  }

  #sendPrivate(name: string, event: string, data: unknown): void {
    const member = this.#members.get(name);
    if (member === undefined || member.isBot) return;
    this.#private ??= new Map();
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
    this.#removed.push(member.name);
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
    const name = member.name;
    member.graceTimer = this.clock.setTimeout(
      this.#timer(() => ({ type: "grace_over", name })),
      this.#settings.reconnect_grace_ms,
    );
  }

  #clearGrace(member: Member): void {
    if (member.graceTimer !== null) {
      this.clock.clearTimeout(member.graceTimer);
      member.graceTimer = null;
    }
  }

  #graceOver(name: string): RoomResult<null> {
    const member = this.#members.get(name);
    if (member === undefined || member.connected) return fail(RoomErrorCode.NOT_IN_ROOM, "Back already");
    // Cleared, not just forgotten: during a replay the timer is still noted and would fire again.
    this.#clearGrace(member);
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
    return ok(null);
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
      timer: (make: () => RoomCommand) => this.#timer(make),
      changed: () => {
        this.#summaryChanged = true;
      },
      abort: (reason: string) => this.#abortGame(reason),
      rules: this.#rules,
    };
  }
}

/** What a sender hears when its action was rolled back because the store did not keep it. */
function notStoredError(stored: boolean): RoomError | null {
  return stored ? null : {
    code: RoomErrorCode.SERVER_ERROR,
    message: "The server could not save that action; nothing changed. Please try again.",
  };
}

/** A short id that ties a log line to the error a client was shown. */
function correlationId(): string {
  return crypto.randomUUID().slice(0, 8);
}

function serverError<T>(ref: string): RoomResult<T> {
  return fail(RoomErrorCode.SERVER_ERROR, `Something went wrong on our side (ref ${ref}); nothing changed`);
}

/** A human still counted at the table: connected, or within their reconnect grace. */
function isPresentHuman(member: Member): boolean {
  return !member.isBot && (member.connected || member.graceTimer !== null);
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}
