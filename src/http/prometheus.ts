// Renders the server's counters and gauges for /metrics, in the Prometheus text format (exposition.ts).
// Read-only: computing a scrape never changes what the server does.

import { memoryUsage } from "node:process";
import type { Gateway } from "../net/gateway.ts";
import type { EventLoopLag } from "./event_loop_lag.ts";
import { type Catalogue, Exposition } from "./exposition.ts";

const PHASES = ["WAITING", "PREPARATION", "DECLARATION", "TURN", "TURN_RESULTS", "SCORING", "GAME_OVER"];

/** Every family /metrics may show, with its type and help; docs/deploy.md lists them (a test checks). */
export const METRICS: Catalogue = {
  liaptui_build_info: ["gauge", "Version and runtime of this server."],
  liaptui_uptime_seconds: ["gauge", "Seconds since the server started."],
  liaptui_connections: ["gauge", "Open WebSocket connections by endpoint (queued ones under room)."],
  liaptui_connections_opened_total: ["counter", "WebSocket connections admitted, by endpoint."],
  liaptui_connections_closed_total: ["counter", "WebSocket connections closed, by close code."],
  liaptui_connections_refused_total: ["counter", "Upgrades or sockets turned away, by reason."],
  liaptui_queued_connections: ["gauge", "Sockets waiting for a place in a full room."],
  liaptui_channel_stats_entries: ["gauge", "Channels whose connection statistics are kept."],
  liaptui_room_owner_entries: ["gauge", "Open rooms counted against the address that opened them."],
  liaptui_rooms: ["gauge", "Open rooms by phase."],
  liaptui_bots_active: ["gauge", "Bots playing a seat in a running game (stand-ins included)."],
  liaptui_games_started_total: ["counter", "Games started."],
  liaptui_games_finished_total: ["counter", "Games played to GAME_OVER."],
  liaptui_messages_in_total: ["counter", "Frames received, by event (invalid: refused or unparsed)."],
  liaptui_message_bytes_in_total: ["counter", "Bytes received, by event."],
  liaptui_messages_out_total: ["counter", "Messages sent (one per recipient), by event."],
  liaptui_message_bytes_out_total: ["counter", "Bytes sent (per recipient), by event."],
  liaptui_errors_total: ["counter", "Error messages sent to clients, by code."],
  liaptui_rate_limited_total: ["counter", "Frames dropped by the rate limiter."],
  liaptui_slow_consumer_closes_total: ["counter", "Sockets closed with 4008 for not reading."],
  liaptui_resumes_total: ["counter", "Session resumes, by outcome (recovered, snapshot, refused)."],
  liaptui_resume_replayed_events_total: ["counter", "Events sent again inside resume replays."],
  liaptui_resume_buffer_rooms: ["gauge", "Rooms whose recent events are kept for resume."],
  liaptui_resume_buffer_events: ["gauge", "Room events kept for resume, over all rooms."],
  liaptui_resume_buffer_bytes: ["gauge", "Bytes of room events kept for resume, over all rooms."],
  liaptui_broadcast_fanout: ["summary", "Sockets reached per room or lobby broadcast."],
  liaptui_store_appends_total: [
    "counter",
    "Room log appends by result (ok, fenced, conflict, duplicate, …).",
  ],
  liaptui_store_append_duration_seconds: ["histogram", "Time from a room log append to the store's answer."],
  liaptui_leases_held: ["gauge", "Room leases this node holds (cluster mode)."],
  liaptui_lease_takeovers_total: [
    "counter",
    "Rooms this node took over from an earlier holder (cluster mode).",
  ],
  liaptui_leases_lost_total: ["counter", "Leases lost while serving the room, by reason (cluster mode)."],
  liaptui_event_loop_lag_seconds: ["gauge", "How late the last timer tick fired."],
  liaptui_event_loop_lag_max_seconds: ["gauge", "Largest timer delay since the previous scrape."],
  liaptui_heap_used_bytes: ["gauge", "JavaScript heap in use."],
  process_resident_memory_bytes: ["gauge", "Resident set size of the server process."],
};

/** What only a cluster node can say about itself. */
export interface ClusterSource {
  /** Room leases this node holds and keeps renewing right now. */
  leasesHeld(): number;
}

export interface ScrapeSources {
  gateway: Gateway;
  lag: EventLoopLag;
  version: string;
  runtime: string;
  uptimeSeconds(): number;
  /** Cluster mode only: without it the lease families are left out. */
  cluster?: ClusterSource;
}

export function renderMetrics(sources: ScrapeSources): string {
  const { gateway, lag, version, runtime, uptimeSeconds } = sources;
  const { metrics, registry, directory, queue } = gateway;
  const out = new Exposition(METRICS);

  out.family("liaptui_build_info").sample(1, { version, runtime });
  out.value("liaptui_uptime_seconds", Math.round(uptimeSeconds()));

  const lobby = registry.countInChannel("lobby");
  out.family("liaptui_connections")
    .sample(lobby, { endpoint: "lobby" })
    .sample(registry.size - lobby, { endpoint: "room" });
  out.labeled("liaptui_connections_opened_total", "endpoint", metrics.connectionsOpened);
  out.labeled("liaptui_connections_closed_total", "code", metrics.connectionsClosed);
  out.labeled("liaptui_connections_refused_total", "reason", metrics.connectionsRefused);
  out.value("liaptui_queued_connections", queue.size);
  // Both must fall back to the number of live channels and rooms: anything more is state left behind.
  out.value("liaptui_channel_stats_entries", registry.trackedChannels);
  out.value("liaptui_room_owner_entries", gateway.quota.size);

  const byPhase = new Map<string, number>(PHASES.map((p) => [p, 0]));
  let bots = 0;
  for (const room of directory.all()) {
    byPhase.set(room.phase, (byPhase.get(room.phase) ?? 0) + 1);
    if (room.phase !== "WAITING" && room.phase !== "GAME_OVER") {
      for (const seat of room.summary().seats) if (seat?.is_bot) bots += 1;
    }
  }
  const rooms = out.family("liaptui_rooms");
  for (const [phase, n] of byPhase) rooms.sample(n, { phase });
  out.value("liaptui_bots_active", bots);
  out.value("liaptui_games_started_total", metrics.gamesStarted);
  out.value("liaptui_games_finished_total", metrics.gamesFinished);

  out.labeled("liaptui_messages_in_total", "event", metrics.messagesIn);
  out.labeled("liaptui_message_bytes_in_total", "event", metrics.bytesIn);
  out.labeled("liaptui_messages_out_total", "event", metrics.messagesOut);
  out.labeled("liaptui_message_bytes_out_total", "event", metrics.bytesOut);
  out.labeled("liaptui_errors_total", "code", metrics.errors);
  out.value("liaptui_rate_limited_total", metrics.rateLimited);
  out.value("liaptui_slow_consumer_closes_total", metrics.slowConsumerCloses);
  // Read from the resume code's own counters, so there is one count of resumes, not two that can drift.
  const resumes = gateway.resumeCounters;
  out.family("liaptui_resumes_total")
    .sample(resumes.recovered, { outcome: "recovered" })
    .sample(resumes.snapshots, { outcome: "snapshot" })
    .sample(resumes.refused, { outcome: "refused" });
  out.value("liaptui_resume_replayed_events_total", resumes.replayedEvents);
  const history = gateway.history.stats();
  // Must fall back to the number of open rooms: a closed room's history is state left behind.
  out.value("liaptui_resume_buffer_rooms", history.rooms);
  out.value("liaptui_resume_buffer_events", history.events);
  out.value("liaptui_resume_buffer_bytes", history.bytes);
  out.family("liaptui_broadcast_fanout")
    .sample(metrics.broadcastRecipients, {}, "_sum")
    .sample(metrics.broadcasts, {}, "_count");

  out.labeled("liaptui_store_appends_total", "result", metrics.appends);
  out.family("liaptui_store_append_duration_seconds").histogram(metrics.appendSeconds);
  if (sources.cluster !== undefined) {
    out.value("liaptui_leases_held", sources.cluster.leasesHeld());
    out.value("liaptui_lease_takeovers_total", metrics.takeovers);
    out.labeled("liaptui_leases_lost_total", "reason", metrics.leasesLost);
  }

  const { lastMs, maxMs } = lag.take();
  out.value("liaptui_event_loop_lag_seconds", lastMs / 1000);
  out.value("liaptui_event_loop_lag_max_seconds", maxMs / 1000);
  const memory = memoryUsage();
  out.value("process_resident_memory_bytes", memory.rss);
  out.value("liaptui_heap_used_bytes", memory.heapUsed);
  return out.text();
}
