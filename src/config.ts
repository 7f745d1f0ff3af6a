// Command-line flags and environment variables → one validated Config. Pure: the caller passes argv and env.

import { DEFAULT_LIMITS, type NetLimits } from "./net/limits.ts";

export const VERSION = "0.1.0";

export interface Config {
  host: string;
  port: number;
  maxRooms: number;
  /** Where the database lives (created if missing); ":memory:" keeps everything in memory, lost on exit. */
  dataDir: string;
  limits: NetLimits;
  /** Cluster mode on Redis: all four set, or (the default) none. */
  cluster: ClusterConfig | null;
}

/** What a node needs to join a cluster (see docs/deploy.md). */
export interface ClusterConfig {
  /** `redis://[user:password@]host[:port][/db]` */
  redisUrl: string;
  /** This node's id, unique in the cluster; also its path prefix `/n/{nodeId}/`. */
  nodeId: string;
  /** Where players reach this node directly (`https://a.example.com`), for redirects to it. */
  publicUrl: string;
  /** Shared by every node: signs session tokens so any node can verify them. */
  secret: string;
}

/** Cluster settings as given, checked together once everything is read. */
type ClusterDraft = { [K in keyof ClusterConfig]?: string };

const NODE_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
/** Below this a shared secret is guessable. */
const MIN_SECRET_LENGTH = 32;

function clusterField(field: keyof ClusterConfig, check: (value: string) => string | null) {
  return (_config: Config, value: string, draft: ClusterDraft): string | null => {
    const problem = check(value);
    if (problem) return problem;
    draft[field] = value;
    return null;
  };
}

interface Option {
  flag: string;
  env: string;
  help: string;
  /** Checks and applies one value; cluster settings go to `draft`, judged together at the end. */
  set(config: Config, value: string, draft: ClusterDraft): string | null;
}

function integer(min: number, max: number, apply: (config: Config, value: number) => void) {
  return (config: Config, raw: string): string | null => {
    if (!/^\d+$/.test(raw)) return `expected a whole number, got "${raw}"`;
    const value = Number(raw);
    if (value < min || value > max) return `expected ${min}–${max}, got ${value}`;
    apply(config, value);
    return null;
  };
}

const OPTIONS: readonly Option[] = [
  {
    flag: "--port",
    env: "PORT",
    help: "TCP port to listen on (default 8080; 0 picks a free one)",
    set: integer(0, 65535, (c, v) => c.port = v),
  },
  {
    flag: "--host",
    env: "HOST",
    help: "address to listen on (default 0.0.0.0)",
    set: (c, v) => {
      if (!/^[A-Za-z0-9.:[\]-]+$/.test(v)) return `not a host name or address: "${v}"`;
      c.host = v;
      return null;
    },
  },
  {
    flag: "--max-frame-bytes",
    env: "LIAPTUI_MAX_FRAME_BYTES",
    help: "largest accepted message (default 16384)",
    set: integer(256, 1 << 20, (c, v) => c.limits.maxFrameBytes = v),
  },
  {
    flag: "--rate",
    env: "LIAPTUI_RATE",
    help: "messages per second per connection (default 20)",
    set: integer(1, 10_000, (c, v) => c.limits.ratePerSecond = v),
  },
  {
    flag: "--rate-burst",
    env: "LIAPTUI_RATE_BURST",
    help: "burst allowance per connection (default 40)",
    set: integer(1, 100_000, (c, v) => c.limits.rateBurst = v),
  },
  {
    flag: "--max-connections-per-room",
    env: "LIAPTUI_MAX_CONNECTIONS_PER_ROOM",
    help: "room channel cap before newcomers queue (default 100)",
    set: integer(1, 100_000, (c, v) => c.limits.maxConnectionsPerRoom = v),
  },
  {
    flag: "--max-connections-per-address",
    env: "LIAPTUI_MAX_CONNECTIONS_PER_ADDRESS",
    help: "sockets per remote address (default 50)",
    set: integer(1, 1_000_000, (c, v) => c.limits.maxConnectionsPerAddress = v),
  },
  {
    flag: "--heartbeat-ms",
    env: "LIAPTUI_HEARTBEAT_MS",
    help: "server ping interval (default 30000)",
    set: integer(100, 3_600_000, (c, v) => c.limits.heartbeatMs = v),
  },
  {
    flag: "--idle-timeout-ms",
    env: "LIAPTUI_IDLE_TIMEOUT_MS",
    help: "close after this much silence (default 60000)",
    set: integer(200, 86_400_000, (c, v) => c.limits.idleTimeoutMs = v),
  },
  {
    flag: "--send-buffer-bytes",
    env: "LIAPTUI_SEND_BUFFER_BYTES",
    help: "per-connection send buffer before a slow consumer is closed (default 1048576)",
    set: integer(1024, 1 << 30, (c, v) => c.limits.sendBufferBytes = v),
  },
  {
    flag: "--max-rooms",
    env: "LIAPTUI_MAX_ROOMS",
    help: "open rooms at most (default 10000)",
    set: integer(1, 1_000_000, (c, v) => c.maxRooms = v),
  },
  {
    flag: "--data-dir",
    env: "LIAPTUI_DATA_DIR",
    help: "folder for the game database (default ./data; :memory: keeps nothing)",
    set: (c, v) => {
      c.dataDir = v;
      return null;
    },
  },
  {
    flag: "--redis-url",
    env: "LIAPTUI_REDIS_URL",
    help: "cluster mode: Redis 7+ shared by every node (redis://host:port); off when unset",
    set: clusterField(
      "redisUrl",
      (v) => /^redis:\/\/[^\s]+$/.test(v) ? null : `expected redis://host:port, got "${v}"`,
    ),
  },
  {
    flag: "--node-id",
    env: "LIAPTUI_NODE_ID",
    help: "cluster mode: this node's id, unique in the cluster (letters, digits, - and _)",
    set: clusterField(
      "nodeId",
      (v) => NODE_ID_PATTERN.test(v) ? null : `expected 1–32 of A–Z a–z 0–9 - _, got "${v}"`,
    ),
  },
  {
    flag: "--public-url",
    env: "LIAPTUI_PUBLIC_URL",
    help: "cluster mode: where players reach this node directly (https://a.example.com)",
    set: clusterField("publicUrl", (v) => {
      try {
        const url = new URL(v);
        if (!["http:", "https:"].includes(url.protocol) || url.search !== "" || url.hash !== "") throw 0;
        return null;
      } catch {
        return `expected an http(s) URL without query, got "${v}"`;
      }
    }),
  },
  {
    flag: "--cluster-secret",
    env: "LIAPTUI_CLUSTER_SECRET",
    help:
      `cluster mode: secret shared by every node, ${MIN_SECRET_LENGTH}+ characters (prefer the env variable)`,
    set: clusterField(
      "secret",
      (v) => v.length >= MIN_SECRET_LENGTH ? null : `must be at least ${MIN_SECRET_LENGTH} characters long`,
    ),
  },
];

export type ConfigResult =
  | { kind: "run"; config: Config }
  | { kind: "help"; text: string }
  | { kind: "version"; text: string }
  | { kind: "error"; message: string };

export function defaultConfig(): Config {
  return {
    host: "0.0.0.0",
    port: 8080,
    maxRooms: 10_000,
    dataDir: "./data",
    limits: { ...DEFAULT_LIMITS },
    cluster: null,
  };
}

export function helpText(): string {
  const lines = OPTIONS.map((o) => `  ${`${o.flag} <n>`.padEnd(36)}${o.help} [env ${o.env}]`);
  return [
    `liaptui ${VERSION} — a self-hosted Liap Tui server: lobby page, WebSocket rooms, bots.`,
    "",
    "Usage: liaptui [options]",
    "",
    ...lines,
    `  ${"-h, --help".padEnd(36)}show this help`,
    `  ${"-v, --version".padEnd(36)}print the version`,
    "",
    "Flags win over environment variables. Open http://<host>:<port>/ in a browser to play.",
  ].join("\n");
}

/**
 * `--help`/`--version` anywhere win; otherwise reads env first, then flags (`--flag value` or `--flag=value`),
 * and the first problem is the answer.
 */
export function parseConfig(
  argv: readonly string[],
  env: (name: string) => string | undefined,
): ConfigResult {
  // Asking for help or the version must work whatever else is on the line or in the environment.
  for (const arg of argv) {
    if (arg === "-h" || arg === "--help") return { kind: "help", text: helpText() };
    if (arg === "-v" || arg === "--version") return { kind: "version", text: `liaptui ${VERSION}` };
  }
  const config = defaultConfig();
  const draft: ClusterDraft = {};
  for (const option of OPTIONS) {
    const raw = env(option.env);
    if (raw === undefined || raw === "") continue;
    const problem = option.set(config, raw, draft);
    if (problem) return { kind: "error", message: `${option.env}: ${problem}` };
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [
        arg,
        undefined,
      ];
    const option = OPTIONS.find((o) => o.flag === flag || (flag === "-p" && o.flag === "--port"));
    if (option === undefined) return { kind: "error", message: `unknown option ${flag} (try --help)` };
    const value = inline ?? argv[++i];
    if (value === undefined) return { kind: "error", message: `${flag} needs a value (try --help)` };
    const problem = option.set(config, value, draft);
    if (problem) return { kind: "error", message: `${flag}: ${problem}` };
  }
  const { heartbeatMs, idleTimeoutMs } = config.limits;
  const heartbeatGiven = argv.some((a) => a.startsWith("--heartbeat-ms")) || !!env("LIAPTUI_HEARTBEAT_MS");
  if (!heartbeatGiven) {
    // Only the idle timeout was shortened: ping often enough that a client answering pings stays.
    config.limits.heartbeatMs = Math.min(heartbeatMs, Math.floor(idleTimeoutMs / 2));
  } else if (heartbeatMs >= idleTimeoutMs) {
    return {
      kind: "error",
      message:
        `the heartbeat (${heartbeatMs} ms) must be shorter than the idle timeout (${idleTimeoutMs} ms)`,
    };
  }
  // The warning goes out a quarter of the idle timeout before the close, and never earlier than 15 s before.
  config.limits.idleWarningMs = Math.min(DEFAULT_LIMITS.idleWarningMs, Math.floor(idleTimeoutMs / 4));
  const cluster = clusterConfig(draft);
  if (typeof cluster === "string") return { kind: "error", message: cluster };
  config.cluster = cluster;
  return { kind: "run", config };
}

/** All four cluster settings, or none: half a cluster configuration is a mistake worth stopping for. */
function clusterConfig(draft: ClusterDraft): ClusterConfig | null | string {
  const { redisUrl, nodeId, publicUrl, secret } = draft;
  if (redisUrl === undefined && nodeId === undefined && publicUrl === undefined && secret === undefined) {
    return null;
  }
  if (redisUrl === undefined) return "--node-id, --public-url and --cluster-secret need --redis-url";
  const missing = [
    nodeId === undefined ? "--node-id" : null,
    publicUrl === undefined ? "--public-url" : null,
    secret === undefined ? "--cluster-secret (or LIAPTUI_CLUSTER_SECRET)" : null,
  ].filter((m) => m !== null);
  if (missing.length > 0 || nodeId === undefined || publicUrl === undefined || secret === undefined) {
    return `cluster mode (--redis-url) also needs ${missing.join(", ")}`;
  }
  return { redisUrl, nodeId, publicUrl: publicUrl.replace(/\/+$/, ""), secret };
}
