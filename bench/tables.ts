// Tables benchmark: N tables of 4 socket clients play real games through the server over loopback.
// Prints games per minute, move-to-broadcast latency, server CPU and memory; asserts nothing. The players run in
// several processes (table_players.ts), so the load generator's own sockets do not hold the figures back.

import {
  binaryExists,
  type ServerProcess,
  startServer,
  type Target,
} from "../tests/support/server_process.ts";
import { cpuSeconds, type PlayOptions, type PlayResult, STALL_MS } from "./table_players.ts";

/** Where the server keeps rooms: the SQLite file (the default) or memory only, to price durability. */
type StoreKind = "sqlite" | "memory";

/** A server build to run: from source, the compiled binary, or another binary given with --before. */
interface Build {
  name: string;
  target: Target;
  binary?: string;
}

interface Options {
  /** Table counts, run in this order (a comma list climbs until the p99 goal is missed). */
  tables: number[];
  /** With several counts: stop a build's climb once its p99 exceeds this many ms. */
  goalP99: number;
  targets: Build[];
  stores: StoreKind[];
  targetScore: number;
  maxRounds: number;
  games: number;
  seconds: number;
  seed: number;
  /** Mean time a player waits before answering a prompt (uniform in ±50 %); 0 answers at once. */
  thinkMs: number;
  reps: number;
  /** A server already running (its http:// URL): several bench processes can then share one server. */
  server: string | null;
  /** Number of the first table, so runs sharing a server use different rooms. */
  firstTable: number;
  /** Player processes the tables are spread over. */
  procs: number;
}

const USAGE = "deno run --allow-all bench/tables.ts [--tables 50] [--target source|binary|both] " +
  "[--store sqlite|memory|both] [--target-score 20] [--max-rounds 10] [--games 5] [--seconds 120] [--seed 1] " +
  "[--think-ms 0] [--before path/to/older/liaptui] [--reps 1] [--procs tables/250] [--goal-p99 50] " +
  "[--server http://127.0.0.1:PORT --first-table 0]";

const RSS_SAMPLE_MS = 250;
/** Tables per player process by default: one Deno process with 4,000 sockets held heartbeats back for 30 s. */
const TABLES_PER_PROCESS = 250;
/** A player process that has not set its tables up by then is reported as failed. */
const READY_MS = 120_000;

function parseOptions(args: readonly string[]): Options {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "-h" || arg === "--help") {
      console.log(USAGE);
      Deno.exit(0);
    }
    const eq = arg.indexOf("=");
    const [flag, value] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, args[++i]];
    if (!flag.startsWith("--") || value === undefined) throw new Error(`bad argument ${arg}\n${USAGE}`);
    values.set(flag.slice(2), value);
  }
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = values.get(name);
    values.delete(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name}: expected ${min}–${max}`);
    return n;
  };
  const target = values.get("target") ?? (binaryExists() ? "both" : "source");
  values.delete("target");
  if (target !== "source" && target !== "binary" && target !== "both") {
    throw new Error(`--target: expected source, binary or both`);
  }
  const before = values.get("before");
  values.delete("before");
  const server = values.get("server") ?? null;
  values.delete("server");
  const builds: Build[] = server !== null
    ? [{ name: "server", target: "binary" }]
    : target === "both"
    ? [{ name: "source", target: "source" }, { name: "binary", target: "binary" }]
    : [{ name: target, target }];
  // The older build runs first in each round, so neither build always meets the machine in the same state.
  if (before !== undefined) builds.unshift({ name: "before", target: "binary", binary: before });
  const store = values.get("store") ?? "sqlite";
  values.delete("store");
  if (store !== "sqlite" && store !== "memory" && store !== "both") {
    throw new Error(`--store: expected sqlite, memory or both`);
  }
  const tables = (values.get("tables") ?? "50").split(",").map((raw) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 2_000) throw new Error("--tables: expected 1–2000, or a list");
    return n;
  });
  values.delete("tables");
  const options: Options = {
    tables,
    goalP99: int("goal-p99", 50, 1, 60_000),
    targets: builds,
    stores: store === "both" ? ["sqlite", "memory"] : [store],
    targetScore: int("target-score", 20, 1, 1_000),
    // Uniformly random legal moves almost never reach a target score (declarations are missed by a lot), so
    // without a round cap a game would run for hundreds of rounds; 10 rounds keeps every game finite.
    maxRounds: int("max-rounds", 10, 0, 200),
    games: int("games", 5, 1, 1_000),
    seconds: int("seconds", 120, 1, 120),
    seed: int("seed", 1, 0, 2 ** 31),
    thinkMs: int("think-ms", 0, 0, 60_000),
    reps: int("reps", 1, 1, 20),
    server,
    firstTable: int("first-table", 0, 0, 1_000_000),
    procs: int("procs", 0, 0, 64),
  };
  if (values.size > 0) throw new Error(`unknown option --${[...values.keys()][0]}\n${USAGE}`);
  return options;
}

/** Everything measured for one target; clients add to it as frames arrive. */

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const mib = (bytes: number | null) => bytes === null ? "n/a" : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const ms = (value: number) => Number.isNaN(value) ? "n/a" : `${value.toFixed(2)} ms`;

interface Summary {
  target: string;
  store: StoreKind;
  tables: number;
  games: number;
  gamesPerMinute: number;
  moves: number;
  movesPerSecond: number;
  p50: number;
  p99: number;
  cpuPercent: number | null;
  rssPeak: number | null;
  stalled: number;
  /** Largest event-loop lag the server reported, and the players' largest (over their processes). */
  serverLagMs: number;
  clientLagMs: number;
}

/** A server this benchmark did not start: no CPU or memory figures, and stopping it is left to its owner. */
function runningServer(url: string): ServerProcess {
  return {
    target: "binary",
    url,
    wsUrl: url.replace(/^http/, "ws"),
    pid: -1,
    rss: () => null,
    output: () => "",
    stop: () => Promise.resolve(0),
  };
}

/** The largest of the server's event-loop lag samples since the previous scrape, in ms (NaN if unknown). */
async function serverLag(url: string): Promise<number> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const match = text.match(/^liaptui_event_loop_lag_max_seconds (\S+)$/m);
    return match ? Number(match[1]) * 1000 : NaN;
  } catch {
    return NaN; // The scrape failing says nothing about the tables; the figure is reported as n/a.
  }
}

/** The server's append-duration histogram (cumulative counts by upper bound in seconds); empty if unknown. */
async function appendHistogram(url: string): Promise<Map<string, number>> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const buckets = new Map<string, number>();
    for (const m of text.matchAll(/^liaptui_store_append_duration_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)) {
      buckets.set(m[1]!, Number(m[2]));
    }
    return buckets;
  } catch {
    return new Map(); // Reported as n/a, like the lag.
  }
}

/** Where the p50 and p99 of the appends between two scrapes fall: the bucket bounds around them. */
function appendShare(before: Map<string, number>, after: Map<string, number>): string {
  const bounds = [...after.keys()];
  const total = (after.get("+Inf") ?? 0) - (before.get("+Inf") ?? 0);
  if (bounds.length === 0 || total <= 0) return "n/a";
  const at = (p: number) => {
    const bound = bounds.find((le) => (after.get(le)! - (before.get(le) ?? 0)) >= total * p);
    return bound === "+Inf" || bound === undefined ? "> 2.5 s" : `≤ ${Number(bound) * 1000} ms`;
  };
  return `${total} appends, p50 ${at(0.5)}, p99 ${at(0.99)}`;
}

/** One process of players (table_players_main.ts), driven over its stdin and stdout. */
class PlayerProcess {
  readonly ready: Promise<void>;
  readonly result: Promise<PlayResult>;
  readonly exited: Promise<Deno.CommandStatus>;
  #child: Deno.ChildProcess;
  #stderr = "";

  constructor(options: PlayOptions) {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        new URL("./table_players_main.ts", import.meta.url).pathname,
        JSON.stringify(options),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    this.exited = child.status;
    let markReady: () => void = () => {};
    let fail: (error: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      fail = reject;
    });
    let found: (result: PlayResult) => void = () => {};
    this.result = new Promise<PlayResult>((resolve, reject) => {
      found = resolve;
      this.exited.then(() => reject(new Error(`a player process ended without a result: ${this.#stderr}`)));
    });
    this.ready.catch(() => {});
    this.result.catch(() => {});
    (async () => {
      let buffered = "";
      for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
        buffered += text;
        let newline: number;
        while ((newline = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line === "READY") markReady();
          else if (line.startsWith("FAILED ")) fail(new Error(line.slice(7)));
          else if (line.startsWith("RESULT ")) found(JSON.parse(line.slice(7)) as PlayResult);
        }
      }
      fail(new Error(`a player process ended before it was ready: ${this.#stderr}`));
    })();
    (async () => {
      for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) this.#stderr += text;
    })();
  }

  async go(): Promise<void> {
    const writer = this.#child.stdin.getWriter();
    await writer.write(new TextEncoder().encode("go\n"));
    await writer.close();
  }

  kill(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/** Adds up what every process measured. */
function merge(results: readonly PlayResult[]): PlayResult {
  const add = (into: Record<string, number>, from: Record<string, number>) => {
    for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
    return into;
  };
  const sum = (pick: (r: PlayResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  return {
    setupMs: Math.max(...results.map((r) => r.setupMs)),
    elapsedMs: Math.max(...results.map((r) => r.elapsedMs)),
    timedOut: results.some((r) => r.timedOut),
    latencies: results.flatMap((r) => r.latencies).sort((a, b) => a - b),
    pingDelays: results.flatMap((r) => r.pingDelays).sort((a, b) => a - b),
    gameMs: results.flatMap((r) => r.gameMs).sort((a, b) => a - b),
    moves: sum((r) => r.moves),
    moveKinds: results.reduce((all, r) => add(all, r.moveKinds), {}),
    frames: sum((r) => r.frames),
    bytes: sum((r) => r.bytes),
    games: sum((r) => r.games),
    seqGaps: sum((r) => r.seqGaps),
    handLeaks: sum((r) => r.handLeaks),
    promptMismatches: sum((r) => r.promptMismatches),
    errors: results.reduce((all, r) => add(all, r.errors), {}),
    closes: results.reduce((all, r) => add(all, r.closes), {}),
    stalled: sum((r) => r.stalled),
    unfinished: sum((r) => r.unfinished),
    stalledTables: results.flatMap((r) => r.stalledTables).slice(0, 3),
    lagMs: Math.max(...results.map((r) => r.lagMs)),
    cpuSeconds: results.every((r) => r.cpuSeconds !== null) ? sum((r) => r.cpuSeconds ?? 0) : null,
  };
}

async function runTarget(build: Build, store: StoreKind, count: number, options: Options): Promise<Summary> {
  const target = build.name;
  const server = options.server !== null ? runningServer(options.server) : await startServer(
    build.target,
    [
      // sqlite: startServer gives the server a fresh temporary data directory.
      ...(store === "memory" ? ["--data-dir", ":memory:"] : []),
      "--max-connections-per-address",
      String(count * 4 + 16),
      // Zero-delay tables move far faster than people; the default 20 messages/s would throttle the bench.
      "--rate",
      "10000",
      "--rate-burst",
      "10000",
    ],
    {},
    20_000,
    build.binary,
  );
  const rssIdle = server.rss();
  let rssPeak = rssIdle ?? 0;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, server.rss() ?? 0);
  }, RSS_SAMPLE_MS);

  // The tables are dealt out to the processes as evenly as they go.
  const procs = Math.min(options.procs || Math.ceil(count / TABLES_PER_PROCESS), count);
  const players = Array.from({ length: procs }, (_, i) => {
    const from = Math.floor((count * i) / procs);
    const to = Math.floor((count * (i + 1)) / procs);
    return new PlayerProcess({
      wsUrl: server.wsUrl,
      tables: to - from,
      firstTable: options.firstTable + from,
      targetScore: options.targetScore,
      maxRounds: options.maxRounds,
      games: options.games,
      seconds: options.seconds,
      seed: options.seed,
      thinkMs: options.thinkMs,
    });
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      Promise.all(players.map((p) => p.ready)),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`table setup took over ${READY_MS} ms`)), READY_MS);
      }),
    ]);
  } catch (error) {
    for (const p of players) p.kill();
    clearInterval(sampler);
    await server.stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const rssReady = server.rss();

  // The server reports its largest lag since the previous scrape: this one drops what setting the tables up
  // (thousands of handshakes and joins) cost, so the figure below is the play's.
  await serverLag(server.url);
  const cpuBefore = cpuSeconds(server.pid);
  const started = performance.now();
  await Promise.all(players.map((p) => p.go()));
  // Every table starts its game at once (thousands of appends in the first second, none of them a move): the
  // store's figures are taken from a few seconds in.
  const appendsBefore = new Promise<Map<string, number>>((resolve) =>
    setTimeout(() => resolve(appendHistogram(server.url)), Math.min(3, options.seconds / 4) * 1000)
  );
  let serverLagMs = 0;
  const lagScrape = setInterval(() => {
    serverLag(server.url).then((lag) => (serverLagMs = Math.max(serverLagMs, lag || 0)));
  }, 1_000);
  const result = merge(await Promise.all(players.map((p) => p.result)));
  const elapsed = (performance.now() - started) / 1000;
  const appends = appendShare(await appendsBefore, await appendHistogram(server.url));
  const cpuAfter = cpuSeconds(server.pid);
  const rssEnd = server.rss();
  clearInterval(sampler);
  clearInterval(lagScrape);
  rssPeak = Math.max(rssPeak, rssEnd ?? 0);

  // Each player process leaves its rooms and closes its sockets after reporting.
  await Promise.all(players.map((p) => p.exited));
  // Rooms are disposed when their last human leaves; what the server keeps after that hints at leaks.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const rssClosed = server.rss();
  const health: Record<string, unknown> = await fetch(`${server.url}/healthz`)
    .then((r) => r.json() as Promise<Record<string, unknown>>)
    .catch((error) => ({ connections: `n/a (${error})`, rooms: "n/a" }));
  await server.stop();

  const { latencies, gameMs, pingDelays: pings } = result;
  const cpu = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
  const summary: Summary = {
    target,
    store,
    tables: count,
    games: result.games,
    gamesPerMinute: result.games / (elapsed / 60),
    moves: result.moves,
    movesPerSecond: result.moves / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuPercent: cpu === null ? null : (cpu / elapsed) * 100,
    rssPeak: rssPeak || null,
    stalled: result.stalled,
    serverLagMs,
    clientLagMs: result.lagMs,
  };

  const list = (counts: Record<string, number>, sep: string) =>
    Object.entries(counts).map(([key, n]) => `${key}${sep}${n}`).join(", ") || "none";
  const self = result.cpuSeconds;
  console.log(
    `\n== ${target}, ${store} store: ${count} tables × 4 clients in ${procs} process(es), ` +
      `${options.games} game(s) per table, think ${options.thinkMs} ms ==`,
  );
  console.log(`setup (connect, join, settings): ${(result.setupMs / 1000).toFixed(2)} s`);
  console.log(
    `play: ${elapsed.toFixed(2)} s${result.timedOut ? ` (stopped at the ${options.seconds} s cap)` : ""}; ` +
      `${result.games} games finished, ${summary.gamesPerMinute.toFixed(1)} games/min; ` +
      `game length p50 ${(percentile(gameMs, 50) / 1000).toFixed(2)} s, max ${
        (percentile(gameMs, 100) / 1000).toFixed(2)
      } s`,
  );
  console.log(
    `moves: ${result.moves} sent (${list(result.moveKinds, " ")}), ${summary.movesPerSecond.toFixed(0)}/s; ` +
      `received ${result.frames} frames, ${(result.bytes / 1024 / 1024).toFixed(1)} MiB ` +
      `(${(result.frames / elapsed).toFixed(0)} frames/s)`,
  );
  console.log(
    `move → own broadcast latency (${latencies.length} samples): p50 ${ms(summary.p50)}, ` +
      `p90 ${ms(percentile(latencies, 90))}, p99 ${ms(summary.p99)}, max ${ms(percentile(latencies, 100))}`,
  );
  console.log(`store appends after the first seconds (the server's histogram, call to answer): ${appends}`);
  console.log(
    `server CPU: ${
      cpu === null ? "n/a" : `${cpu.toFixed(2)} s, ${summary.cpuPercent?.toFixed(0)}% of one core`
    }; ` +
      `player processes' CPU: ${
        self === null ? "n/a" : `${self.toFixed(2)} s, ${((self / elapsed) * 100).toFixed(0)}%`
      }`,
  );
  console.log(
    `event-loop lag max: server ${ms(serverLagMs)}, player processes ${ms(result.lagMs)}; heartbeat ping ` +
      `send → read (${pings.length}): p50 ${ms(percentile(pings, 50))}, p99 ${ms(percentile(pings, 99))}, ` +
      `max ${ms(percentile(pings, 100))}`,
  );
  console.log(
    `server RSS: idle ${mib(rssIdle)}, tables ready ${mib(rssReady)}, peak ${mib(summary.rssPeak)}, ` +
      `end ${mib(rssEnd)}, 1 s after all sockets closed ${mib(rssClosed)}`,
  );
  console.log(
    `checks (expect 0): seq gaps ${result.seqGaps}, hand leaks ${result.handLeaks}, ` +
      `your_turn for another seat ${result.promptMismatches}; errors: ${list(result.errors, "×")}; ` +
      `unexpected closes: ${list(result.closes, "×")}`,
  );
  console.log(
    `after every client left and closed: ${health.connections} connections, ${health.rooms} rooms (expect 0, 0)`,
  );
  console.log(
    `tables stalled (no broadcast for ${
      STALL_MS / 1000
    } s): ${result.stalled}; unfinished: ${result.unfinished}`,
  );
  for (const table of result.stalledTables) console.log(`  ${table}`);
  const log = server.output().split("\n").filter((line) =>
    line.trim() !== "" && !/listening on|SIGTERM|closing connections|stopped/.test(line)
  );
  if (log.length > 0) {
    console.log(`server log (${log.length} lines, first 10):`);
    for (const line of log.slice(0, 10)) console.log(`  ${line}`);
  }
  return summary;
}

const options = parseOptions(Deno.args);
console.log(
  `liaptui tables benchmark, ${new Date().toISOString()}, ${navigator.hardwareConcurrency} cores, ` +
    `Deno ${Deno.version.deno}; target score ${options.targetScore}, max rounds ${
      options.maxRounds || "none"
    }, ` +
    `seed ${options.seed}, think ${options.thinkMs} ms; loopback only; load average ${
      Deno.loadavg().map((l) => l.toFixed(2)).join(" ")
    }`,
);
const summaries: Summary[] = [];
/** Per build and store: the largest count whose p99 met the goal, and the first that missed it. */
const climbs = new Map<string, { held: number | null; missed: number | null }>();
for (let rep = 0; rep < options.reps; rep++) {
  for (const count of options.tables) {
    for (const build of options.targets) {
      for (const store of options.stores) {
        const key = `${build.name} ${store}`;
        const climb = climbs.get(key) ?? { held: null, missed: null };
        climbs.set(key, climb);
        if (options.tables.length > 1 && climb.missed !== null && climb.missed <= count) continue;
        const summary = await runTarget(build, store, count, options);
        summaries.push(summary);
        if (summary.p99 <= options.goalP99) climb.held = Math.max(climb.held ?? 0, count);
        else climb.missed = Math.min(climb.missed ?? count, count);
      }
    }
  }
}

console.log(`\nload average at the end: ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
if (options.tables.length > 1) {
  for (const [key, climb] of climbs) {
    console.log(
      `${key}: largest count with p99 ≤ ${options.goalP99} ms: ${climb.held ?? "none"}` +
        (climb.missed === null ? "" : ` (missed at ${climb.missed})`),
    );
  }
}
console.log(
  "target  store   tables  games  games/min  moves/s  p50 ms  p99 ms  server CPU  peak RSS   stalled  " +
    "lag srv  lag players",
);
for (const s of summaries) {
  console.log(
    [
      s.target.padEnd(6),
      s.store.padEnd(6),
      String(s.tables).padStart(6),
      String(s.games).padStart(6),
      s.gamesPerMinute.toFixed(1).padStart(10),
      s.movesPerSecond.toFixed(0).padStart(8),
      s.p50.toFixed(2).padStart(7),
      s.p99.toFixed(2).padStart(7),
      (s.cpuPercent === null ? "n/a" : `${s.cpuPercent.toFixed(0)}%`).padStart(11),
      mib(s.rssPeak).padStart(10),
      String(s.stalled).padStart(9),
      s.serverLagMs.toFixed(0).padStart(8),
      s.clientLagMs.toFixed(0).padStart(8),
    ].join(" "),
  );
}
