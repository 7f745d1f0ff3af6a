// Turns what rooms and the lobby emit into frames: encoded once, batched per flush, fanned out, and each
// room broadcast kept in the event history for resume.

import { combineFrames, encodeEvent } from "../protocol/server_messages.ts";
import type { Clock } from "../rooms/clock.ts";
import type { LobbyOutput } from "../rooms/room_directory.ts";
import type { BroadcastOptions, OutboundEvent, RoomOutput } from "../rooms/room_output.ts";
import type { Broadcaster } from "./broadcaster.ts";
import type { ConnectionRegistry } from "./connection_registry.ts";
import type { EventHistory, RecordedEvent } from "./event_history.ts";
import { Metrics } from "./metrics.ts";
import { LOBBY_TOPIC } from "./transport.ts";

export interface DeliveryHooks {
  /** Where room broadcasts are kept for resume; none keeps nothing. */
  history?: EventHistory;
  metrics?: Metrics;
  /** A room closed: whatever was kept about it outside the registry can go. */
  roomClosed?(roomId: string): void;
}

export class Delivery implements RoomOutput, LobbyOutput {
  #broadcaster: Broadcaster;
  #registry: ConnectionRegistry;
  #clock: Clock;
  #history: EventHistory | null;
  #metrics: Metrics;
  #roomClosed: (roomId: string) => void;
  /**
   * What every chat's frame is encoded from: one envelope, refilled per chat. Its keys are `encodeEvent`'s in
   * the same order (its `id` is never set on a broadcast, and JSON leaves an undefined one out), so the frame
   * is byte for byte what `broadcast` makes of the chat's event (tests/net/delivery_test.ts).
   */
  #chat = { event: "chat", data: { player_name: "", message: "" }, room_id: "", seq: 0, timestamp: 0 };
  /** Deliveries asked for while another was going out; see `#deliver`. */
  #pending: (() => void)[] = [];
  #delivering = false;

  constructor(
    broadcaster: Broadcaster,
    registry: ConnectionRegistry,
    clock: Clock,
    hooks: DeliveryHooks = {},
  ) {
    this.#broadcaster = broadcaster;
    this.#registry = registry;
    this.#clock = clock;
    this.#history = hooks.history ?? null;
    this.#metrics = hooks.metrics ?? new Metrics();
    this.#roomClosed = hooks.roomClosed ?? (() => {});
  }

  /** All events of one room action go out as one frame: alone, or inside a `message_batch`. */
  broadcast(roomId: string, events: readonly OutboundEvent[], options?: BroadcastOptions): void {
    if (events.length === 0) return;
    const timestamp = this.#clock.now();
    // Most broadcasts (every chat) are one event: its frame goes out as it is, with no list of frames.
    const frames: string | string[] = events.length === 1
      ? encodeEvent(events[0]!.event, events[0]!.data, { roomId, seq: events[0]!.seq, timestamp })
      : events.map((e) => encodeEvent(e.event, e.data, { roomId, seq: e.seq, timestamp }));
    const frame = typeof frames === "string" ? frames : combineFrames(frames, { roomId, timestamp });
    // Kept before the fan-out, as the very strings that go out, so a replay repeats them byte for byte. A
    // closed room's are not: `roomClosed` already dropped its history, and kept now they would stay forever.
    if (options?.closed !== true) this.#record(roomId, events, frames);
    this.#countGames(events);
    // Nothing else being delivered (the usual case): fanned out now, without a closure to queue.
    if (this.#delivering || this.#pending.length > 0) {
      this.#deliver(() => this.#fanOut(roomId, frame, events, frames));
      return;
    }
    this.#delivering = true;
    try {
      this.#fanOut(roomId, frame, events, frames);
      this.#drain();
    } finally {
      this.#delivering = false;
    }
  }

  /** A chat's line (see `RoomOutput.broadcastChat`): `broadcast` of its one event, with no event built. */
  broadcastChat(
    roomId: string,
    seq: number,
    playerName: string,
    message: string,
    options?: BroadcastOptions,
  ): void {
    const chat = this.#chat;
    chat.data.player_name = playerName;
    chat.data.message = message;
    chat.room_id = roomId;
    chat.seq = seq;
    chat.timestamp = this.#clock.now();
    const frame = JSON.stringify(chat);
    if (options?.closed !== true) this.#history?.recordOne(roomId, seq, frame);
    if (this.#delivering || this.#pending.length > 0) {
      this.#deliver(() => this.#fanOutOne(roomId, "chat", frame));
      return;
    }
    this.#delivering = true;
    try {
      this.#fanOutOne(roomId, "chat", frame);
      this.#drain();
    } finally {
      this.#delivering = false;
    }
  }

  #fanOutOne(roomId: string, event: string, frame: string): void {
    const recipients = this.#broadcaster.toRoom(roomId, frame);
    this.#metrics.fannedOut(recipients);
    this.#metrics.sent(event, frame.length, recipients);
  }

  /** `frames`: the one event's frame, or each event's (then `frame` is their batch). */
  #fanOut(roomId: string, frame: string, events: readonly OutboundEvent[], frames: string | string[]): void {
    if (typeof frames === "string") return this.#fanOutOne(roomId, events[0]!.event, frames);
    const recipients = this.#broadcaster.toRoom(roomId, frame);
    this.#metrics.fannedOut(recipients);
    for (let i = 0; i < events.length; i++) {
      this.#metrics.sent(events[i]!.event, frames[i]!.length, recipients);
    }
  }

  /**
   * A room rebuilt from the store after a restart regenerated these broadcasts (they went out before the
   * restart): nothing is sent, but they refill the resume history, so a client whose `last_seq` is from before
   * the restart is replayed the gap instead of getting a whole new state.
   */
  replayed(roomId: string, events: readonly OutboundEvent[]): void {
    if (this.#history === null || events.length === 0) return;
    const timestamp = this.#clock.now();
    const frames = events.map((e) => encodeEvent(e.event, e.data, { roomId, seq: e.seq, timestamp }));
    this.#record(roomId, events, frames);
  }

  toMember(roomId: string, memberName: string, events: readonly OutboundEvent[]): void {
    if (events.length === 0) return;
    const timestamp = this.#clock.now();
    const frames = events.map((e) => encodeEvent(e.event, e.data, { roomId, timestamp }));
    const frame = combineFrames(frames, { roomId, timestamp });
    this.#deliver(() => {
      if (!this.#broadcaster.toPlayer(roomId, memberName, frame)) return;
      events.forEach((e, i) => this.#metrics.sent(e.event, frames[i]!.length));
    });
  }

  memberRemoved(roomId: string, memberName: string): void {
    const connection = this.#registry.player(roomId, memberName);
    if (connection !== undefined) this.#registry.unbindPlayer(connection);
  }

  /** Whether anyone is on the lobby to hear its events. */
  get listening(): boolean {
    return this.#registry.inChannel(LOBBY_TOPIC).size > 0;
  }

  lobbyEvent(event: string, data: unknown): void {
    // Rooms announce themselves on every join and leave; with nobody on the lobby there is nothing to encode.
    if (!this.listening) return;
    const frame = encodeEvent(event, data, { roomId: "lobby", timestamp: this.#clock.now() });
    this.#deliver(() => {
      const recipients = this.#broadcaster.toLobby(frame);
      this.#metrics.fannedOut(recipients);
      this.#metrics.sent(event, frame.length, recipients);
    });
  }

  roomClosed(roomId: string): void {
    this.#registry.forgetStats(roomId);
    this.#history?.forget(roomId);
    this.#roomClosed(roomId);
  }

  /**
   * Runs `task` once every delivery already asked for has gone out (at once when none is under way). Admitting
   * a socket from inside a fan-out must wait for this, or the socket would get a replay and then, live, an
   * event that replay already held.
   */
  defer(task: () => void): void {
    this.#deliver(task);
  }

  #record(roomId: string, events: readonly OutboundEvent[], frames: string | readonly string[]): void {
    if (this.#history === null) return;
    if (typeof frames === "string") {
      const seq = events[0]!.seq;
      if (seq !== undefined) this.#history.recordOne(roomId, seq, frames);
      return;
    }
    const recorded: RecordedEvent[] = [];
    for (let i = 0; i < events.length; i++) {
      const seq = events[i]!.seq;
      if (seq !== undefined) recorded.push({ seq, frame: frames[i]! });
    }
    this.#history.record(roomId, recorded);
  }

  /** A game starts with round 1's first deal and ends with GAME_OVER; redeals and later rounds are not games. */
  #countGames(events: readonly OutboundEvent[]): void {
    for (const { event, data } of events) {
      if (event !== "phase_change") continue;
      const { phase, round, redeal_multiplier } = data as {
        phase?: string;
        round?: number;
        redeal_multiplier?: number;
      };
      if (phase === "PREPARATION" && round === 1 && redeal_multiplier === 1) this.#metrics.gamesStarted += 1;
      else if (phase === "GAME_OVER") this.#metrics.gamesFinished += 1;
    }
  }

  /**
   * Sends now, unless a send is already under way: a slow socket dropped in the middle of a fan-out makes its
   * room emit `player_disconnected` from inside that fan-out, and sent at once it would reach the members
   * not served yet before the frame they are still owed. Queued, it follows in seq order for everyone.
   */
  #deliver(send: () => void): void {
    this.#pending.push(send);
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      this.#drain();
    } finally {
      this.#delivering = false;
    }
  }

  /** Runs what was queued meanwhile, in order. */
  #drain(): void {
    for (let next = this.#pending.shift(); next !== undefined; next = this.#pending.shift()) next();
  }
}
