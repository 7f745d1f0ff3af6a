// Fan-out of already-encoded frames: to a room (with exclusions), one player, a set of players, the lobby.
// Every frame is encoded once by the caller; one failing socket never stops the others.

import type { Connection } from "./connection.ts";
import type { ConnectionRegistry } from "./connection_registry.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import { channelTopic, LOBBY_TOPIC, type PubSub } from "./transport.ts";

export class Broadcaster {
  #registry: ConnectionRegistry;
  #pubsub: PubSub | null;
  #compressMin: number;
  #checkEvery: number;

  /**
   * With `pubsub` (Bun), room and lobby fan-out is one native publish instead of a loop of sends. Members'
   * send buffers are then checked once every `sendBufferBytes / 4` published to their channel rather than at
   * every publish; see `#publish`.
   */
  constructor(
    registry: ConnectionRegistry,
    pubsub: PubSub | null,
    compressMin: number,
    sendBufferBytes: number = DEFAULT_LIMITS.sendBufferBytes,
  ) {
    this.#registry = registry;
    this.#pubsub = pubsub;
    this.#compressMin = compressMin;
    this.#checkEvery = Math.max(1, Math.floor(sendBufferBytes / 4));
  }

  get native(): boolean {
    return this.#pubsub !== null;
  }

  /** Every admitted connection of a room, except `exclude`. */
  toRoom(roomId: string, frame: string, exclude?: ReadonlySet<Connection>): number {
    return this.#toChannel(roomId, frame, exclude);
  }

  toLobby(frame: string): number {
    return this.#toChannel(LOBBY_TOPIC, frame);
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

  #toChannel(channel: string, frame: string, exclude?: ReadonlySet<Connection>): number {
    const members = this.#registry.inChannel(channel);
    if (members.size === 0) return 0;
    if (this.#pubsub !== null && (exclude === undefined || exclude.size === 0)) {
      return this.#publish(this.#pubsub, channel, frame, members);
    }
    // A snapshot: a send may close a slow socket, which can admit a queued socket into this channel, and the
    // registry's live set must not change under this loop.
    return this.#loop([...members], frame, exclude);
  }

  /**
   * One native publish, booked once on the channel's tally. The runtime skips (drops frames to) a subscriber
   * whose buffer is over its hard limit, twice `sendBufferBytes`, so every member's buffer is checked before
   * the channel's unchecked bytes would pass a quarter of `sendBufferBytes`: between two checks a buffer grows
   * by at most that quarter, or by one frame when a single frame is larger. Direct sends check their socket
   * each time. A slow member is thus closed with 4008 at 1¼ × sendBufferBytes at most, before anything is
   * dropped, and a broadcast costs nothing per member when nobody lags.
   */
  #publish(pubsub: PubSub, channel: string, frame: string, members: ReadonlySet<Connection>): number {
    const tally = this.#registry.tally(channel);
    // The tally keeps the topic string (a channel with members has one), so no topic is built per publish.
    const topic = tally?.topic ?? channelTopic(channel);
    if (tally !== undefined && tally.unchecked + frame.length > this.#checkEvery) {
      tally.unchecked = 0;
      // A snapshot, as in `#toChannel`: closing a slow member changes the live set.
      for (const connection of [...members]) connection.checkBuffer();
    }
    if (members.size === 0) return 0;
    try {
      pubsub.publish(topic, frame, frame.length >= this.#compressMin);
    } catch (error) {
      // A native publish that throws delivered to nobody; fall back to per-socket sends.
      console.warn(`[net] publish to ${topic} failed, sending one by one: ${String(error)}`);
      return this.#loop([...members], frame);
    }
    if (tally !== undefined) {
      tally.frames += 1;
      tally.bytes += frame.length;
      tally.unchecked += frame.length;
    }
    return members.size;
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
