// The one map of live connections, with its room, player and address indexes and per-room statistics.
// Indexes change only inside this class, so a closed connection can never linger in any of them.

import { ChannelTally, type Connection } from "./connection.ts";
import { channelTopic } from "./transport.ts";

/** Connection statistics of one channel (a room id or `lobby`), kept after its connections are gone. */
export interface ChannelStats {
  /** Connections ever admitted. */
  total: number;
  /** Connections admitted now. */
  active: number;
  peak: number;
  averageDurationMs: number;
  messagesIn: number;
  bytesIn: number;
}

interface StatsCell {
  total: number;
  active: number;
  peak: number;
  closed: number;
  durationMs: number;
  messagesIn: number;
  bytesIn: number;
}

export class ConnectionRegistry {
  #connections = new Map<string, Connection>();
  /** Admitted (not queued) connections per channel: the broadcast set. */
  #byChannel = new Map<string, Set<Connection>>();
  /** What native publishes handed each broadcast set, for its members' counters; lives as long as the set. */
  #tallies = new Map<string, ChannelTally>();
  /** `channel \0 playerName` → the connection that speaks for that member. */
  #byPlayer = new Map<string, Connection>();
  #perAddress = new Map<string, number>();
  #stats = new Map<string, StatsCell>();
  /** Connections per channel, queued ones included: statistics may go only once this reaches zero. */
  #perChannel = new Map<string, number>();
  #keepStats: (channel: string) => boolean;
  /** Channels whose room is gone: their statistics go with their last connection. */
  #retired = new Set<string>();

  /**
   * `keepStats` says which channels keep their statistics once their last connection is gone (the lobby and
   * live rooms). Any other channel's go with its last connection, so sockets to made-up room ids leave
   * nothing behind.
   */
  constructor(keepStats: (channel: string) => boolean = () => true) {
    this.#keepStats = keepStats;
  }

  get size(): number {
    return this.#connections.size;
  }

  get(id: string): Connection | undefined {
    return this.#connections.get(id);
  }

  all(): IterableIterator<Connection> {
    return this.#connections.values();
  }

  countForAddress(address: string): number {
    return this.#perAddress.get(address) ?? 0;
  }

  /** Registers a connection; unless `queued`, it also joins its channel's broadcast set. */
  add(connection: Connection): void {
    if (this.#connections.has(connection.id)) return;
    this.#connections.set(connection.id, connection);
    this.#perAddress.set(connection.address, this.countForAddress(connection.address) + 1);
    this.#perChannel.set(connection.channel, (this.#perChannel.get(connection.channel) ?? 0) + 1);
    if (!connection.queued) this.#admit(connection);
  }

  /** Moves a queued connection into its channel's broadcast set. */
  admit(connection: Connection): void {
    if (!this.#connections.has(connection.id) || !connection.queued) return;
    connection.queued = false;
    this.#admit(connection);
  }

  #admit(connection: Connection): void {
    let members = this.#byChannel.get(connection.channel);
    let tally = this.#tallies.get(connection.channel);
    if (members === undefined || tally === undefined) {
      members = new Set();
      tally = new ChannelTally(channelTopic(connection.channel));
      this.#byChannel.set(connection.channel, members);
      this.#tallies.set(connection.channel, tally);
    }
    members.add(connection);
    connection.joinTally(tally);
    const cell = this.#cell(connection.channel);
    cell.total += 1;
    cell.active = members.size;
    cell.peak = Math.max(cell.peak, members.size);
  }

  /** Removes a connection from the map and every index. Safe to call twice (close and error both call it). */
  remove(connection: Connection, now: number): boolean {
    if (this.#connections.get(connection.id) !== connection) return false;
    this.#connections.delete(connection.id);
    connection.state = "disconnected";
    const left = this.countForAddress(connection.address) - 1;
    if (left > 0) this.#perAddress.set(connection.address, left);
    else this.#perAddress.delete(connection.address);
    this.unbindPlayer(connection);
    const members = this.#byChannel.get(connection.channel);
    const cell = this.#cell(connection.channel);
    cell.messagesIn += connection.counters.messagesIn;
    cell.bytesIn += connection.counters.bytesIn;
    if (members?.delete(connection)) {
      connection.leaveTally();
      cell.closed += 1;
      cell.durationMs += now - connection.connectedAt;
      cell.active = members.size;
      if (members.size === 0) {
        this.#byChannel.delete(connection.channel);
        this.#tallies.delete(connection.channel);
      }
    }
    const inChannel = (this.#perChannel.get(connection.channel) ?? 1) - 1;
    if (inChannel > 0) this.#perChannel.set(connection.channel, inChannel);
    else {
      this.#perChannel.delete(connection.channel);
      if (this.#retired.delete(connection.channel) || !this.#keepStats(connection.channel)) {
        this.#stats.delete(connection.channel);
      }
    }
    return true;
  }

  /** Admitted connections of a channel. A live view: do not add or remove while iterating. */
  inChannel(channel: string): ReadonlySet<Connection> {
    return this.#byChannel.get(channel) ?? EMPTY;
  }

  /** The tally of a channel's native publishes while it has admitted connections. */
  tally(channel: string): ChannelTally | undefined {
    return this.#tallies.get(channel);
  }

  countInChannel(channel: string): number {
    return this.#byChannel.get(channel)?.size ?? 0;
  }

  /** Binds a connection to a member name; returns the connection it displaced, if any. */
  bindPlayer(connection: Connection, playerName: string): Connection | null {
    if (!this.#connections.has(connection.id)) return null;
    this.unbindPlayer(connection);
    const key = playerKey(connection.channel, playerName);
    const previous = this.#byPlayer.get(key) ?? null;
    if (previous !== null && previous !== connection) previous.deauthenticate();
    this.#byPlayer.set(key, connection);
    connection.authenticate(playerName);
    return previous === connection ? null : previous;
  }

  unbindPlayer(connection: Connection): void {
    if (connection.playerName === null) return;
    const key = playerKey(connection.channel, connection.playerName);
    if (this.#byPlayer.get(key) === connection) this.#byPlayer.delete(key);
    connection.deauthenticate();
  }

  player(channel: string, playerName: string): Connection | undefined {
    return this.#byPlayer.get(playerKey(channel, playerName));
  }

  stats(channel: string): ChannelStats {
    const cell = this.#stats.get(channel);
    if (cell === undefined) {
      return { total: 0, active: 0, peak: 0, averageDurationMs: 0, messagesIn: 0, bytesIn: 0 };
    }
    let messagesIn = cell.messagesIn;
    let bytesIn = cell.bytesIn;
    for (const connection of this.inChannel(channel)) {
      messagesIn += connection.counters.messagesIn;
      bytesIn += connection.counters.bytesIn;
    }
    return {
      total: cell.total,
      active: cell.active,
      peak: cell.peak,
      averageDurationMs: cell.closed === 0 ? 0 : cell.durationMs / cell.closed,
      messagesIn,
      bytesIn,
    };
  }

  /**
   * Drops the statistics of a channel that is gone for good (a closed room) once no connection is left in
   * it, so a server that hosts many rooms over its life does not keep a record of each one. A channel still
   * holding connections loses them when its last one goes.
   */
  forgetStats(channel: string): void {
    if (this.#perChannel.has(channel)) this.#retired.add(channel);
    else this.#stats.delete(channel);
  }

  /** Channels that currently hold at least one connection, queued ones included. */
  channels(): IterableIterator<string> {
    return this.#perChannel.keys();
  }

  /** Channels with statistics kept: open rooms, the lobby, and closed rooms still holding a connection. */
  get trackedChannels(): number {
    return this.#stats.size;
  }

  #cell(channel: string): StatsCell {
    let cell = this.#stats.get(channel);
    if (cell === undefined) {
      cell = { total: 0, active: 0, peak: 0, closed: 0, durationMs: 0, messagesIn: 0, bytesIn: 0 };
      this.#stats.set(channel, cell);
    }
    return cell;
  }
}

const EMPTY: ReadonlySet<Connection> = new Set();

function playerKey(channel: string, playerName: string): string {
  return `${channel}\u0000${playerName}`;
}
