// Flags, environment variables and an optional JSON config file → one validated Config, through the one
// schema of `config_schema.ts`. Pure: the caller passes argv, env and a way to read the config file.

import { parseArgs } from "node:util";
import * as v from "valibot";
import { DEFAULT_LIMITS, type NetLimits } from "./net/limits.ts";
import { type Setting, type SettingKey, SETTINGS, type Settings, SettingsSchema } from "./config_schema.ts";

/** Stamped into release builds with `bun build --define LIAPTUI_VERSION='"x.y.z"'`. */
declare const LIAPTUI_VERSION: string | undefined;
export const VERSION: string = typeof LIAPTUI_VERSION === "string" ? LIAPTUI_VERSION : "0.1.0";

export type LogLevel = Settings["logLevel"];
export type LogFormat = Settings["logFormat"];

export interface Config {
  host: string;
  port: number;
  maxRooms: number;
  limits: NetLimits;
  /** Where the store keeps its files. */
  dataDir: string;
  log: { level: LogLevel; format: LogFormat };
  /** Served directly over TLS when set. */
  tls: { certFile: string; keyFile: string } | null;
  /** Origins besides the server's own whose pages may open WebSockets; `*` allows every origin. */
  allowedOrigins: string[];
  /** Peers whose forwarding headers name the real client. */
  trustedProxies: string[];
  /** Enables the admin API and page; null keeps them shut. */
  adminToken: string | null;
  http: { maxBodyBytes: number; maxHeaderBytes: number };
  /** Cluster mode on Redis: all four set, or (the default) none. */
  cluster: ClusterConfig | null;
}

/** What a node needs to join a cluster (see docs/cluster.md). */
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

export type ConfigResult =
  | { kind: "run"; config: Config }
  | { kind: "help"; text: string }
  | { kind: "version"; text: string }
  | { kind: "print"; text: string }
  | { kind: "error"; message: string };

/** Reads a config file's text; throws when it cannot. */
export type ReadFile = (path: string) => string;

const noFile: ReadFile = (path) => {
  throw new Error(`cannot read ${path} here`);
};

export function defaultConfig(): Config {
  const result = parseConfig([], () => undefined);
  if (result.kind !== "run") throw new Error("the defaults do not validate");
  return result.config;
}

export function helpText(): string {
  // At least one space between the columns, even for an option longer than the column.
  const row = (left: string, help: string) => `  ${left.padEnd(35)} ${help}`;
  const lines = SETTINGS.map((s) =>
    row(
      s.onCommandLine ? `${s.short ? `-${s.short}, ` : ""}--${s.flag} <value>` : `(${s.flag})`,
      `${s.help} [env ${s.env}]`,
    )
  );
  return [
    `liaptui ${VERSION} — a self-hosted Liap Tui server: lobby page, WebSocket rooms, bots.`,
    "",
    "Usage: liaptui [options]",
    "",
    row("--config <file>", "JSON file of settings, keyed like the flags without dashes [env LIAPTUI_CONFIG]"),
    ...lines,
    row("--print-config", "print the effective settings as JSON (secrets masked) and exit"),
    row("-h, --help", "show this help"),
    row("-v, --version", "print the version"),
    "",
    "Flags win over environment variables, which win over the config file. Open http://<host>:<port>/ to play.",
  ].join("\n");
}

/** Where a raw value came from, as an error message names it. */
type Source = { label: string };

class ConfigError extends Error {}

/**
 * `--help`/`--version` anywhere win; otherwise the config file, then the environment, then flags, each
 * overriding the one before; the first bad value is the answer, named by where it came from.
 */
export function parseConfig(
  argv: readonly string[],
  env: (name: string) => string | undefined,
  readFile: ReadFile = noFile,
): ConfigResult {
  // Asking for help or the version must work whatever else is on the line or in the environment.
  for (const arg of argv) {
    if (arg === "-h" || arg === "--help") return { kind: "help", text: helpText() };
    if (arg === "-v" || arg === "--version") return { kind: "version", text: `liaptui ${VERSION}` };
  }
  try {
    const flags = readFlags(argv);
    const raw: Partial<Record<SettingKey, unknown>> = {};
    const sources = new Map<SettingKey, Source>();
    const filePath = stringFlag(flags, "config") ?? nonEmpty(env("LIAPTUI_CONFIG"));
    if (filePath !== undefined) {
      for (const [key, value, label] of readConfigFile(filePath, readFile)) {
        raw[key] = value;
        sources.set(key, { label });
      }
    }
    for (const setting of SETTINGS) {
      const value = nonEmpty(env(setting.env));
      if (value === undefined) continue;
      raw[setting.key] = value;
      sources.set(setting.key, { label: setting.env });
    }
    for (const setting of SETTINGS) {
      const value = stringFlag(flags, setting.flag);
      if (value === undefined) continue;
      raw[setting.key] = value;
      sources.set(setting.key, { label: `--${setting.flag}` });
    }
    const parsed = v.safeParse(SettingsSchema, raw, { abortEarly: true });
    if (!parsed.success) {
      const issue = parsed.issues[0];
      const key = issue.path?.[0]?.key as SettingKey | undefined;
      const where = key === undefined ? "config" : sources.get(key)?.label ?? key;
      throw new ConfigError(`${where}: ${issue.message}`);
    }
    const settings = parsed.output;
    const config = toConfig(settings, sources);
    if (flags["print-config"] === true) return { kind: "print", text: printSettings(settings, config) };
    return { kind: "run", config };
  } catch (error) {
    if (error instanceof ConfigError) return { kind: "error", message: error.message };
    throw error;
  }
}

type Flags = Record<string, string | boolean | undefined>;

function readFlags(argv: readonly string[]): Flags {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    config: { type: "string" },
    "print-config": { type: "boolean" },
  };
  for (const setting of SETTINGS.filter((s) => s.onCommandLine)) {
    options[setting.flag] = setting.short ? { type: "string", short: setting.short } : { type: "string" };
  }
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Flags;
  } catch (error) {
    throw new ConfigError(flagProblem(error, argv));
  }
}

/** parseArgs explains itself at length; one line that names the flag is enough. */
function flagProblem(error: unknown, argv: readonly string[]): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const quoted = message.match(/'([^']*)'/)?.[1] ?? "";
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const flag = quoted.split("=")[0]!;
      const secret = SETTINGS.find((s) => !s.onCommandLine && `--${s.flag}` === flag);
      return secret
        ? `${flag} is not taken on the command line, where other users could read it: set ${secret.env}`
        : `unknown option ${flag} (try --help)`;
    }
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const flag = quoted.match(/--[a-z-]+/)?.[0] ?? quoted;
      return /does not take an argument/.test(message)
        ? `${flag} takes no value`
        : `${flag} needs a value (try --help)`;
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument "${quoted}" (options start with --; try --help)`;
    default:
      return `cannot read the command line ${JSON.stringify(argv.join(" "))}: ${message.split("\n")[0]}`;
  }
}

function stringFlag(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === "string" ? value : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/** The file's settings as `[key, value, label]`; a `null` value counts as not set. */
function readConfigFile(path: string, readFile: ReadFile): [SettingKey, unknown, string][] {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new ConfigError(`--config: cannot read ${path}: ${reason}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON (${error instanceof Error ? error.message : error})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ConfigError(`${path}: expected a JSON object of settings`);
  }
  const byFlag = new Map<string, Setting>(SETTINGS.map((s) => [s.flag, s]));
  const found: [SettingKey, unknown, string][] = [];
  for (const [name, value] of Object.entries(json)) {
    const setting = byFlag.get(name);
    if (setting === undefined) {
      throw new ConfigError(`${path}: unknown key "${name}" (keys are the flag names)`);
    }
    if (value !== null) found.push([setting.key, value, `${path} key "${name}"`]);
  }
  return found;
}

function toConfig(settings: Settings, sources: ReadonlyMap<SettingKey, Source>): Config {
  const limits: NetLimits = {
    ...DEFAULT_LIMITS,
    maxFrameBytes: settings.maxFrameBytes,
    ratePerSecond: settings.rate,
    rateBurst: settings.rateBurst,
    maxConnectionsPerRoom: settings.maxConnectionsPerRoom,
    maxConnectionsPerAddress: settings.maxConnectionsPerAddress,
    // An address holding N sockets can sit in N rooms; more rooms than that are tables nobody is at.
    maxRoomsPerAddress: settings.maxRoomsPerAddress ?? settings.maxConnectionsPerAddress,
    heartbeatMs: settings.heartbeatMs,
    idleTimeoutMs: settings.idleTimeoutMs,
    sendBufferBytes: settings.sendBufferBytes,
    resumeBufferEvents: settings.resumeBufferEvents,
    resumeBufferBytes: settings.resumeBufferBytes,
  };
  if (!sources.has("heartbeatMs")) {
    // Only the idle timeout was shortened: ping often enough that a client answering pings stays.
    limits.heartbeatMs = Math.min(limits.heartbeatMs, Math.floor(limits.idleTimeoutMs / 2));
  } else if (limits.heartbeatMs >= limits.idleTimeoutMs) {
    throw new ConfigError(
      `the heartbeat (${limits.heartbeatMs} ms) must be shorter than the idle timeout (${limits.idleTimeoutMs} ms)`,
    );
  }
  // The warning goes out a quarter of the idle timeout before the close, and never earlier than 15 s before.
  limits.idleWarningMs = Math.min(DEFAULT_LIMITS.idleWarningMs, Math.floor(limits.idleTimeoutMs / 4));
  if ((settings.tlsCert === undefined) !== (settings.tlsKey === undefined)) {
    const given = sources.get(settings.tlsCert === undefined ? "tlsKey" : "tlsCert")?.label;
    throw new ConfigError(`${given}: TLS needs both a certificate (--tls-cert) and a key (--tls-key)`);
  }
  return {
    host: settings.host,
    port: settings.port,
    maxRooms: settings.maxRooms,
    limits,
    dataDir: settings.dataDir,
    log: { level: settings.logLevel, format: settings.logFormat },
    tls: settings.tlsCert !== undefined && settings.tlsKey !== undefined
      ? { certFile: settings.tlsCert, keyFile: settings.tlsKey }
      : null,
    allowedOrigins: settings.allowedOrigins,
    trustedProxies: settings.trustedProxies,
    adminToken: settings.adminToken ?? null,
    http: { maxBodyBytes: settings.maxBodyBytes, maxHeaderBytes: settings.maxHeaderBytes },
    cluster: clusterConfig(settings),
  };
}

/** All four cluster settings, or none: half a cluster configuration is a mistake worth stopping for. */
function clusterConfig(settings: Settings): ClusterConfig | null {
  const { redisUrl, nodeId, publicUrl, clusterSecret: secret } = settings;
  if (redisUrl === undefined && nodeId === undefined && publicUrl === undefined && secret === undefined) {
    return null;
  }
  if (redisUrl === undefined) {
    throw new ConfigError("--node-id, --public-url and --cluster-secret need --redis-url");
  }
  if (nodeId === undefined || publicUrl === undefined || secret === undefined) {
    const missing = [
      nodeId === undefined ? "--node-id" : null,
      publicUrl === undefined ? "--public-url" : null,
      secret === undefined ? "--cluster-secret (or LIAPTUI_CLUSTER_SECRET)" : null,
    ].filter((m) => m !== null);
    throw new ConfigError(`cluster mode (--redis-url) also needs ${missing.join(", ")}`);
  }
  return { redisUrl, nodeId, publicUrl: publicUrl.replace(/\/+$/, ""), secret };
}

/**
 * The effective settings as a config file would hold them (so the output can be saved as one), with
 * derived values filled in and secrets masked.
 */
function printSettings(settings: Settings, config: Config): string {
  const effective: Settings = {
    ...settings,
    heartbeatMs: config.limits.heartbeatMs,
    maxRoomsPerAddress: config.limits.maxRoomsPerAddress,
  };
  const out: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    const value = effective[setting.key];
    out[setting.flag] = value === undefined ? null : setting.secret ? "********" : value;
  }
  return JSON.stringify(out, null, 2);
}
