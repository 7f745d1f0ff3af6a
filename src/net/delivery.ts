// Turns what rooms and the lobby emit into frames: encoded once, batched per flush, fanned out, and each
// room broadcast kept in the event history for resume.

import { combineFrames, encodeEvent } from "../protocol/server_messages.ts";
import type { Clock } from "../rooms/clock.ts";
import type { LobbyOutput } from "../rooms/room_directory.ts";
import type { OutboundEvent, RoomOutput } from "../rooms/room_output.ts";
import type { Broadcaster } from "./broadcaster.ts";
import type { ConnectionRegistry } from "./connection_registry.ts";
import type { EventHistory, RecordedEvent } from "./event_history.ts";

export class Delivery implements RoomOutput, LobbyOutput {
  #broadcaster: Broadcaster;
  #registry: ConnectionRegistry;
  #clock: Clock;
  #history: EventHistory | null;
  /** Deliveries asked for while another was going out; see `#deliver`. */
  #pending: (() => void)[] = [];
  #delivering = false;

  constructor(
    broadcaster: Broadcaster,
    registry: ConnectionRegistry,
    clock: Clock,
    history: EventHistory | null = null,
  ) {
    this.#broadcaster = broadcaster;
    this.#registry = registry;
    this.#clock = clock;
    this.#history = history;
  }

  /** All events of one room action go out as one frame: alone, or inside a `message_batch`. */
  broadcast(roomId: string, events: readonly OutboundEvent[]): void {
    if (events.length === 0) return;
    const timestamp = this.#clock.now();
    const frames = events.map((e) => encodeEvent(e.event, e.data, { roomId, seq: e.seq, timestamp }));
    const frame = combineFrames(frames, { roomId, timestamp });
    // Kept before the fan-out, as the very strings that go out, so a replay repeats them byte for byte.
    if (this.#history !== null) {
      const recorded: RecordedEvent[] = [];
      events.forEach((e, i) => {
        if (e.seq !== undefined) recorded.push({ seq: e.seq, frame: frames[i]! });
      });
      this.#history.record(roomId, recorded);
    }
    this.#deliver(() => this.#broadcaster.toRoom(roomId, frame));
  }

  toMember(roomId: string, memberName: string, events: readonly OutboundEvent[]): void {
    if (events.length === 0) return;
    const timestamp = this.#clock.now();
    const frames = events.map((e) => encodeEvent(e.event, e.data, { roomId, timestamp }));
    const frame = combineFrames(frames, { roomId, timestamp });
    this.#deliver(() => this.#broadcaster.toPlayer(roomId, memberName, frame));
  }

  memberRemoved(roomId: string, memberName: string): void {
    const connection = this.#registry.player(roomId, memberName);
    if (connection !== undefined) this.#registry.unbindPlayer(connection);
  }

  lobbyEvent(event: string, data: unknown): void {
    const frame = encodeEvent(event, data, { roomId: "lobby", timestamp: this.#clock.now() });
    this.#deliver(() => this.#broadcaster.toLobby(frame));
  }

  roomClosed(roomId: string): void {
    this.#registry.forgetStats(roomId);
    this.#history?.forget(roomId);
  }

  /**
   * Runs `task` once every delivery already asked for has gone out (at once when none is under way). Admitting
   * a socket from inside a fan-out must wait for this, or the socket would get a replay and then, live, an
   * event that replay already held.
   */
  defer(task: () => void): void {
    this.#deliver(task);
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
      for (let next = this.#pending.shift(); next !== undefined; next = this.#pending.shift()) next();
    } finally {
      this.#delivering = false;
    }
  }
}
