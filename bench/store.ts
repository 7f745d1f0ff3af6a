// Store benchmark: N rooms each append their next entry as soon as the previous one is acknowledged (the
// zero-think tables' pattern, without sockets), for each SQLite sync mode, interleaved. (The memory store
// answers at once, so its rooms would never let a timer run: bench:tables prices it with sockets.)
// Prints appends per second, acknowledgement latency, how long the event loop was held, and CPU per append.

import process from "node:process";
import type { Grant, Store } from "../src/store/ports.ts";
import { openSqliteStore, type SqliteSync } from "../src/store/sqlite_store.ts";

type Mode = SqliteSync;

const USAGE = "deno run --allow-all bench/store.ts [--rooms 1000] [--seconds 10] [--reps 2] " +
  "[--modes inline,background,off]";

interface Options {
  rooms: number;
  seconds: number;
  reps: number;
  modes: Mode[];
}

function parseOptions(args: readonly string[]): Options {
  const options: Options = {
    rooms: 1000,
    seconds: 10,
    reps: 2,
    modes: ["inline", "background", "off"],
  };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined) throw new Error(USAGE);
    if (flag === "--rooms") options.rooms = Number(value);
    else if (flag === "--seconds") options.seconds = Number(value);
    else if (flag === "--reps") options.reps = Number(value);
    else if (flag === "--modes") {
      options.modes = value.split(",").map((mode) => {
        if (!["inline", "background", "off"].includes(mode)) {
          throw new Error(`unknown mode ${mode}`);
        }
        return mode as Mode;
      });
    } else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  return options;
}

interface Run {
  mode: Mode;
  appends: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Gaps between ticks of a 1 ms timer beyond 1 ms: how long the event loop was held at a time. */
  heldP99: number;
  heldMax: number;
  /** Share of the run the event loop spent held for longer than 2 ms at a time. */
  heldShare: number;
  cpuMicrosPerAppend: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A play as the rooms store it: about the size of a real entry. */
function entryData(room: number, seq: number) {
  return {
    type: "move",
    seat: seq % 4,
    action: { type: "play", seat: seq % 4, piece_ids: [room % 32, seq % 32] },
  };
}

async function runMode(mode: Mode, options: Options): Promise<Run> {
  const dir = await Deno.makeTempDir({ prefix: "liaptui-store-bench-" });
  const store: Store = openSqliteStore(dir, { sync: mode });
  try {
    const grants: Grant[] = [];
    for (let i = 0; i < options.rooms; i++) {
      await store.log.create({ roomId: `r${i}`, createdAt: Date.now(), data: { name: `r${i}` } });
      const acquired = await store.ownership.acquire(`r${i}`, "bench");
      if (acquired.kind !== "granted") throw new Error(`room r${i} not granted`);
      grants.push(acquired.grant);
    }
    const latencies: number[] = [];
    const held: number[] = [];
    let stopped = false;
    let appends = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      held.push(now - last - 1);
      last = now;
    }, 1);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const room = async (index: number) => {
      const grant = grants[index]!;
      for (let seq = 1; !stopped; seq++) {
        const sent = performance.now();
        const result = await store.log.append(grant, seq, {
          actionId: `a${seq}`,
          at: Date.now(),
          eventSeq: seq,
          data: entryData(index, seq),
        });
        if (result.kind !== "ok") throw new Error(`append refused: ${result.kind}`);
        latencies.push(performance.now() - sent);
        appends += 1;
      }
    };
    const running = grants.map((_, i) => room(i));
    await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
    stopped = true;
    await Promise.all(running);
    const elapsed = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(ticker);
    latencies.sort((a, b) => a - b);
    const longHolds = held.filter((h) => h > 2);
    held.sort((a, b) => a - b);
    return {
      mode,
      appends,
      perSecond: appends / elapsed,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      heldP99: percentile(held, 99),
      heldMax: percentile(held, 100),
      heldShare: longHolds.reduce((a, b) => a + b, 0) / (elapsed * 1000),
      cpuMicrosPerAppend: (cpu.user + cpu.system) / appends,
    };
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const options = parseOptions(Deno.args);
const load = () => Deno.loadavg().map((l) => l.toFixed(2)).join(" ");
console.log(
  `liaptui store benchmark, ${new Date().toISOString()}: ${options.rooms} rooms appending back to back, ` +
    `${options.seconds} s per run, ${options.reps} rep(s); load average ${load()}`,
);
console.log(
  "mode        appends/s   ack p50 ms  ack p99 ms  loop held p99 ms  max ms  held >2ms  CPU µs/append",
);
for (let rep = 0; rep < options.reps; rep++) {
  for (const mode of options.modes) {
    const r = await runMode(mode, options);
    console.log(
      [
        r.mode.padEnd(10),
        r.perSecond.toFixed(0).padStart(11),
        r.p50.toFixed(2).padStart(12),
        r.p99.toFixed(2).padStart(11),
        r.heldP99.toFixed(2).padStart(17),
        r.heldMax.toFixed(1).padStart(7),
        `${(r.heldShare * 100).toFixed(0)}%`.padStart(10),
        r.cpuMicrosPerAppend.toFixed(1).padStart(14),
      ].join(" "),
    );
  }
}
console.log(`load average at the end: ${load()}`);
