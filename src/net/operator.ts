// What the server's operator may see and do: connection statistics per room and overall (the design
// document's ConnectionStats), and closing a room, kicking a connection, sending everyone a notice.

import { CloseCode } from "../protocol/codes.ts";
import { encodeEvent } from "../protocol/server_messages.ts";
import type { Clock } from "../rooms/clock.ts";
import type { ChannelStats } from "./connection_registry.ts";
import type { Gateway } from "./gateway.ts";
import type { Logger } from "./logger.ts";

/** The design document's ConnectionStats, as the admin API shows them. */
export interface ConnectionStatsView {
  total_connections: number;
  active_connections: number;
  total_messages: number;
  total_bytes: number;
  peak_connections: number;
  avg_connection_duration_ms: number;
}

/** Who holds a room, as the store says (cluster mode). */
export interface RoomOwnerView {
  node: string | null;
  epoch: number;
  /** Whether the holder's lease is live: false when it died or stalled and nobody has taken the room yet. */
  leased: boolean;
}

/** Cluster mode: this node's id, and a read of who holds which rooms. */
export interface ClusterOwners {
  nodeId: string;
  owners(roomIds: readonly string[]): Promise<ReadonlyMap<string, RoomOwnerView>>;
}

/** At most this many connections are listed one by one; the counts cover all of them. */
const LISTED_CONNECTIONS = 500;

function view(stats: ChannelStats): ConnectionStatsView {
  return {
    total_connections: stats.total,
    active_connections: stats.active,
    total_messages: stats.messagesIn,
    total_bytes: stats.bytesIn,
    peak_connections: stats.peak,
    avg_connection_duration_ms: Math.round(stats.averageDurationMs),
  };
}

export class Operator {
  #gateway: Gateway;
  #clock: Clock;
  #log: Logger;
  #cluster: ClusterOwners | null;

  constructor(gateway: Gateway, clock: Clock, log: Logger, cluster: ClusterOwners | null = null) {
    this.#gateway = gateway;
    this.#clock = clock;
    this.#log = log;
    this.#cluster = cluster;
  }

  /** The local statistics, and in cluster mode who owns each room here and each room other nodes list. */
  async stats() {
    const local = this.#localStats();
    const cluster = this.#cluster;
    if (cluster === null) return local;
    const { directory } = this.#gateway;
    // A reopened room's log (and lease) may live under a suffixed id: ask the store under that one.
    const logIds = new Map([...directory.all()].map((room) => [room.id, room.journal?.logId || room.id]));
    const elsewhere = directory.publicSummaries().filter((s) => !directory.has(s.room_id));
    let owners: ReadonlyMap<string, RoomOwnerView> = new Map();
    let error: string | null = null;
    try {
      owners = await cluster.owners([...logIds.values(), ...elsewhere.map((s) => s.room_id)]);
    } catch (failure) {
      // Statistics stay available while Redis is not: say so instead of failing the whole answer.
      error = failure instanceof Error ? failure.message : String(failure);
    }
    const ownerOf = (id: string) => owners.get(id) ?? null;
    return {
      ...local,
      rooms: local.rooms.map((room) => ({
        ...room,
        owner: ownerOf(logIds.get(room.room_id) ?? room.room_id),
      })),
      cluster: {
        node: cluster.nodeId,
        owners_error: error,
        listed_elsewhere: elsewhere.map((s) => ({
          room_id: s.room_id,
          room_name: s.room_name,
          owner: ownerOf(s.room_id),
        })),
      },
    };
  }

  #localStats() {
    const { registry, directory, metrics, queue } = this.#gateway;
    const now = this.#clock.now();
    let totalMessages = 0;
    let totalBytes = 0;
    for (const [, n] of metrics.messagesIn.entries()) totalMessages += n;
    for (const [, n] of metrics.bytesIn.entries()) totalBytes += n;
    let opened = 0;
    for (const [, n] of metrics.connectionsOpened.entries()) opened += n;
    const closed = opened - registry.size;
    const connections = [...registry.all()];
    return {
      overall: {
        total_connections: opened,
        active_connections: registry.size,
        total_messages: totalMessages,
        total_bytes: totalBytes,
        peak_connections: metrics.peakConnections,
        avg_connection_duration_ms: closed > 0 ? Math.round(metrics.closedDurationMs / closed) : 0,
        queued_connections: queue.size,
        rooms: directory.size,
      } satisfies ConnectionStatsView & Record<string, number>,
      lobby: view(registry.stats("lobby")),
      rooms: [...directory.all()].map((room) => ({
        ...room.summary(),
        stats: view(registry.stats(room.id)),
      })),
      connections: connections.slice(0, LISTED_CONNECTIONS).map((c) => ({
        id: c.id,
        channel: c.channel,
        address: c.address,
        player_name: c.playerName,
        state: c.state,
        queued: c.queued,
        connected_s: Math.round((now - c.connectedAt) / 1000),
        idle_s: Math.round((now - c.lastActivity) / 1000),
        messages_in: c.counters.messagesIn,
        messages_out: c.counters.messagesOut,
        bytes_in: c.counters.bytesIn,
        bytes_out: c.counters.bytesOut,
        reconnects: c.counters.reconnects,
      })),
      connections_listed: Math.min(connections.length, LISTED_CONNECTIONS),
    };
  }

  /** Closes one socket with 4003. Returns whether it was there. */
  kick(connectionId: string): boolean {
    const connection = this.#gateway.registry.get(connectionId);
    if (connection === undefined) return false;
    this.#log.info("connection kicked by the operator", {
      connection: connection.id,
      room: connection.channel,
    });
    this.#gateway.drop(connection, CloseCode.CLOSED_BY_OPERATOR, "closed by the operator");
    return true;
  }

  /** Closes a room (timers, lobby listing) and every socket on its channel with 4003. */
  closeRoom(roomId: string): boolean {
    const { directory, registry } = this.#gateway;
    if (directory.get(roomId) === undefined) return false;
    this.#log.info("room closed by the operator", { room: roomId });
    directory.close(roomId);
    // Queued sockets first, so that closing the admitted ones does not let them in on the way out.
    const onChannel = [...registry.all()].filter((c) => c.channel === roomId);
    onChannel.sort((a, b) => Number(b.queued) - Number(a.queued));
    for (const connection of onChannel) {
      this.#gateway.drop(connection, CloseCode.CLOSED_BY_OPERATOR, "room closed by the operator");
    }
    return true;
  }

  /** Sends `server_notice {message}` to every admitted socket; returns how many got it. */
  notice(message: string): number {
    const { registry, broadcaster, metrics } = this.#gateway;
    const timestamp = this.#clock.now();
    let reached = 0;
    for (const channel of [...registry.channels()]) {
      const frame = encodeEvent("server_notice", { message }, { roomId: channel, timestamp });
      const sent = channel === "lobby" ? broadcaster.toLobby(frame) : broadcaster.toRoom(channel, frame);
      metrics.sent("server_notice", frame.length, sent);
      reached += sent;
    }
    this.#log.info("notice sent by the operator", { reached });
    return reached;
  }
}
