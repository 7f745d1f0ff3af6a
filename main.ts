// The composition root: reads config, builds registry, rooms and app, starts the runtime's server.

import { readFileSync } from "node:fs";
import { type Config, parseConfig, VERSION } from "./src/config.ts";
import { createApp } from "./src/http/app.ts";
import { Gateway } from "./src/net/gateway.ts";
import { realClock } from "./src/rooms/clock.ts";
import { RoomDirectory } from "./src/rooms/room_directory.ts";
import type { Runtime } from "./src/runtime/runtime.ts";

async function loadRuntime(): Promise<Runtime> {
  if ("Bun" in globalThis) return (await import("./src/runtime/bun.ts")).bunRuntime();
  return (await import("./src/runtime/deno.ts")).denoRuntime();
}

function run(runtime: Runtime, config: Config): void {
  const startedAt = realClock.now();
  const gateway = new Gateway({
    clock: realClock,
    limits: config.limits,
    pubsub: runtime.pubsub,
    directory: (delivery) =>
      new RoomDirectory({ clock: realClock, output: delivery, lobby: delivery, maxRooms: config.maxRooms }),
  });
  const app = createApp({
    gateway,
    upgradeWebSocket: runtime.upgradeWebSocket,
    transportOf: runtime.transportOf,
    remoteAddress: runtime.remoteAddress,
    version: VERSION,
    startedAt,
    now: realClock.now,
  });
  const server = runtime.serve(app.fetch, { host: config.host, port: config.port, limits: config.limits });
  gateway.start();
  const shown = server.hostname.includes(":") ? `[${server.hostname}]` : server.hostname;
  console.log(`liaptui ${VERSION} listening on http://${shown}:${server.port} (${runtime.name})`);

  let stopping = false;
  runtime.onShutdownSignal((signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`liaptui: ${signal} received, closing connections`);
    gateway.shutdown();
    // Exit even if the listener takes its time to drain.
    const deadline = setTimeout(() => runtime.exit(0), 3_000);
    server.stop().finally(() => {
      clearTimeout(deadline);
      console.log("liaptui: stopped");
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
      run(runtime, parsed.config);
    } catch (error) {
      console.error(`liaptui: cannot start: ${error instanceof Error ? error.message : String(error)}`);
      runtime.exit(1);
    }
}
