// Renders the server's counters and gauges in the Prometheus text exposition format (version 0.0.4).
// Read-only: computing a scrape never changes what the server does.

import { memoryUsage } from "node:process";
import type { Gateway } from "../net/gateway.ts";
import type { LabeledCounter } from "../net/metrics.ts";
import type { EventLoopLag } from "./event_loop_lag.ts";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const PHASES = ["WAITING", "PREPARATION", "DECLARATION", "TURN", "TURN_RESULTS", "SCORING", "GAME_OVER"];

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

class Exposition {
  #lines: string[] = [];

  metric(name: string, type: "counter" | "gauge" | "summary", help: string): this {
    this.#lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, value: number, labels: Record<string, string> = {}): this {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
    this.#lines.push(`${name}${pairs.length ? `{${pairs.join(",")}}` : ""} ${value}`);
    return this;
  }

  labeled(name: string, label: string, counter: LabeledCounter): this {
    for (const [value, n] of counter.entries()) this.sample(name, n, { [label]: value });
    return this;
  }

  text(): string {
    return `${this.#lines.join("\n")}\n`;
  }
}

export interface ScrapeSources {
  gateway: Gateway;
  lag: EventLoopLag;
  version: string;
  runtime: string;
  uptimeSeconds(): number;
}

export function renderMetrics({ gateway, lag, version, runtime, uptimeSeconds }: ScrapeSources): string {
  const { metrics, registry, directory, queue } = gateway;
  const out = new Exposition();

  out.metric("liaptui_build_info", "gauge", "Version and runtime of this server.")
    .sample("liaptui_build_info", 1, { version, runtime });
  out.metric("liaptui_uptime_seconds", "gauge", "Seconds since the server started.")
    .sample("liaptui_uptime_seconds", Math.round(uptimeSeconds()));

  const lobby = registry.countInChannel("lobby");
  out.metric(
    "liaptui_connections",
    "gauge",
    "Open WebSocket connections by endpoint (queued ones under room).",
  )
    .sample("liaptui_connections", lobby, { endpoint: "lobby" })
    .sample("liaptui_connections", registry.size - lobby, { endpoint: "room" });
  out.metric("liaptui_connections_opened_total", "counter", "WebSocket connections admitted, by endpoint.")
    .labeled("liaptui_connections_opened_total", "endpoint", metrics.connectionsOpened);
  out.metric("liaptui_connections_closed_total", "counter", "WebSocket connections closed, by close code.")
    .labeled("liaptui_connections_closed_total", "code", metrics.connectionsClosed);
  out.metric("liaptui_connections_refused_total", "counter", "Upgrades or sockets turned away, by reason.")
    .labeled("liaptui_connections_refused_total", "reason", metrics.connectionsRefused);
  out.metric("liaptui_queued_connections", "gauge", "Sockets waiting for a place in a full room.")
    .sample("liaptui_queued_connections", queue.size);
  // Both must fall back to the number of live channels and rooms: anything more is state left behind.
  out.metric("liaptui_channel_stats_entries", "gauge", "Channels whose connection statistics are kept.")
    .sample("liaptui_channel_stats_entries", registry.trackedChannels);
  out.metric(
    "liaptui_room_owner_entries",
    "gauge",
    "Open rooms counted against the address that opened them.",
  )
    .sample("liaptui_room_owner_entries", gateway.quota.size);

  const byPhase = new Map<string, number>(PHASES.map((p) => [p, 0]));
  let bots = 0;
  for (const room of directory.all()) {
    byPhase.set(room.phase, (byPhase.get(room.phase) ?? 0) + 1);
    if (room.phase !== "WAITING" && room.phase !== "GAME_OVER") {
      for (const seat of room.summary().seats) if (seat?.is_bot) bots += 1;
    }
  }
  out.metric("liaptui_rooms", "gauge", "Open rooms by phase.");
  for (const [phase, n] of byPhase) out.sample("liaptui_rooms", n, { phase });
  out.metric("liaptui_bots_active", "gauge", "Bots playing a seat in a running game (stand-ins included).")
    .sample("liaptui_bots_active", bots);
  out.metric("liaptui_games_started_total", "counter", "Games started.")
    .sample("liaptui_games_started_total", metrics.gamesStarted);
  out.metric("liaptui_games_finished_total", "counter", "Games played to GAME_OVER.")
    .sample("liaptui_games_finished_total", metrics.gamesFinished);

  out.metric(
    "liaptui_messages_in_total",
    "counter",
    "Frames received, by event (invalid: refused or unparsed).",
  )
    .labeled("liaptui_messages_in_total", "event", metrics.messagesIn);
  out.metric("liaptui_message_bytes_in_total", "counter", "Bytes received, by event.")
    .labeled("liaptui_message_bytes_in_total", "event", metrics.bytesIn);
  out.metric("liaptui_messages_out_total", "counter", "Messages sent (one per recipient), by event.")
    .labeled("liaptui_messages_out_total", "event", metrics.messagesOut);
  out.metric("liaptui_message_bytes_out_total", "counter", "Bytes sent (per recipient), by event.")
    .labeled("liaptui_message_bytes_out_total", "event", metrics.bytesOut);
  out.metric("liaptui_errors_total", "counter", "Error messages sent to clients, by code.")
    .labeled("liaptui_errors_total", "code", metrics.errors);
  out.metric("liaptui_rate_limited_total", "counter", "Frames dropped by the rate limiter.")
    .sample("liaptui_rate_limited_total", metrics.rateLimited);
  out.metric("liaptui_slow_consumer_closes_total", "counter", "Sockets closed with 4008 for not reading.")
    .sample("liaptui_slow_consumer_closes_total", metrics.slowConsumerCloses);
  // Read from the resume code's own counters, so there is one count of resumes, not two that can drift.
  const resumes = gateway.resumeCounters;
  out.metric(
    "liaptui_resumes_total",
    "counter",
    "Session resumes, by outcome (recovered, snapshot, refused).",
  )
    .sample("liaptui_resumes_total", resumes.recovered, { outcome: "recovered" })
    .sample("liaptui_resumes_total", resumes.snapshots, { outcome: "snapshot" })
    .sample("liaptui_resumes_total", resumes.refused, { outcome: "refused" });
  out.metric("liaptui_resume_replayed_events_total", "counter", "Events sent again inside resume replays.")
    .sample("liaptui_resume_replayed_events_total", resumes.replayedEvents);
  const history = gateway.history.stats();
  // Must fall back to the number of open rooms: a closed room's history is state left behind.
  out.metric("liaptui_resume_buffer_rooms", "gauge", "Rooms whose recent events are kept for resume.")
    .sample("liaptui_resume_buffer_rooms", history.rooms);
  out.metric("liaptui_resume_buffer_events", "gauge", "Room events kept for resume, over all rooms.")
    .sample("liaptui_resume_buffer_events", history.events);
  out.metric("liaptui_resume_buffer_bytes", "gauge", "Bytes of room events kept for resume, over all rooms.")
    .sample("liaptui_resume_buffer_bytes", history.bytes);
  out.metric("liaptui_broadcast_fanout", "summary", "Sockets reached per room or lobby broadcast.")
    .sample("liaptui_broadcast_fanout_sum", metrics.broadcastRecipients)
    .sample("liaptui_broadcast_fanout_count", metrics.broadcasts);

  const { lastMs, maxMs } = lag.take();
  out.metric("liaptui_event_loop_lag_seconds", "gauge", "How late the last timer tick fired.")
    .sample("liaptui_event_loop_lag_seconds", lastMs / 1000);
  out.metric("liaptui_event_loop_lag_max_seconds", "gauge", "Largest timer delay since the previous scrape.")
    .sample("liaptui_event_loop_lag_max_seconds", maxMs / 1000);
  const memory = memoryUsage();
  out.metric("process_resident_memory_bytes", "gauge", "Resident set size of the server process.")
    .sample("process_resident_memory_bytes", memory.rss);
  out.metric("liaptui_heap_used_bytes", "gauge", "JavaScript heap in use.")
    .sample("liaptui_heap_used_bytes", memory.heapUsed);
  return out.text();
}
