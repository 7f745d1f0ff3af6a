// The composition root: reads config, builds logger and metrics, opens the store and rebuilds the rooms it
// holds, builds registry, rooms and app, starts the runtime's server, and registers what /readyz waits for.

import { readFileSync } from "node:fs";
import process from "node:process";
import { type Config, parseConfig, VERSION } from "./src/config.ts";
import { createApp } from "./src/http/app.ts";
import { EventLoopLag } from "./src/http/event_loop_lag.ts";
import { renderMetrics } from "./src/http/prometheus.ts";
import { Readiness } from "./src/http/readiness.ts";
import { Gateway } from "./src/net/gateway.ts";
import { createLogger, type Logger } from "./src/net/logger.ts";
import { Metrics } from "./src/net/metrics.ts";
import { Operator } from "./src/net/operator.ts";
import { realClock } from "./src/rooms/clock.ts";
import { RoomDirectory } from "./src/rooms/room_directory.ts";
import { StoreJournals } from "./src/rooms/room_journal.ts";
import type { Runtime } from "./src/runtime/runtime.ts";
import { memoryStore } from "./src/store/memory_store.ts";
import type { Store } from "./src/store/ports.ts";
import { openSqliteStore } from "./src/store/sqlite_store.ts";

async function loadRuntime(): Promise<Runtime> {
  if ("Bun" in globalThis) return (await import("./src/runtime/bun.ts")).bunRuntime();
  return (await import("./src/runtime/deno.ts")).denoRuntime();
}

function makeLogger(config: Config): Logger {
  const format = config.log.format === "auto" ? (process.stdout.isTTY ? "text" : "json") : config.log.format;
  return createLogger({
    level: config.log.level,
    format,
    // Everything goes to stdout, one line each, so a supervisor (systemd, docker) keeps one ordered stream.
    write: (line) => console.log(line),
    now: realClock.now,
  });
}

/** The configured store; throws StoreError with a one-line reason when it cannot be used. */
function openStore(dataDir: string, log: Logger): Store {
  if (dataDir === ":memory:") {
    log.warn("liaptui: --data-dir :memory: keeps rooms and games in memory only; a restart loses them");
    return memoryStore();
  }
  return openSqliteStore(dataDir);
}

async function run(runtime: Runtime, config: Config): Promise<void> {
  const startedAt = realClock.now();
  const log = makeLogger(config);
  const metrics = new Metrics();
  const readiness = new Readiness();
  const lag = new EventLoopLag(realClock.now);
  const store = openStore(config.dataDir, log);
  let storeOpen = true;
  const journals = new StoreJournals(store);
  const gateway = new Gateway({
    clock: realClock,
    limits: config.limits,
    pubsub: runtime.pubsub,
    metrics,
    log,
    directory: (delivery) =>
      new RoomDirectory({
        clock: realClock,
        output: delivery,
        lobby: delivery,
        maxRooms: config.maxRooms,
        journals,
      }),
  });
  const restored = await gateway.directory.restore();
  if (restored.rooms > 0 || restored.failed.length > 0) {
    log.info(
      `liaptui: rebuilt ${restored.rooms} room(s) from ${restored.entries} stored action(s)` +
        (restored.failed.length > 0
          ? `; ${restored.failed.length} could not be rebuilt and were closed`
          : ""),
    );
  }
  let listening = false;
  // /readyz: every check must pass. The store is ready once its rooms are rebuilt, until shutdown closes it.
  readiness.add("accepting", () => listening && gateway.accepting);
  readiness.add("store", () => storeOpen);
  const app = createApp({
    gateway,
    upgradeWebSocket: runtime.upgradeWebSocket,
    transportOf: runtime.transportOf,
    remoteAddress: runtime.remoteAddress,
    version: VERSION,
    startedAt,
    now: realClock.now,
    allowedOrigins: config.allowedOrigins,
    trustedProxies: config.trustedProxies,
    limits: config.http,
    log,
    games: store.archive,
    ops: {
      readiness,
      operator: new Operator(gateway, realClock, log),
      adminToken: config.adminToken,
      metricsText: () =>
        renderMetrics({
          gateway,
          lag,
          version: VERSION,
          runtime: runtime.name,
          uptimeSeconds: () => (realClock.now() - startedAt) / 1000,
        }),
    },
  });
  const tls = config.tls === null
    ? undefined
    : { cert: readFileSync(config.tls.certFile, "utf8"), key: readFileSync(config.tls.keyFile, "utf8") };
  const server = runtime.serve(app.fetch, {
    host: config.host,
    port: config.port,
    limits: config.limits,
    tls,
    maxBodyBytes: config.http.maxBodyBytes,
  });
  gateway.start();
  lag.start();
  listening = true;
  const shown = server.hostname.includes(":") ? `[${server.hostname}]` : server.hostname;
  const scheme = tls === undefined ? "http" : "https";
  log.info(
    store.kind === "sqlite"
      ? `liaptui: games are stored in ${config.dataDir}`
      : `liaptui: games are kept in ${store.kind} only`,
  );
  log.info(`liaptui ${VERSION} listening on ${scheme}://${shown}:${server.port} (${runtime.name})`, {
    data_dir: config.dataDir,
    admin: config.adminToken !== null,
  });

  let stopping = false;
  runtime.onShutdownSignal((signal) => {
    if (stopping) return;
    stopping = true;
    log.info(`liaptui: ${signal} received, closing connections`);
    gateway.shutdown();
    lag.stop();
    // Exit even if the listener takes its time to drain.
    const deadline = setTimeout(() => runtime.exit(0), 3_000);
    server.stop().finally(async () => {
      clearTimeout(deadline);
      // Commits what is still queued and releases the database's lock; rooms stay open in it for the next start.
      storeOpen = false;
      await store.close().catch((error) => log.error("liaptui: closing the store failed", {}, error));
      log.info("liaptui: stopped");
      runtime.exit(0);
    });
  });
}

const runtime = await loadRuntime();
const parsed = parseConfig(runtime.args, runtime.env, (path) => readFileSync(path, "utf8"));
switch (parsed.kind) {
  case "help":
  case "version":
  case "print":
    console.log(parsed.text);
    runtime.exit(0);
    break;
  case "error":
    console.error(`liaptui: ${parsed.message}`);
    runtime.exit(2);
    break;
  case "run":
    try {
      await run(runtime, parsed.config);
    } catch (error) {
      console.error(`liaptui: cannot start: ${error instanceof Error ? error.message : String(error)}`);
      runtime.exit(1);
    }
}
