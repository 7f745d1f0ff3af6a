// Turns what rooms and the lobby emit into frames: encoded once, batched per flush, fanned out.

import { combineFrames, encodeEvent } from "../protocol/server_messages.ts";
import type { Clock } from "../rooms/clock.ts";
import type { LobbyOutput } from "../rooms/room_directory.ts";
import type { OutboundEvent, RoomOutput } from "../rooms/room_output.ts";
import type { Broadcaster } from "./broadcaster.ts";
import type { ConnectionRegistry } from "./connection_registry.ts";
import { LOBBY_TOPIC } from "./transport.ts";

export class Delivery implements RoomOutput, LobbyOutput {
  #broadcaster: Broadcaster;
  #registry: ConnectionRegistry;
  #clock: Clock;
  /** Deliveries asked for while another was going out; see `#deliver`. */
  #pending: (() => void)[] = [];
  #delivering = false;

  constructor(broadcaster: Broadcaster, registry: ConnectionRegistry, clock: Clock) {
    this.#broadcaster = broadcaster;
    this.#registry = registry;
    this.#clock = clock;
  }

  /** All events of one room action go out as one frame: alone, or inside a `message_batch`. */
  broadcast(roomId: string, events: readonly OutboundEvent[]): void {
    if (events.length === 0) return;
    const timestamp = this.#clock.now();
    const frames = events.map((e) => encodeEvent(e.event, e.data, { roomId, seq: e.seq, timestamp }));
    const frame = combineFrames(frames, { roomId, timestamp });
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
    // Rooms announce themselves on every join and leave; with nobody on the lobby there is nothing to encode.
    if (this.#registry.inChannel(LOBBY_TOPIC).size === 0) return;
    const frame = encodeEvent(event, data, { roomId: "lobby", timestamp: this.#clock.now() });
    this.#deliver(() => this.#broadcaster.toLobby(frame));
  }

  roomClosed(roomId: string): void {
    this.#registry.forgetStats(roomId);
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
