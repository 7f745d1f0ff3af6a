// createLogger: JSON lines with fields, readable text lines, the level filter, and errors with their stack
// in the log only.

import assert from "node:assert/strict";
import { createLogger, type LogLevel } from "../../src/net/logger.ts";

function capture(level: LogLevel, format: "json" | "text") {
  const lines: string[] = [];
  const log = createLogger({
    level,
    format,
    write: (line) => lines.push(line),
    now: () => Date.UTC(2026, 0, 2),
  });
  return { log, lines };
}

Deno.test("json lines are one object each, with time, level, message and the fields given", () => {
  const { log, lines } = capture("info", "json");
  log.info("connection closed", { room: "R1", connection: "c1-ab", code: 1000 });
  assert.equal(lines.length, 1);
  assert.deepEqual(JSON.parse(lines[0]!), {
    time: "2026-01-02T00:00:00.000Z",
    level: "info",
    msg: "connection closed",
    room: "R1",
    connection: "c1-ab",
    code: 1000,
  });
});

Deno.test("messages below the level are dropped", () => {
  const { log, lines } = capture("warn", "json");
  log.debug("a");
  log.info("b");
  log.warn("c");
  log.error("d");
  assert.deepEqual(lines.map((l) => JSON.parse(l).msg), ["c", "d"]);
});

Deno.test("text lines are readable: level, message, key=value, quoted when spaced", () => {
  const { log, lines } = capture("debug", "text");
  log.debug("upgrade refused", { origin: "https://evil.example", reason: "not allowed", skipped: undefined });
  assert.equal(lines[0], 'DEBUG upgrade refused origin=https://evil.example reason="not allowed"');
});

Deno.test("an error's message and stack go into the log line", () => {
  const { log, lines } = capture("info", "json");
  log.error("handler bug", { ref: "abc" }, new Error("boom"));
  const line = JSON.parse(lines[0]!);
  assert.equal(line.error, "boom");
  assert.match(line.stack, /Error: boom/);
  assert.equal(lines[0]!.includes("\n"), false, "still one line");
});
