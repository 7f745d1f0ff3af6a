// Turns what rooms and the lobby emit into frames: encoded once, batched per flush, fanned out.

import { combineFrames, encodeEvent } from "../protocol/server_messages.ts";
import type { Clock } from "../rooms/clock.ts";
import type { LobbyOutput } from "../rooms/room_directory.ts";
import type { OutboundEvent, RoomOutput } from "../rooms/room_output.ts";
import type { Broadcaster } from "./broadcaster.ts";
import type { ConnectionRegistry } from "./connection_registry.ts";

export class Delivery implements RoomOutput, LobbyOutput {
  #broadcaster: Broadcaster;
  #registry: ConnectionRegistry;
  #clock: Clock;

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
    this.#broadcaster.toRoom(roomId, combineFrames(frames, { roomId, timestamp }));
  }

  toMember(roomId: string, memberName: string, events: readonly OutboundEvent[]): void {
    if (events.length === 0) return;
    const timestamp = this.#clock.now();
    const frames = events.map((e) => encodeEvent(e.event, e.data, { roomId, timestamp }));
    this.#broadcaster.toPlayer(roomId, memberName, combineFrames(frames, { roomId, timestamp }));
  }

  memberRemoved(roomId: string, memberName: string): void {
    const connection = this.#registry.player(roomId, memberName);
    if (connection !== undefined) this.#registry.unbindPlayer(connection);
  }

  lobbyEvent(event: string, data: unknown): void {
    this.#broadcaster.toLobby(encodeEvent(event, data, { roomId: "lobby", timestamp: this.#clock.now() }));
  }

  roomClosed(roomId: string): void {
    this.#registry.forgetStats(roomId);
  }
}
