// parseConfig: defaults, environment, flags (which win), help and version, and one-line errors.

import assert from "node:assert/strict";
import { type Config, type ConfigResult, parseConfig, VERSION } from "../src/config.ts";
import { DEFAULT_LIMITS } from "../src/net/limits.ts";

function envOf(vars: Record<string, string> = {}): (name: string) => string | undefined {
  return (name) => vars[name];
}

function run(argv: string[], vars: Record<string, string> = {}): Config {
  const result = parseConfig(argv, envOf(vars));
  if (result.kind !== "run") throw new Error(`expected a config, got ${JSON.stringify(result)}`);
  return result.config;
}

function problem(argv: string[], vars: Record<string, string> = {}): string {
  const result: ConfigResult = parseConfig(argv, envOf(vars));
  if (result.kind !== "error") throw new Error(`expected an error, got ${result.kind}`);
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
    const result = parseConfig(["--port", "1", flag], envOf());
    assert.equal(result.kind, "help");
    if (result.kind !== "help") continue;
    assert.match(result.text, /Usage: liaptui/);
    for (const option of ["--port", "--host", "--rate", "--max-rooms", "PORT", "LIAPTUI_RATE"]) {
      assert.ok(result.text.includes(option), `help mentions ${option}`);
    }
  }
});

Deno.test("parseConfig() answers --version and -v with the version", () => {
  for (const flag of ["--version", "-v"]) {
    assert.deepEqual(parseConfig([flag], envOf()), { kind: "version", text: `liaptui ${VERSION}` });
  }
});

Deno.test("parseConfig() answers --help and --version even when the environment or other flags are broken", () => {
  // A user asking for help must get it, whatever PORT says.
  assert.equal(parseConfig(["--help"], envOf({ PORT: "lots" })).kind, "help");
  assert.equal(parseConfig(["--colour", "red", "-h"], envOf()).kind, "help");
  assert.equal(parseConfig(["--version"], envOf({ LIAPTUI_RATE: "0" })).kind, "version");
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
    assert.ok(problem(argv, env).includes(mentions));
  });
}

Deno.test("a heartbeat as long as the idle timeout is refused, since answering pings could not keep a socket", () => {
  const result = parseConfig(["--heartbeat-ms", "5000", "--idle-timeout-ms", "5000"], () => undefined);
  assert.equal(result.kind, "error");
  assert.match(result.kind === "error" ? result.message : "", /shorter than the idle timeout/);
});

Deno.test("the idle warning is a quarter of the idle timeout whatever order env and flags set it in", () => {
  const fromFlag = parseConfig(["--idle-timeout-ms", "2000", "--heartbeat-ms", "500"], () => undefined);
  const fromEnv = parseConfig(
    ["--heartbeat-ms", "500"],
    (name) => name === "LIAPTUI_IDLE_TIMEOUT_MS" ? "2000" : undefined,
  );
  for (const result of [fromFlag, fromEnv]) {
    assert.equal(result.kind, "run");
    if (result.kind === "run") assert.equal(result.config.limits.idleWarningMs, 500);
  }
});

Deno.test("shortening only the idle timeout brings the heartbeat down to half of it", () => {
  const result = parseConfig(["--idle-timeout-ms", "4000"], () => undefined);
  assert.equal(result.kind, "run");
  if (result.kind === "run") assert.equal(result.config.limits.heartbeatMs, 2000);
});

Deno.test("parseConfig() keeps the database in ./data unless --data-dir or LIAPTUI_DATA_DIR says otherwise", () => {
  assert.equal(run([]).dataDir, "./data");
  assert.equal(run([], { LIAPTUI_DATA_DIR: "/var/lib/liaptui" }).dataDir, "/var/lib/liaptui");
  assert.equal(run(["--data-dir", "/srv/x"], { LIAPTUI_DATA_DIR: "/var/lib/liaptui" }).dataDir, "/srv/x");
  assert.equal(run(["--data-dir=:memory:"]).dataDir, ":memory:");
});
