// parseConfig: defaults, environment, flags (which win), help and version, and one-line errors.

import assert from "node:assert/strict";
import { type Config, type ConfigResult, parseConfig, VERSION } from "../src/config.ts";
import { DEFAULT_LIMITS } from "../src/net/limits.ts";

function envOf(vars: Record<string, string> = {}): (name: string) => string | undefined {
  return (name) => vars[name];
}

/** A reader of the in-memory `files`; any other path is missing, as the real reader would say. */
function withFile(files: Record<string, string>) {
  return (path: string): string => {
    const text = files[path];
    if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
    return text;
  };
}

/** parseConfig with flags `argv`, environment `vars` and config files `files`. */
function parse(
  argv: string[],
  vars: Record<string, string> = {},
  files: Record<string, string> = {},
): ConfigResult {
  return parseConfig(argv, envOf(vars), withFile(files));
}

/** The config to run with; throws if parsing gave anything else. */
function run(argv: string[], vars: Record<string, string> = {}, files: Record<string, string> = {}): Config {
  const result = parse(argv, vars, files);
  if (result.kind !== "run") throw new Error(`expected a config, got ${JSON.stringify(result)}`);
  return result.config;
}

/** The refusal's message, checked to be one non-empty line; throws if parsing did not refuse. */
function refusal(
  argv: string[],
  vars: Record<string, string> = {},
  files: Record<string, string> = {},
): string {
  const result = parse(argv, vars, files);
  if (result.kind !== "error") throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  assert.ok(!result.message.includes("\n"), `one line: ${result.message}`);
  assert.ok(result.message.length > 0);
  return result.message;
}

Deno.test("parseConfig() without flags or env listens on 0.0.0.0:8080 with the contract's limits", () => {
  const config = run([]);
  assert.equal(config.port, 8080);
  assert.equal(config.host, "0.0.0.0");
  assert.equal(config.maxRooms, 10_000);
  assert.deepEqual(config.limits, DEFAULT_LIMITS);
});

Deno.test("parseConfig() never changes the shared default limits", () => {
  run(["--rate", "5", "--idle-timeout-ms", "1000"]);
  assert.equal(DEFAULT_LIMITS.ratePerSecond, 20);
  assert.equal(run([]).limits.idleWarningMs, 15_000);
});

Deno.test("parseConfig() reads the environment", () => {
  const config = run([], {
    PORT: "9001",
    HOST: "127.0.0.1",
    LIAPTUI_MAX_FRAME_BYTES: "4096",
    LIAPTUI_RATE: "5",
    LIAPTUI_RATE_BURST: "9",
    LIAPTUI_MAX_CONNECTIONS_PER_ROOM: "7",
    LIAPTUI_MAX_CONNECTIONS_PER_ADDRESS: "3",
    LIAPTUI_HEARTBEAT_MS: "1000",
    LIAPTUI_SEND_BUFFER_BYTES: "2048",
    LIAPTUI_MAX_ROOMS: "12",
  });
  assert.equal(config.port, 9001);
  assert.equal(config.host, "127.0.0.1");
  assert.equal(config.maxRooms, 12);
  assert.equal(config.limits.maxFrameBytes, 4096);
  assert.equal(config.limits.ratePerSecond, 5);
  assert.equal(config.limits.rateBurst, 9);
  assert.equal(config.limits.maxConnectionsPerRoom, 7);
  assert.equal(config.limits.maxConnectionsPerAddress, 3);
  assert.equal(config.limits.heartbeatMs, 1000);
  assert.equal(config.limits.sendBufferBytes, 2048);
});

Deno.test("parseConfig() ignores an empty environment variable", () => {
  assert.equal(run([], { PORT: "" }).port, 8080);
});

Deno.test("parseConfig() lets flags win over the environment", () => {
  const config = run(["--port", "9100", "--host", "::1"], { PORT: "9001", HOST: "127.0.0.1" });
  assert.equal(config.port, 9100);
  assert.equal(config.host, "::1");
});

Deno.test("parseConfig() accepts --flag=value, --flag value and -p", () => {
  assert.equal(run(["--port=9000"]).port, 9000);
  assert.equal(run(["--port", "9000"]).port, 9000);
  assert.equal(run(["-p", "9000"]).port, 9000);
  assert.equal(run(["--port=0"]).port, 0);
  assert.equal(run(["--rate-burst=80", "--rate=30"]).limits.rateBurst, 80);
});

Deno.test("parseConfig() keeps the idle warning inside a short idle timeout", () => {
  const limits = run(["--idle-timeout-ms", "2000"]).limits;
  assert.equal(limits.idleTimeoutMs, 2000);
  assert.ok(limits.idleWarningMs < limits.idleTimeoutMs);
  assert.equal(limits.idleWarningMs, 500);
});

Deno.test("parseConfig() answers --help and -h with the usage text", () => {
  for (const flag of ["--help", "-h"]) {
    const result = parse(["--port", "1", flag]);
    if (result.kind !== "help") throw new Error(`${flag} gave ${result.kind}`);
    assert.match(result.text, /Usage: liaptui/);
    for (const option of ["--port", "--host", "--rate", "--max-rooms", "PORT", "LIAPTUI_RATE"]) {
      assert.ok(result.text.includes(option), `help mentions ${option}`);
    }
  }
});

Deno.test("parseConfig() answers --version and -v with the version", () => {
  for (const flag of ["--version", "-v"]) {
    assert.deepEqual(parse([flag]), { kind: "version", text: `liaptui ${VERSION}` });
  }
});

Deno.test("parseConfig() answers --help and --version even when the environment or other flags are broken", () => {
  // A user asking for help must get it, whatever PORT says.
  assert.equal(parse(["--help"], { PORT: "lots" }).kind, "help");
  assert.equal(parse(["--colour", "red", "-h"]).kind, "help");
  assert.equal(parse(["--version"], { LIAPTUI_RATE: "0" }).kind, "version");
});

const errors: { name: string; argv: string[]; env?: Record<string, string>; mentions: string }[] = [
  { name: "an unknown flag", argv: ["--colour", "red"], mentions: "--colour" },
  { name: "a bare word", argv: ["serve"], mentions: "serve" },
  { name: "a flag without its value", argv: ["--port"], mentions: "--port" },
  { name: "a port that is not a number", argv: ["--port", "http"], mentions: "--port" },
  { name: "a port out of range", argv: ["--port=70000"], mentions: "--port" },
  { name: "a negative port", argv: ["--port=-1"], mentions: "--port" },
  { name: "a fractional rate", argv: ["--rate", "1.5"], mentions: "--rate" },
  { name: "a zero rate", argv: ["--rate", "0"], mentions: "--rate" },
  { name: "a host with a space", argv: ["--host", "my host"], mentions: "--host" },
  { name: "an empty flag value", argv: ["--port="], mentions: "--port" },
  { name: "a bad PORT in the environment", argv: [], env: { PORT: "eighty" }, mentions: "PORT" },
  { name: "a bad rate in the environment", argv: [], env: { LIAPTUI_RATE: "0" }, mentions: "LIAPTUI_RATE" },
];

for (const { name, argv, env, mentions } of errors) {
  Deno.test(`parseConfig() answers ${name} with a one-line error naming ${mentions}`, () => {
    assert.ok(refusal(argv, env).includes(mentions));
  });
}

Deno.test("a heartbeat as long as the idle timeout is refused, since answering pings could not keep a socket", () => {
  assert.match(
    refusal(["--heartbeat-ms", "5000", "--idle-timeout-ms", "5000"]),
    /shorter than the idle timeout/,
  );
});

Deno.test("the idle warning is a quarter of the idle timeout whatever order env and flags set it in", () => {
  const fromFlag = run(["--idle-timeout-ms", "2000", "--heartbeat-ms", "500"]);
  const fromEnv = run(["--heartbeat-ms", "500"], { LIAPTUI_IDLE_TIMEOUT_MS: "2000" });
  for (const config of [fromFlag, fromEnv]) assert.equal(config.limits.idleWarningMs, 500);
});

Deno.test("shortening only the idle timeout brings the heartbeat down to half of it", () => {
  assert.equal(run(["--idle-timeout-ms", "4000"]).limits.heartbeatMs, 2000);
});

Deno.test("parseConfig() sets the resume buffer from flags and the environment, 0 turning it off", () => {
  const config = run(["--resume-buffer-events", "0"], { LIAPTUI_RESUME_BUFFER_BYTES: "4096" });
  assert.equal(config.limits.resumeBufferEvents, 0);
  assert.equal(config.limits.resumeBufferBytes, 4096);
  assert.equal(run([]).limits.resumeBufferEvents, 1_000);
});

// ---- config file, precedence, the new settings, --print-config -------------------------------------------

const FILE = JSON.stringify({ port: 7001, rate: 7, "max-rooms": 70, "log-level": "warn" });

Deno.test("a setting comes from the flag, else the environment, else the config file, else the default", () => {
  const files = { "liaptui.json": FILE };
  const all = run(
    ["--config", "liaptui.json", "--port", "9001"],
    { PORT: "8001", LIAPTUI_RATE: "8" },
    files,
  );
  assert.equal(all.port, 9001, "flag beats env and file");
  assert.equal(all.limits.ratePerSecond, 8, "env beats file");
  assert.equal(all.maxRooms, 70, "file beats default");
  assert.equal(all.log.level, "warn");
  assert.equal(all.limits.rateBurst, DEFAULT_LIMITS.rateBurst, "default when nobody says");
  assert.equal(all.dataDir, "./data");
  const viaEnv = run([], { LIAPTUI_CONFIG: "liaptui.json", PORT: "8001" }, files);
  assert.equal(viaEnv.port, 8001);
  assert.equal(viaEnv.maxRooms, 70, "LIAPTUI_CONFIG names the file too");
});

Deno.test("the config file takes the flag names as keys, lists as arrays, and null as not set", () => {
  const config = run(["--config", "c.json"], {}, {
    "c.json": JSON.stringify({
      "data-dir": "/var/lib/liaptui",
      "allowed-origins": ["https://play.example.org"],
      "trusted-proxies": ["127.0.0.1", "10.0.0.0/8", "::1"],
      "admin-token": "0123456789abcdef0123",
      "tls-cert": null,
      "log-format": "json",
    }),
  });
  assert.equal(config.dataDir, "/var/lib/liaptui");
  assert.deepEqual(config.allowedOrigins, ["https://play.example.org"]);
  assert.deepEqual(config.trustedProxies, ["127.0.0.1", "10.0.0.0/8", "::1"]);
  assert.equal(config.adminToken, "0123456789abcdef0123");
  assert.equal(config.tls, null);
  assert.equal(config.log.format, "json");
});

Deno.test("lists from flags and the environment are comma-separated", () => {
  const config = run(["--allowed-origins", "https://a.example, https://b.example:8443"], {
    LIAPTUI_TRUSTED_PROXIES: "192.168.1.0/24,fd00::1",
  });
  assert.deepEqual(config.allowedOrigins, ["https://a.example", "https://b.example:8443"]);
  assert.deepEqual(config.trustedProxies, ["192.168.1.0/24", "fd00::1"]);
});

Deno.test("the new settings have safe defaults: no TLS, no admin, no proxies, own origin only", () => {
  const config = run([]);
  assert.equal(config.tls, null);
  assert.equal(config.adminToken, null);
  assert.deepEqual(config.trustedProxies, []);
  assert.deepEqual(config.allowedOrigins, []);
  assert.deepEqual(config.log, { level: "info", format: "auto" });
  assert.deepEqual(config.http, { maxBodyBytes: 65536, maxHeaderBytes: 16384 });
  assert.equal(config.limits.maxRoomsPerAddress, config.limits.maxConnectionsPerAddress);
  assert.equal(run(["--max-connections-per-address", "9"]).limits.maxRoomsPerAddress, 9);
  assert.equal(run(["--max-rooms-per-address", "3"]).limits.maxRoomsPerAddress, 3);
});

Deno.test("TLS takes a certificate and a key together", () => {
  assert.deepEqual(run(["--tls-cert", "c.pem", "--tls-key", "k.pem"]).tls, {
    certFile: "c.pem",
    keyFile: "k.pem",
  });
  assert.match(refusal(["--tls-cert", "c.pem"]), /^--tls-cert: TLS needs both/);
  assert.match(refusal([], { LIAPTUI_TLS_KEY: "k.pem" }), /^LIAPTUI_TLS_KEY: TLS needs both/);
});

const invalid: {
  name: string;
  argv?: string[];
  env?: Record<string, string>;
  file?: unknown;
  message: string;
}[] = [
  { name: "unknown flag", argv: ["--bogus"], message: "unknown option --bogus (try --help)" },
  { name: "flag without value", argv: ["--port"], message: "--port needs a value (try --help)" },
  { name: "value on a switch", argv: ["--print-config=yes"], message: "--print-config takes no value" },
  {
    name: "positional word",
    argv: ["serve"],
    message: 'unexpected argument "serve" (options start with --; try --help)',
  },
  { name: "port text", argv: ["--port", "http"], message: '--port: expected a whole number, got "http"' },
  { name: "port range", argv: ["-p", "70000"], message: "--port: expected 0–65535, got 70000" },
  { name: "env port", env: { PORT: "x" }, message: 'PORT: expected a whole number, got "x"' },
  { name: "file port", file: { port: 70000 }, message: 'c.json key "port": expected 0–65535, got 70000' },
  {
    name: "file fraction",
    file: { rate: 1.5 },
    message: 'c.json key "rate": expected a whole number, got 1.5',
  },
  { name: "host", argv: ["--host", "a b"], message: '--host: not a host name or address: "a b"' },
  { name: "file host type", file: { host: 5 }, message: 'c.json key "host": expected text, got 5' },
  {
    name: "log level",
    argv: ["--log-level", "loud"],
    message: '--log-level: expected one of debug, info, warn, error, got "loud"',
  },
  {
    name: "log format",
    env: { LIAPTUI_LOG_FORMAT: "xml" },
    message: 'LIAPTUI_LOG_FORMAT: expected one of auto, json, text, got "xml"',
  },
  { name: "data dir", file: { "data-dir": "  " }, message: 'c.json key "data-dir": must not be empty' },
  {
    name: "origin with a path",
    argv: ["--allowed-origins", "https://a.example/x"],
    message: '--allowed-origins: not an origin (scheme://host[:port], no path) or *: "https://a.example/x"',
  },
  {
    name: "origins not a list",
    file: { "allowed-origins": 3 },
    message: 'c.json key "allowed-origins": expected a comma-separated list or an array of text, got 3',
  },
  {
    name: "proxy",
    env: { LIAPTUI_TRUSTED_PROXIES: "10.0.0.0/33" },
    message: 'LIAPTUI_TRUSTED_PROXIES: not an address or CIDR range: "10.0.0.0/33"',
  },
  {
    name: "proxy name",
    argv: ["--trusted-proxies", "proxy.local"],
    message: '--trusted-proxies: not an IPv4 address, IPv4 CIDR range or IPv6 address: "proxy.local"',
  },
  {
    name: "short admin token",
    env: { LIAPTUI_ADMIN_TOKEN: "short" },
    message: "LIAPTUI_ADMIN_TOKEN: must be at least 16 characters (a long random string)",
  },
  {
    name: "admin token flag",
    argv: ["--admin-token", "0123456789abcdef"],
    message: "--admin-token is not taken on the command line, where other users could read it: set " +
      "LIAPTUI_ADMIN_TOKEN",
  },
  {
    name: "max rooms per address",
    argv: ["--max-rooms-per-address=0"],
    message: "--max-rooms-per-address: expected 1–1000000, got 0",
  },
  {
    name: "body limit",
    env: { LIAPTUI_MAX_BODY_BYTES: "10" },
    message: "LIAPTUI_MAX_BODY_BYTES: expected 1024–67108864, got 10",
  },
  {
    name: "header limit",
    argv: ["--max-header-bytes", "1e6"],
    message: '--max-header-bytes: expected a whole number, got "1e6"',
  },
  {
    name: "unknown file key",
    file: { colour: "red" },
    message: 'c.json: unknown key "colour" (keys are the flag names)',
  },
  {
    name: "config key in the file",
    file: { config: "x.json" },
    message: 'c.json: unknown key "config" (keys are the flag names)',
  },
  { name: "file not an object", file: [1], message: "c.json: expected a JSON object of settings" },
];

for (const { name, argv = [], env = {}, file, message } of invalid) {
  Deno.test(`an invalid value (${name}) gets the one-line message naming its source`, () => {
    const files: Record<string, string> = file === undefined ? {} : { "c.json": JSON.stringify(file) };
    const args = file === undefined ? argv : ["--config", "c.json", ...argv];
    const got = refusal(args, env, files);
    assert.equal(got, message);
  });
}

Deno.test("a quoted number in the config file is read like one on the command line", () => {
  assert.equal(run(["--config", "c.json"], {}, { "c.json": '{"port": "80"}' }).port, 80);
});

Deno.test("a config file that cannot be read or parsed is named in a one-line error", () => {
  assert.match(refusal(["--config", "missing.json"]), /^--config: cannot read missing\.json: ENOENT/);
  assert.match(
    refusal(["--config", "bad.json"], {}, { "bad.json": "{port: 1" }),
    /^bad\.json: not valid JSON \(/,
  );
});

Deno.test("--print-config prints the effective settings as a config file, secrets masked", () => {
  const result = parse(
    ["--config", "c.json", "--print-config", "--idle-timeout-ms", "4000"],
    { LIAPTUI_ADMIN_TOKEN: "a-very-secret-admin-token" },
    { "c.json": FILE },
  );
  assert.equal(result.kind, "print");
  const text = result.kind === "print" ? result.text : "";
  assert.ok(!text.includes("a-very-secret-admin-token"), "the token is masked");
  const printed = JSON.parse(text) as Record<string, unknown>;
  assert.equal(printed["admin-token"], "********");
  assert.equal(printed["port"], 7001);
  assert.equal(printed["rate"], 7);
  assert.equal(printed["idle-timeout-ms"], 4000);
  assert.equal(printed["heartbeat-ms"], 2000, "derived values are shown as they take effect");
  assert.equal(printed["max-rooms-per-address"], 50);
  assert.equal(printed["tls-cert"], null);
  assert.equal(printed["data-dir"], "./data");
  // What it prints is a config file that gives the same server back (the token aside).
  const again = parse(["--config", "printed.json"], {}, {
    "printed.json": JSON.stringify({ ...printed, "admin-token": null }),
  });
  assert.equal(again.kind, "run");
  if (again.kind === "run") {
    assert.equal(again.config.port, 7001);
    assert.equal(again.config.limits.heartbeatMs, 2000);
  }
});

Deno.test("parseConfig() keeps the database in ./data unless --data-dir or LIAPTUI_DATA_DIR says otherwise", () => {
  assert.equal(run([]).dataDir, "./data");
  assert.equal(run([], { LIAPTUI_DATA_DIR: "/var/lib/liaptui" }).dataDir, "/var/lib/liaptui");
  assert.equal(run(["--data-dir", "/srv/x"], { LIAPTUI_DATA_DIR: "/var/lib/liaptui" }).dataDir, "/srv/x");
  assert.equal(run(["--data-dir=:memory:"]).dataDir, ":memory:");
});
