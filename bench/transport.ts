// Transport benchmark runner: each target server pinned to core 0, the Bun load generator to core 1; server CPU
// and RSS from /proc, delivery and latency from the load generator. Prints figures only; asserts nothing.
// `deno task bench:transport [--reps 3] [--scenarios fanout,rooms,idle,connects,reconnect,slow] [--targets binary,raw,sio]`
// `[--store memory|sqlite] [--warmup 0.5] [--deflate]`
// (`--targets before,binary,raw --before <path>` adds an older build of liaptui to the same run; `--binary <path>`
// runs another build as `binary`).

import { parseArgs } from "node:util";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);
const BENCH = `${ROOT}bench/`;
const BINARY = `${ROOT}dist/liaptui`;
const SCENARIOS = ["fanout", "rooms", "idle", "connects", "reconnect", "slow"] as const;
/** `before`: another build of liaptui (`--before path`), for same-run before/after comparisons. */
const TARGETS = ["binary", "before", "raw", "sio"] as const;
const DEFAULT_TARGETS = ["binary", "raw", "sio"];
type Scenario = typeof SCENARIOS[number];
type TargetName = typeof TARGETS[number];
/** The slow-consumer scenario's per-socket send buffer, for liaptui and raw Bun alike. */
const SLOW_SEND_BUFFER = 262_144;
const TICKS_PER_SECOND = 100; // Linux USER_HZ, the unit of utime/stime in /proc/<pid>/stat

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    reps: { type: "string", default: "3" },
    scenarios: { type: "string", default: SCENARIOS.join(",") },
    targets: { type: "string", default: DEFAULT_TARGETS.join(",") },
    before: { type: "string", default: `${ROOT}.tmp/liaptui-before` },
    /** The `binary` target's executable: another build, to compare two builds kept outside `dist/`. */
    binary: { type: "string", default: BINARY },
    out: { type: "string", default: `${BENCH}results` },
    /** liaptui's store: `memory` (`--data-dir :memory:`) or `sqlite` (a fresh data directory per run). */
    store: { type: "string", default: "memory" },
    /** Unmeasured warm-up load as a fraction of the measured one (see load.mjs); 0 measures a cold server. */
    warmup: { type: "string", default: "0.5" },
    /** The load generator's sockets offer permessage-deflate (see load.mjs); off by default. */
    deflate: { type: "boolean", default: false },
  },
});

async function run(command: string, args: string[], cwd = ROOT): Promise<string> {
  const output = await new Deno.Command(command, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    throw new Error(`${command} ${args.join(" ")} failed:\n${new TextDecoder().decode(output.stderr)}`);
  }
  return text.trim();
}

/** Bun and Node are found once, so the pinned process is the runtime itself and not an npx wrapper. */
async function tools(): Promise<{ bun: string; node: string }> {
  const bun = await run("npx", ["-y", "bun@1.4.5", "-e", "console.log(process.execPath)"]);
  const node = await run("sh", ["-c", "command -v node"]);
  return { bun, node };
}

async function ensureSocketIo(): Promise<void> {
  try {
    Deno.statSync(`${BENCH}socketio/node_modules/socket.io/package.json`);
  } catch {
    console.log("installing Socket.IO into bench/socketio (npm ci)…");
    await run("npm", ["ci", "--no-audit", "--no-fund"], `${BENCH}socketio`);
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** utime + stime of a process in seconds. */
function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Minor page faults of a process so far: pages it touched fresh (the collector's pacing shows here). */
function minorFaults(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[7]);
}

/**
 * CPU seconds (utime + stime) per thread name: the main thread carries the process's name, and the runtime's
 * helpers (the collector's, the JIT's, the allocator's scavenger) their own, which says where time goes that a
 * JavaScript profile does not show. Threads that ended are missing (the process total still counts them).
 */
function threadSeconds(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const entry of Deno.readDirSync(`/proc/${pid}/task`)) {
    try {
      const stat = Deno.readTextFileSync(`/proc/${pid}/task/${entry.name}/stat`);
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const seconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
      byName.set(name, (byName.get(name) ?? 0) + seconds);
    } catch {
      // The thread ended between listing and reading.
    }
  }
  return byName;
}

/** Per thread name, the CPU seconds spent between two `threadSeconds` readings (new threads count from 0). */
function threadDelta(start: Map<string, number>, end: Map<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [name, seconds] of end) {
    const spent = seconds - (start.get(name) ?? 0);
    if (spent > 0) delta[name] = Number(spent.toFixed(2));
  }
  return delta;
}

/** VmRSS and VmHWM (peak RSS) in bytes. */
function memory(pid: number): { rss: number; peak: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = (key: string) => Number(status.match(new RegExp(`${key}:\\s+(\\d+) kB`))?.[1] ?? 0) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

interface Started {
  child: Deno.ChildProcess;
  pid: number;
  url: string;
  /** A fresh SQLite data directory to remove once the server stopped. */
  dataDir: string | null;
}

async function startTarget(
  target: TargetName,
  scenario: Scenario,
  bun: string,
  node: string,
): Promise<Started> {
  const port = freePort();
  // Never the working directory's ./data: rooms left by one run would be restored into the next.
  const liaptui = target === "binary" || target === "before";
  const dataDir = liaptui && flags.store === "sqlite"
    ? Deno.makeTempDirSync({ prefix: "liaptui-bench-" })
    : ":memory:";
  const sendBuffer = scenario === "slow" ? SLOW_SEND_BUFFER : 1_048_576;
  const [command, args]: [string, string[]] = liaptui
    ? [target === "binary" ? flags.binary : flags.before, [
      ...["--port", String(port), "--host", "127.0.0.1", "--rate", "10000", "--rate-burst", "100000"],
      ...["--max-connections-per-address", "1000000", "--max-connections-per-room", "1000"],
      ...["--max-rooms", "100000", "--heartbeat-ms", "3600000", "--idle-timeout-ms", "86400000"],
      ...["--send-buffer-bytes", String(sendBuffer), "--data-dir", dataDir],
    ]]
    : target === "raw"
    ? [bun, [
      `${BENCH}transport/raw_bun_server.mjs`,
      "--port",
      String(port),
      "--send-buffer-bytes",
      String(sendBuffer),
    ]]
    : [node, [`${BENCH}socketio/server.mjs`, "--port", String(port)]];
  const child = new Deno.Command("taskset", {
    args: ["-c", "0", command, ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  const deadline = Date.now() + 20_000;
  while (!/listening on http:\/\/127\.0\.0\.1:\d+/.test(log)) {
    if (Date.now() > deadline) throw new Error(`${target} did not start:\n${log}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`${target} exited:\n${log}`);
    log += value;
  }
  // Keep draining so a chatty server never blocks on a full pipe.
  (async () => {
    while (!(await reader.read()).done);
  })();
  child.stderr.pipeTo(new WritableStream());
  return {
    child,
    pid: child.pid,
    url: `http://127.0.0.1:${port}`,
    dataDir: dataDir === ":memory:" ? null : dataDir,
  };
}

async function stopTarget(started: Started): Promise<void> {
  try {
    started.child.kill("SIGTERM");
  } catch {
    // Already gone.
  }
  const timer = setTimeout(() => {
    try {
      started.child.kill("SIGKILL");
    } catch {
      // Exited meanwhile.
    }
  }, 5_000);
  await started.child.status;
  clearTimeout(timer);
  if (started.dataDir !== null) Deno.removeSync(started.dataDir, { recursive: true });
}

type Result = Record<string, unknown>;

/** One run: a fresh server, the load generator, and the server's CPU and memory around the measured window. */
async function runOnce(target: TargetName, scenario: Scenario, bun: string, node: string): Promise<Result> {
  const server = await startTarget(target, scenario, bun, node);
  try {
    const idleMemory = memory(server.pid);
    const load = new Deno.Command("taskset", {
      args: [
        ...["-c", "1", bun, `${BENCH}transport/load.mjs`, "--kind", target === "sio" ? "sio" : "ws"],
        ...["--url", server.url, "--scenario", scenario, "--sio-dir", `${BENCH}socketio/`],
        ...["--tokens", target === "binary" || target === "before" ? "yes" : "no"],
        ...["--warmup", String(Number(flags.warmup)), "--deflate", flags.deflate ? "yes" : "no"],
      ],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let cpuStart = 0, cpuEnd = 0, wallStart = 0, wallEnd = 0;
    let faultsStart = 0, faultsEnd = 0;
    let threadsStart = new Map<string, number>(), threadsEnd = new Map<string, number>();
    let before = idleMemory, after = idleMemory;
    let result: Result | null = null;
    let peakDuring = 0;
    const sampler = setInterval(() => {
      try {
        peakDuring = Math.max(peakDuring, memory(server.pid).rss);
      } catch {
        // The server may have exited; the run reports what it has.
      }
    }, 100);
    const lines = load.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const errors = new Response(load.stderr).text();
    let buffer = "";
    for (;;) {
      const { value, done } = await lines.read();
      if (done) break;
      buffer += value;
      let nl;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line === "MEASURE start") {
          [cpuStart, wallStart, before] = [cpuSeconds(server.pid), performance.now(), memory(server.pid)];
          faultsStart = minorFaults(server.pid);
          threadsStart = threadSeconds(server.pid);
        } else if (line === "MEASURE end") {
          [cpuEnd, wallEnd, after] = [cpuSeconds(server.pid), performance.now(), memory(server.pid)];
          faultsEnd = minorFaults(server.pid);
          threadsEnd = threadSeconds(server.pid);
        } else if (line.startsWith("RESULT ")) result = JSON.parse(line.slice(7));
      }
    }
    clearInterval(sampler);
    const status = await load.status;
    if (!result) throw new Error(`load generator failed (${status.code}):\n${await errors}`);
    const cpu = cpuEnd - cpuStart;
    const wall = (wallEnd - wallStart) / 1000;
    const delivered = typeof result.delivered === "number" ? result.delivered : null;
    const connections = typeof result.connections === "number" ? result.connections : null;
    return {
      target,
      store: target === "binary" || target === "before" ? flags.store : undefined,
      deflate_offered: flags.deflate,
      scenario,
      ...result,
      server_cpu_s: Number(cpu.toFixed(2)),
      server_cpu_pct: Number(((100 * cpu) / wall).toFixed(1)),
      server_minor_faults: faultsEnd - faultsStart,
      server_thread_cpu_s: threadDelta(threadsStart, threadsEnd),
      server_us_per_copy: delivered ? Number(((cpu * 1e6) / delivered).toFixed(3)) : undefined,
      server_ms_per_connection: connections ? Number(((cpu * 1000) / connections).toFixed(3)) : undefined,
      rss_idle_mib: Number((idleMemory.rss / 2 ** 20).toFixed(1)),
      rss_before_mib: Number((before.rss / 2 ** 20).toFixed(1)),
      rss_after_mib: Number((after.rss / 2 ** 20).toFixed(1)),
      rss_peak_mib: Number((Math.max(after.peak, peakDuring) / 2 ** 20).toFixed(1)),
      rss_per_connection_kib: scenario === "idle" && connections
        ? Number(((after.rss - before.rss) / connections / 1024).toFixed(2))
        : undefined,
    };
  } finally {
    await stopTarget(server);
  }
}

function median(values: number[]): number | null {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] ?? null : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The figures each scenario is judged by: [label, key path, lower is better]. */
const FIGURES: Record<Scenario, [string, string, boolean][]> = {
  fanout: [
    ["copies/s", "copies_per_s", false],
    ["server µs/copy", "server_us_per_copy", true],
    ["p50 ms", "latency_ms.p50", true],
    ["p99 ms", "latency_ms.p99", true],
    ["lost", "lost", true],
    ["reordered", "reordered", true],
  ],
  rooms: [
    ["copies/s", "copies_per_s", false],
    ["server µs/copy", "server_us_per_copy", true],
    ["server CPU %", "server_cpu_pct", true],
    ["p50 ms", "latency_ms.p50", true],
    ["p99 ms", "latency_ms.p99", true],
    ["lost", "lost", true],
  ],
  idle: [
    ["RSS/conn KiB", "rss_per_connection_kib", true],
    ["connects/s", "connects_per_s", false],
    ["server ms/connect", "server_ms_per_connection", true],
    ["failed", "failed", true],
    ["peak RSS MiB", "rss_peak_mib", true],
  ],
  connects: [
    ["connects/s", "connects_per_s", false],
    ["server ms/connect", "server_ms_per_connection", true],
    ["failed", "failed", true],
  ],
  reconnect: [
    ["ms to 99%", "ms_to_99pct", true],
    ["ms to all", "ms_to_all", true],
    ["server ms/reconnect", "server_ms_per_connection", true],
    ["resumed", "resumed_with_token", false],
    ["recovered by replay", "recovered_by_replay", false],
    ["resynced (game_state)", "resynced", true],
    ["failed", "failed", true],
  ],
  slow: [
    ["copies/s (others)", "copies_per_s", false],
    ["p50 ms", "latency_ms.p50", true],
    ["p99 ms", "latency_ms.p99", true],
    ["lost (others)", "lost", true],
    ["peak RSS MiB", "rss_peak_mib", true],
    ["slow closed", "slow.close_code", true],
    ["slow: server's 4008 count", "slow.server_slow_closes", false],
    ["slow: connection ended", "slow.connection_ended", false],
  ],
};

function valueAt(result: Result, path: string): unknown {
  return path.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], result);
}

function summary(results: Result[], scenarios: Scenario[], targets: TargetName[]): string {
  const out: string[] = [];
  for (const scenario of scenarios) {
    out.push(`\n### ${scenario}\n`);
    out.push(
      `| figure | ${targets.map((t) => `${t} (median)`).join(" | ")} | ${
        targets.filter((t) => t !== "raw").map((t) => `${t} ÷ raw`).join(" | ")
      } |`,
    );
    out.push(
      `|---|${targets.map(() => "--:").join("|")}|${
        targets.filter((t) => t !== "raw").map(() => "--:").join("|")
      }|`,
    );
    for (const [label, path] of FIGURES[scenario]) {
      const cells = targets.map((t) => {
        const values = results.filter((r) => r.target === t && r.scenario === scenario).map((r) =>
          valueAt(r, path)
        );
        if (values.some((v) => typeof v !== "number")) return values.map((v) => String(v ?? "–")).join(", ");
        return median(values as number[]);
      });
      const raw = cells[targets.indexOf("raw")];
      const ratios = targets.flatMap((t, i) => {
        if (t === "raw") return [];
        const v = cells[i];
        return [
          typeof v === "number" && typeof raw === "number" && raw !== 0 ? `${(v / raw).toFixed(2)}×` : "–",
        ];
      });
      const show = (
        v: unknown,
      ) => (typeof v === "number" ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2)) : String(v));
      out.push(`| ${label} | ${cells.map(show).join(" | ")} | ${ratios.join(" | ")} |`);
    }
  }
  return out.join("\n");
}

if (import.meta.main) {
  const scenarios = flags.scenarios.split(",").filter((s): s is Scenario =>
    (SCENARIOS as readonly string[]).includes(s)
  );
  const targets = flags.targets.split(",").filter((t): t is TargetName =>
    (TARGETS as readonly string[]).includes(t)
  );
  const reps = Math.max(1, Math.min(10, Number(flags.reps)));
  if (targets.includes("binary")) Deno.statSync(flags.binary); // Build it first: `deno task compile`.
  if (targets.includes("sio")) await ensureSocketIo();
  const { bun, node } = await tools();
  Deno.mkdirSync(flags.out, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const jsonl = `${flags.out}/transport-${stamp}.jsonl`;
  const results: Result[] = [];
  console.log(
    `transport benchmark: ${reps} interleaved rep(s) of ${scenarios.join(", ")} on ${targets.join(", ")}`,
  );
  for (let rep = 1; rep <= reps; rep++) {
    for (const scenario of scenarios) {
      // Interleaved, and the target order rotates per rep, so drifting machine load spreads over all targets.
      const order = targets.map((_, i) => targets[(i + rep - 1) % targets.length] as TargetName);
      for (const target of order) {
        let result: Result;
        try {
          result = { rep, ...(await runOnce(target, scenario, bun, node)) };
        } catch (error) {
          result = { rep, target, scenario, error: String(error).slice(0, 500) };
        }
        results.push(result);
        const line = JSON.stringify({ at: new Date().toISOString(), ...result });
        console.log(line);
        Deno.writeTextFileSync(jsonl, line + "\n", { append: true });
      }
    }
  }
  const markdown = summary(results, scenarios, targets);
  Deno.writeTextFileSync(jsonl.replace(/\.jsonl$/, ".md"), markdown + "\n");
  console.log(markdown);
  console.log(`\nJSON lines: ${jsonl}`);
}
