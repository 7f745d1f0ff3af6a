// Fan-out of already-encoded frames: to a room (with exclusions), one player, a set of players, the lobby.
// Every frame is encoded once by the caller; one failing socket never stops the others.

import type { Connection } from "./connection.ts";
import type { ConnectionRegistry } from "./connection_registry.ts";
import { LOBBY_TOPIC, type PubSub, roomTopic } from "./transport.ts";

export class Broadcaster {
  #registry: ConnectionRegistry;
  #pubsub: PubSub | null;
  #compressMin: number;

  /** With `pubsub` (Bun), room and lobby fan-out is one native publish instead of a loop of sends. */
  constructor(registry: ConnectionRegistry, pubsub: PubSub | null, compressMin: number) {
    this.#registry = registry;
    this.#pubsub = pubsub;
    this.#compressMin = compressMin;
  }

  get native(): boolean {
    return this.#pubsub !== null;
  }

  /** Every admitted connection of a room, except `exclude`. */
  toRoom(roomId: string, frame: string, exclude?: ReadonlySet<Connection>): number {
    return this.#toChannel(roomId, roomTopic(roomId), frame, exclude);
  }

  toLobby(frame: string): number {
    return this.#toChannel(LOBBY_TOPIC, LOBBY_TOPIC, frame);
  }

  toConnection(connection: Connection, frame: string): boolean {
    return connection.send(frame);
  }

  /** The connection currently speaking for `playerName` in a room, if any. */
  toPlayer(roomId: string, playerName: string, frame: string): boolean {
    const connection = this.#registry.player(roomId, playerName);
    return connection === undefined ? false : connection.send(frame);
  }

  /** A subset of a room's players (a team); each gets the same frame. */
  toPlayers(roomId: string, playerNames: Iterable<string>, frame: string): number {
    let sent = 0;
    for (const name of playerNames) {
      if (this.toPlayer(roomId, name, frame)) sent += 1;
    }
    return sent;
  }

  #toChannel(channel: string, topic: string, frame: string, exclude?: ReadonlySet<Connection>): number {
    const members = this.#registry.inChannel(channel);
    if (members.size === 0) return 0;
    // A snapshot: booking or sending may close a slow socket, which can admit a queued one into this channel,
    // and the registry's live set must not change under this loop.
    const targets = [...members];
    if (this.#pubsub !== null && (exclude === undefined || exclude.size === 0)) {
      try {
        this.#pubsub.publish(topic, frame, frame.length >= this.#compressMin);
      } catch (error) {
        // A native publish that throws delivered to nobody; fall back to per-socket sends below.
        console.warn(`[net] publish to ${topic} failed, sending one by one: ${String(error)}`);
        return this.#loop(targets, frame, exclude);
      }
      for (const connection of targets) connection.countOut(frame.length);
      return targets.length;
    }
    return this.#loop(targets, frame, exclude);
  }

  #loop(targets: readonly Connection[], frame: string, exclude?: ReadonlySet<Connection>): number {
    let sent = 0;
    for (const connection of targets) {
      if (exclude?.has(connection)) continue;
      if (connection.send(frame)) sent += 1;
    }
    return sent;
  }
}
