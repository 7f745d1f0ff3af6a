// Every setting once: its flag, environment variable and config-file key, its help line, and the valibot
// schema that checks a raw value from any of the three sources. Data only; `config.ts` does the reading.

import * as v from "valibot";
import { DEFAULT_LIMITS } from "./net/limits.ts";

/** A raw value as a source hands it over: flags and env give strings, a config file gives JSON values. */
type Raw = unknown;

function show(raw: Raw): string {
  return typeof raw === "string" ? `"${raw}"` : JSON.stringify(raw) ?? String(raw);
}

function wholeNumber(min: number, max: number) {
  return v.pipe(
    v.unknown(),
    v.rawTransform<Raw, number>(({ dataset, addIssue, NEVER }) => {
      const raw = dataset.value;
      const value = typeof raw === "number"
        ? raw
        : typeof raw === "string" && /^\d+$/.test(raw)
        ? Number(raw)
        : NaN;
      if (!Number.isInteger(value)) {
        addIssue({ message: `expected a whole number, got ${show(raw)}` });
        return NEVER;
      }
      if (value < min || value > max) {
        addIssue({ message: `expected ${min}–${max}, got ${value}` });
        return NEVER;
      }
      return value;
    }),
  );
}

function text(check: (value: string) => string | null) {
  return v.pipe(
    v.unknown(),
    v.rawTransform<Raw, string>(({ dataset, addIssue, NEVER }) => {
      const raw = dataset.value;
      if (typeof raw !== "string") {
        addIssue({ message: `expected text, got ${show(raw)}` });
        return NEVER;
      }
      const problem = check(raw);
      if (problem !== null) {
        addIssue({ message: problem });
        return NEVER;
      }
      return raw;
    }),
  );
}

function oneOf<const T extends string>(choices: readonly T[]) {
  return v.pipe(
    v.unknown(),
    v.rawTransform<Raw, T>(({ dataset, addIssue, NEVER }) => {
      const raw = dataset.value;
      const found = choices.find((choice) => choice === raw);
      if (found === undefined) {
        addIssue({ message: `expected one of ${choices.join(", ")}, got ${show(raw)}` });
        return NEVER;
      }
      return found;
    }),
  );
}

/** A list: comma-separated text (flags, env) or an array of strings (config file). */
function list(check: (item: string) => string | null) {
  return v.pipe(
    v.unknown(),
    v.rawTransform<Raw, string[]>(({ dataset, addIssue, NEVER }) => {
      const raw = dataset.value;
      const items = typeof raw === "string"
        ? raw.split(",").map((s) => s.trim()).filter((s) => s !== "")
        : Array.isArray(raw) && raw.every((s) => typeof s === "string")
        ? raw.map((s) => s.trim())
        : null;
      if (items === null) {
        addIssue({ message: `expected a comma-separated list or an array of text, got ${show(raw)}` });
        return NEVER;
      }
      for (const item of items) {
        const problem = check(item);
        if (problem !== null) {
          addIssue({ message: problem });
          return NEVER;
        }
      }
      return items;
    }),
  );
}

const HOST = /^[A-Za-z0-9.:[\]-]+$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function hostName(value: string): string | null {
  return HOST.test(value) ? null : `not a host name or address: "${value}"`;
}

function nonEmpty(value: string): string | null {
  return value.trim() === "" ? "must not be empty" : null;
}

function origin(value: string): string | null {
  if (value === "*") return null;
  try {
    const url = new URL(value);
    if ((url.protocol === "http:" || url.protocol === "https:") && url.origin === value) return null;
  } catch {
    // Not a URL at all: answered below like any other malformed origin.
  }
  return `not an origin (scheme://host[:port], no path) or *: "${value}"`;
}

function proxy(value: string): string | null {
  const [address, bits, extra] = value.split("/");
  if (extra !== undefined || address === undefined) return `not an address or CIDR range: "${value}"`;
  const v4 = IPV4.exec(address);
  if (v4 !== null) {
    const octetsOk = v4.slice(1).every((o) => Number(o) <= 255);
    const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= 32);
    return octetsOk && bitsOk ? null : `not an address or CIDR range: "${value}"`;
  }
  if (address.includes(":") && /^[0-9A-Fa-f:.]+$/.test(address) && bits === undefined) return null;
  return `not an IPv4 address, IPv4 CIDR range or IPv6 address: "${value}"`;
}

function redisUrl(value: string): string | null {
  return /^redis:\/\/[^\s]+$/.test(value) ? null : `expected redis://host:port, got "${value}"`;
}

function nodeId(value: string): string | null {
  return /^[A-Za-z0-9_-]{1,32}$/.test(value) ? null : `expected 1–32 of A–Z a–z 0–9 - _, got "${value}"`;
}

function publicUrl(value: string): string | null {
  try {
    const url = new URL(value);
    if ((url.protocol === "http:" || url.protocol === "https:") && url.search === "" && url.hash === "") {
      return null;
    }
  } catch {
    // Not a URL at all: answered below like any other unusable one.
  }
  return `expected an http(s) URL without query, got "${value}"`;
}

/** Below this a shared secret is guessable. */
export const MIN_CLUSTER_SECRET_LENGTH = 32;

function clusterSecret(value: string): string | null {
  return value.length >= MIN_CLUSTER_SECRET_LENGTH
    ? null
    : `must be at least ${MIN_CLUSTER_SECRET_LENGTH} characters long`;
}

function adminToken(value: string): string | null {
  return value.length >= 16 ? null : "must be at least 16 characters (a long random string)";
}

/** One setting. `flag` (without the dashes) is also its config-file key. */
export interface Setting {
  key: SettingKey;
  flag: string;
  /** Whether `--flag` works; secrets are kept off the command line, where `ps` would show them. */
  onCommandLine: boolean;
  short?: string;
  env: string;
  help: string;
  /** Masked by `--print-config`. */
  secret?: boolean;
}

/** The schema of every setting. A missing value takes the default given here. */
export const SettingsSchema = v.object({
  port: v.optional(wholeNumber(0, 65535), 8080),
  host: v.optional(text(hostName), "0.0.0.0"),
  dataDir: v.optional(text(nonEmpty), "./data"),
  logLevel: v.optional(oneOf(["debug", "info", "warn", "error"] as const), "info"),
  logFormat: v.optional(oneOf(["auto", "json", "text"] as const), "auto"),
  tlsCert: v.optional(text(nonEmpty)),
  tlsKey: v.optional(text(nonEmpty)),
  allowedOrigins: v.optional(list(origin), []),
  trustedProxies: v.optional(list(proxy), []),
  adminToken: v.optional(text(adminToken)),
  maxFrameBytes: v.optional(wholeNumber(256, 1 << 20), DEFAULT_LIMITS.maxFrameBytes),
  rate: v.optional(wholeNumber(1, 10_000), DEFAULT_LIMITS.ratePerSecond),
  rateBurst: v.optional(wholeNumber(1, 100_000), DEFAULT_LIMITS.rateBurst),
  maxConnectionsPerRoom: v.optional(wholeNumber(1, 100_000), DEFAULT_LIMITS.maxConnectionsPerRoom),
  maxConnectionsPerAddress: v.optional(wholeNumber(1, 1_000_000), DEFAULT_LIMITS.maxConnectionsPerAddress),
  heartbeatMs: v.optional(wholeNumber(100, 3_600_000), DEFAULT_LIMITS.heartbeatMs),
  idleTimeoutMs: v.optional(wholeNumber(200, 86_400_000), DEFAULT_LIMITS.idleTimeoutMs),
  sendBufferBytes: v.optional(wholeNumber(1024, 1 << 30), DEFAULT_LIMITS.sendBufferBytes),
  resumeBufferEvents: v.optional(wholeNumber(0, 1_000_000), DEFAULT_LIMITS.resumeBufferEvents),
  resumeBufferBytes: v.optional(wholeNumber(0, 1 << 30), DEFAULT_LIMITS.resumeBufferBytes),
  maxRooms: v.optional(wholeNumber(1, 1_000_000), 10_000),
  maxRoomsPerAddress: v.optional(wholeNumber(1, 1_000_000)),
  maxBodyBytes: v.optional(wholeNumber(1024, 1 << 26), 64 * 1024),
  maxHeaderBytes: v.optional(wholeNumber(1024, 1 << 20), 16 * 1024),
  // Cluster mode: all four or none, checked together in config.ts.
  redisUrl: v.optional(text(redisUrl)),
  nodeId: v.optional(text(nodeId)),
  publicUrl: v.optional(text(publicUrl)),
  clusterSecret: v.optional(text(clusterSecret)),
});

export type Settings = v.InferOutput<typeof SettingsSchema>;
export type SettingKey = keyof Settings;

/** `maxRoomsPerAddress` → `max-rooms-per-address`: a setting's flag and file key are its name in kebab case. */
function flagOf(key: SettingKey): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/**
 * One setting, named once: its flag and file key derive from `key`, its environment variable is `LIAPTUI_`
 * and the flag in upper snake case, unless `extra.env` names another (PORT and HOST, as hosts set them).
 */
const s = (key: SettingKey, help: string, extra: Partial<Setting> = {}): Setting => {
  const flag = flagOf(key);
  const env = `LIAPTUI_${flag.replaceAll("-", "_").toUpperCase()}`;
  return { key, flag, env, help, onCommandLine: true, ...extra };
};

/** In the order `--help` lists them. */
export const SETTINGS: readonly Setting[] = [
  s("port", "TCP port to listen on (default 8080; 0 picks a free one)", { short: "p", env: "PORT" }),
  s("host", "address to listen on (default 0.0.0.0)", { env: "HOST" }),
  s("dataDir", "folder for the game database (default ./data; :memory: keeps nothing)"),
  s("logLevel", "debug, info, warn or error (default info)"),
  s("logFormat", "json (one object a line), text, or auto: text on a terminal, else json"),
  s("tlsCert", "PEM certificate file: serve https/wss directly"),
  s("tlsKey", "PEM private key file for --tls-cert"),
  s(
    "allowedOrigins",
    "extra origins whose pages may open WebSockets, comma-separated, or * (own origin always allowed)",
  ),
  s(
    "trustedProxies",
    "proxy addresses or IPv4 CIDRs whose X-Forwarded-For / Forwarded is believed, comma-separated",
  ),
  s("adminToken", "enables /admin and /api/stats; env or config file only (at least 16 characters)", {
    onCommandLine: false,
    secret: true,
  }),
  s("maxFrameBytes", "largest accepted message (default 16384)"),
  s("rate", "messages per second per connection (default 20)"),
  s("rateBurst", "burst allowance per connection (default 40)"),
  s("maxConnectionsPerRoom", "room channel cap before newcomers queue (default 100)"),
  s("maxConnectionsPerAddress", "sockets per remote address (default 50)"),
  s("heartbeatMs", "server ping interval (default 30000)"),
  s("idleTimeoutMs", "close after this much silence (default 60000)"),
  s("sendBufferBytes", "per-connection send buffer before a slow consumer is closed (default 1048576)"),
  s(
    "resumeBufferEvents",
    "room events kept per room for resume (default 1000; 0 = resume always resends the state)",
  ),
  s("resumeBufferBytes", "bytes of room events kept per room for resume (default 262144)"),
  s("maxRooms", "open rooms at most (default 10000)"),
  s("maxRoomsPerAddress", "open rooms one address may have created (default: --max-connections-per-address)"),
  s("maxBodyBytes", "largest HTTP request body (default 65536)"),
  s("maxHeaderBytes", "largest total of HTTP request headers (default 16384)"),
  s("redisUrl", "cluster mode: Redis 7+ shared by every node (redis://host:port); off when unset"),
  s("nodeId", "cluster mode: this node's id, unique in the cluster (letters, digits, - and _)"),
  s("publicUrl", "cluster mode: where players reach this node directly (https://a.example.com)"),
  s(
    "clusterSecret",
    `cluster mode: secret shared by every node, ${MIN_CLUSTER_SECRET_LENGTH}+ characters (prefer the env variable)`,
    { secret: true },
  ),
];
