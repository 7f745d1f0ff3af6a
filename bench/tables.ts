// Tables benchmark: N tables of 4 socket clients play real games through the server over loopback.
// Prints games per minute, move-to-broadcast latency, server CPU and memory; asserts nothing.

import { createRng, mixSeed, randomInt, type Rng } from "../src/game/prng.ts";
import {
  binaryExists,
  type ServerProcess,
  startServer,
  type Target,
} from "../tests/support/server_process.ts";
import type { ChannelMessage, RoomChannel } from "../src/client/channel.ts";
import { Client } from "../src/client/client.ts";
import type { YourTurn } from "../src/protocol/server_events.ts";
import { NO_DELAYS } from "../src/rooms/settings.ts";

/** Where the server keeps rooms: the SQLite file (the default) or memory only, to price durability. */
type StoreKind = "sqlite" | "memory";

interface Options {
  tables: number;
  targets: Target[];
  stores: StoreKind[];
  targetScore: number;
  maxRounds: number;
  games: number;
  seconds: number;
  seed: number;
}

const USAGE = "deno run --allow-all bench/tables.ts [--tables 50] [--target source|binary|both] " +
  "[--store sqlite|memory|both] [--target-score 20] [--max-rounds 10] [--games 5] [--seconds 120] [--seed 1]";

/** A table with no broadcast for this long is reported as stalled and left alone. */
const STALL_MS = 10_000;
const RSS_SAMPLE_MS = 250;
/** Connecting, joining and applying settings for a batch of 25 tables takes well under a second. */
const SETUP_MS = 30_000;
/** Events each client remembers, to describe a stalled table. */
const RECENT = 12;
const SEATS = [0, 1, 2, 3] as const;

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
  const store = values.get("store") ?? "sqlite";
  values.delete("store");
  if (store !== "sqlite" && store !== "memory" && store !== "both") {
    throw new Error(`--store: expected sqlite, memory or both`);
  }
  const options: Options = {
    tables: int("tables", 50, 1, 1_000),
    targets: target === "both" ? ["source", "binary"] : [target],
    stores: store === "both" ? ["sqlite", "memory"] : [store],
    targetScore: int("target-score", 20, 1, 1_000),
    // Uniformly random legal moves almost never reach a target score (declarations are missed by a lot), so
    // without a round cap a game would run for hundreds of rounds; 10 rounds keeps every game finite.
    maxRounds: int("max-rounds", 10, 0, 200),
    games: int("games", 5, 1, 1_000),
    seconds: int("seconds", 120, 1, 120),
    seed: int("seed", 1, 0, 2 ** 31),
  };
  if (values.size > 0) throw new Error(`unknown option --${[...values.keys()][0]}\n${USAGE}`);
  return options;
}

/** Everything measured for one target; clients add to it as frames arrive. */
class Stats {
  latencies: number[] = [];
  moves = 0;
  moveKinds = new Map<string, number>();
  frames = 0;
  bytes = 0;
  games = 0;
  gameMs: number[] = [];
  seqGaps = 0;
  handLeaks = 0;
  promptMismatches = 0;
  errors = new Map<string, number>();
  closes = new Map<number, number>();

  count(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }
}

/** One player's socket: answers its own prompts with seeded random legal moves and checks what it receives. */
class BenchClient {
  /** The project's client, with reconnecting off: a benchmark reports a dropped socket rather than hiding it. */
  readonly client: Client<RoomChannel>;
  readonly name: string;
  /** Settles when the handshake ends; made at once, since a socket may open before anyone asks. */
  readonly opened: Promise<void>;
  seat = -1;
  #table: Table;
  #stats: Stats;
  #rng: Rng;
  #sentAt: number | null = null;
  #recent: string[] = [];
  // Hidden-information checks: the hand dealt to this seat, and piece ids other seats played this deal.
  #expectDeal = false;
  #deal = 0;
  #dealt: Set<number> | null = null;
  #othersPlayed = new Set<number>();

  constructor(url: string, name: string, table: Table, stats: Stats, seed: number) {
    this.name = name;
    this.#table = table;
    this.#stats = stats;
    this.#rng = createRng(seed);
    this.client = new Client<RoomChannel>(url, { reconnect: false, liveness: false, resyncOnGap: false });
    this.client.onFrame((frame) => {
      this.#stats.frames += 1;
      this.#stats.bytes += frame.length;
    });
    // A gap (something missed) and a repeat (the client drops it) both break the seq contract.
    this.client.onGap(() => (this.#stats.seqGaps += 1));
    this.client.onMessage((m) => this.#onMessage(m));
    this.client.closed.then(({ code }) => {
      if (!this.#table.closing) this.#stats.closes.set(code, (this.#stats.closes.get(code) ?? 0) + 1);
    });
    this.opened = this.client.connect().catch(() => {
      throw new Error(`${name} cannot connect to ${url}`);
    });
    this.opened.catch(() => {}); // Awaited (and reported) in Table.prepare.
  }

  /** Resolves on the next `event` this client receives. */
  next(event: "joined_room" | "room_state"): Promise<unknown> {
    return this.client.waitFor(event, () => true, SETUP_MS);
  }

  recent(): string {
    return this.#recent.join(" ");
  }

  /** Repeated broadcasts the client dropped; added to the seq check at the end. */
  get repeats(): number {
    return this.client.duplicates;
  }

  #onMessage(m: ChannelMessage<RoomChannel>): void {
    this.#remember(m);
    if (m.event !== "error" && m.seq !== undefined) this.#table.progress();
    switch (m.event) {
      case "joined_room":
        this.seat = m.data.seat ?? -1;
        break;
      case "your_turn":
        this.#answer(m.data);
        break;
      case "player_declared":
      case "player_played":
      case "redeal_decision":
        if (m.data.seat === this.seat && this.#sentAt !== null) {
          this.#stats.latencies.push(performance.now() - this.#sentAt);
          this.#sentAt = null;
        }
        if (m.event === "player_played" && m.data.seat !== this.seat) {
          for (const piece of m.data.pieces) this.#othersPlayed.add(piece.id);
        }
        break;
      case "phase_change":
        if (m.data.phase === "PREPARATION") {
          this.#expectDeal = true;
          this.#deal += 1;
          this.#othersPlayed.clear();
        }
        break;
      case "hand":
        this.#checkHand(m.seq, m.data.pieces.map((p) => p.id));
        break;
      case "game_over":
        if (this.seat === 0) this.#table.gameOver();
        break;
      case "error": {
        this.#stats.count(this.#stats.errors, m.error.code);
        this.#sentAt = null;
        break;
      }
    }
  }

  #answer(prompt: YourTurn): void {
    if (prompt.seat !== this.seat) this.#stats.promptMismatches += 1;
    this.#sentAt = performance.now();
    this.#stats.moves += 1;
    this.#stats.count(this.#stats.moveKinds, prompt.action);
    if (prompt.action === "redeal") this.client.send("decline_redeal");
    else if (prompt.action === "declare") {
      this.client.send("declare", { value: prompt.options[randomInt(this.#rng, prompt.options.length)]! });
    } else {
      this.client.send("play", { piece_ids: prompt.options[randomInt(this.#rng, prompt.options.length)]! });
    }
  }

  /** A hand must come privately, hold only this seat's pieces, and never a piece another seat has played. */
  #checkHand(seq: number | undefined, ids: number[]): void {
    if (seq !== undefined) this.#stats.handLeaks += 1;
    if (ids.some((id) => this.#othersPlayed.has(id))) this.#stats.handLeaks += 1;
    if (this.#expectDeal) {
      this.#expectDeal = false;
      this.#dealt = new Set(ids);
      this.#table.dealt(this.#deal, ids);
    } else if (this.#dealt === null || ids.some((id) => !this.#dealt?.has(id))) {
      this.#stats.handLeaks += 1;
    }
  }

  #remember(m: ChannelMessage<RoomChannel>): void {
    const detail = m.event === "your_turn"
      ? `:${m.data.action}`
      : m.event === "phase_change"
      ? `:${m.data.phase}`
      : m.event === "error"
      ? `:${m.error.code}`
      : "";
    const seq = m.event === "error" || m.seq === undefined ? "" : `#${m.seq}`;
    this.#recent.push(`${m.event}${detail}${seq}`);
    if (this.#recent.length > RECENT) this.#recent.shift();
  }
}

/** Four clients at one room; the client in seat 0 is the host and starts each game. */
class Table {
  readonly id: string;
  readonly clients: BenchClient[];
  games = 0;
  done = false;
  stalled = false;
  closing = false;
  lastProgress = performance.now();
  #gameStarted = 0;
  #options: Options;
  #stats: Stats;
  #onDone: () => void;
  #deals = new Map<number, number[][]>();

  constructor(index: number, server: ServerProcess, options: Options, stats: Stats, onDone: () => void) {
    this.id = `bench-${index}`;
    this.#options = options;
    this.#stats = stats;
    this.#onDone = onDone;
    this.clients = SEATS.map((seat) =>
      new BenchClient(
        `${server.wsUrl}/ws/${this.id}`,
        `P${seat}`,
        this,
        stats,
        mixSeed(options.seed, index, seat),
      )
    );
  }

  /** Connects, joins in seat order and sets the zero-delay settings; the game starts with `start()`. */
  async prepare(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.opened));
    for (const client of this.clients) {
      const joined = client.next("joined_room");
      client.client.send("join_room", { player_name: client.name });
      await joined;
    }
    const host = this.clients[0]!;
    const applied = host.next("room_state");
    host.client.send("update_settings", {
      ...NO_DELAYS,
      target_score: this.#options.targetScore,
      max_rounds: this.#options.maxRounds,
    });
    await applied;
  }

  start(): void {
    this.#gameStarted = performance.now();
    this.lastProgress = this.#gameStarted;
    this.clients[0]!.client.send("start_game");
  }

  progress(): void {
    this.lastProgress = performance.now();
  }

  gameOver(): void {
    this.games += 1;
    this.#stats.games += 1;
    this.#stats.gameMs.push(performance.now() - this.#gameStarted);
    if (this.games >= this.#options.games) this.finish();
    else this.start();
  }

  finish(): void {
    if (this.done) return;
    this.done = true;
    this.#onDone();
  }

  /** The four hands of one deal must not share a piece. */
  dealt(deal: number, ids: number[]): void {
    const hands = this.#deals.get(deal) ?? [];
    hands.push(ids);
    this.#deals.set(deal, hands);
    if (hands.length < 4) return;
    const all = hands.flat();
    this.#stats.handLeaks += all.length - new Set(all).size;
    this.#deals.delete(deal);
  }

  close(): Promise<unknown> {
    this.closing = true;
    return Promise.all(this.clients.map((c) => {
      // Leaving (rather than just closing) frees the seat at once, so the room goes without a grace period.
      c.client.send("leave_room");
      return c.client.close(1000);
    }));
  }
}

// ---- process figures --------------------------------------------------------------------------------------

const CLOCK_TICKS = (() => {
  try {
    const out = new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped" }).outputSync();
    return Number(new TextDecoder().decode(out.stdout).trim()) || 100;
  } catch {
    return 100; // getconf missing: 100 Hz is the Linux default.
  }
})();

/** utime + stime of a process in seconds, from /proc/<pid>/stat; null off Linux. */
function cpuSeconds(pid: number | "self"): number | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null; // Not Linux, or the process is gone.
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const mib = (bytes: number | null) => bytes === null ? "n/a" : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const ms = (value: number) => Number.isNaN(value) ? "n/a" : `${value.toFixed(2)} ms`;

interface Summary {
  target: Target;
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
}

async function runTarget(target: Target, store: StoreKind, options: Options): Promise<Summary> {
  const { tables: count } = options;
  const server = await startServer(target, [
    // sqlite: startServer gives the server a fresh temporary data directory.
    ...(store === "memory" ? ["--data-dir", ":memory:"] : []),
    "--max-connections-per-address",
    String(count * 4 + 16),
    // Zero-delay tables move far faster than people; the default 20 messages/s would throttle the bench.
    "--rate",
    "10000",
    "--rate-burst",
    "10000",
  ]);
  const stats = new Stats();
  const rssIdle = server.rss();
  let rssPeak = rssIdle ?? 0;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, server.rss() ?? 0);
  }, RSS_SAMPLE_MS);

  let finished = 0;
  let allDone: () => void = () => {};
  const done = new Promise<void>((resolve) => (allDone = resolve));
  const onDone = () => {
    finished += 1;
    if (finished === count) allDone();
  };
  const tables = Array.from({ length: count }, (_, i) => new Table(i, server, options, stats, onDone));

  const setupStarted = performance.now();
  try {
    for (let i = 0; i < tables.length; i += 25) {
      await withTimeout(
        Promise.all(tables.slice(i, i + 25).map((t) => t.prepare())),
        SETUP_MS,
        "table setup",
      );
    }
  } catch (error) {
    clearInterval(sampler);
    await Promise.all(tables.map((t) => t.close()));
    await server.stop();
    throw error;
  }
  const setupMs = performance.now() - setupStarted;
  const rssReady = server.rss();

  const cpuBefore = cpuSeconds(server.pid);
  const selfBefore = cpuSeconds("self");
  const started = performance.now();
  for (const table of tables) table.start();

  const watchdog = setInterval(() => {
    const now = performance.now();
    for (const table of tables) {
      if (!table.done && now - table.lastProgress > STALL_MS) {
        table.stalled = true;
        table.finish();
      }
    }
  }, 1_000);
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    allDone();
  }, options.seconds * 1000);
  await done;
  const elapsed = (performance.now() - started) / 1000;
  const cpuAfter = cpuSeconds(server.pid);
  const selfAfter = cpuSeconds("self");
  const rssEnd = server.rss();
  clearTimeout(deadline);
  clearInterval(watchdog);
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, rssEnd ?? 0);

  await Promise.all(tables.map((t) => t.close()));
  // Rooms are disposed when their last human leaves; what the server keeps after that hints at leaks.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const rssClosed = server.rss();
  const health: Record<string, unknown> = await fetch(`${server.url}/healthz`)
    .then((r) => r.json() as Promise<Record<string, unknown>>)
    .catch((error) => ({ connections: `n/a (${error})`, rooms: "n/a" }));
  await server.stop();

  for (const client of tables.flatMap((t) => t.clients)) stats.seqGaps += client.repeats;
  const latencies = stats.latencies.sort((a, b) => a - b);
  const gameMs = stats.gameMs.sort((a, b) => a - b);
  const cpu = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
  const self = selfBefore !== null && selfAfter !== null ? selfAfter - selfBefore : null;
  const stalled = tables.filter((t) => t.stalled);
  const unfinished = tables.filter((t) => !t.done).length;
  const summary: Summary = {
    target,
    store,
    tables: count,
    games: stats.games,
    gamesPerMinute: stats.games / (elapsed / 60),
    moves: stats.moves,
    movesPerSecond: stats.moves / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuPercent: cpu === null ? null : (cpu / elapsed) * 100,
    rssPeak: rssPeak || null,
    stalled: stalled.length,
  };

  const errors = [...stats.errors].map(([code, n]) => `${code}×${n}`).join(", ") || "none";
  const kinds = [...stats.moveKinds].map(([kind, n]) => `${kind} ${n}`).join(", ");
  const closes = [...stats.closes].map(([code, n]) => `${code}×${n}`).join(", ") || "none";
  console.log(
    `\n== ${target}, ${store} store: ${count} tables × 4 clients, ${options.games} game(s) per table ==`,
  );
  console.log(`setup (connect, join, settings): ${(setupMs / 1000).toFixed(2)} s`);
  console.log(
    `play: ${elapsed.toFixed(2)} s${timedOut ? ` (stopped at the ${options.seconds} s cap)` : ""}; ` +
      `${stats.games} games finished, ${summary.gamesPerMinute.toFixed(1)} games/min; ` +
      `game length p50 ${(percentile(gameMs, 50) / 1000).toFixed(2)} s, max ${
        (percentile(gameMs, 100) / 1000).toFixed(2)
      } s`,
  );
  console.log(
    `moves: ${stats.moves} sent (${kinds}), ${
      summary.movesPerSecond.toFixed(0)
    }/s; received ${stats.frames} frames, ` +
      `${(stats.bytes / 1024 / 1024).toFixed(1)} MiB (${(stats.frames / elapsed).toFixed(0)} frames/s)`,
  );
  console.log(
    `move → own broadcast latency (${latencies.length} samples): p50 ${ms(summary.p50)}, ` +
      `p90 ${ms(percentile(latencies, 90))}, p99 ${ms(summary.p99)}, max ${ms(percentile(latencies, 100))}`,
  );
  console.log(
    `server CPU: ${
      cpu === null ? "n/a" : `${cpu.toFixed(2)} s, ${summary.cpuPercent?.toFixed(0)}% of one core`
    }; ` +
      `bench clients CPU: ${
        self === null ? "n/a" : `${self.toFixed(2)} s, ${((self / elapsed) * 100).toFixed(0)}%`
      }`,
  );
  console.log(
    `server RSS: idle ${mib(rssIdle)}, tables ready ${mib(rssReady)}, peak ${mib(summary.rssPeak)}, ` +
      `end ${mib(rssEnd)}, 1 s after all sockets closed ${mib(rssClosed)}`,
  );
  console.log(
    `checks (expect 0): seq gaps ${stats.seqGaps}, hand leaks ${stats.handLeaks}, ` +
      `your_turn for another seat ${stats.promptMismatches}; errors: ${errors}; unexpected closes: ${closes}`,
  );
  console.log(
    `after every client left and closed: ${health.connections} connections, ${health.rooms} rooms (expect 0, 0)`,
  );
  console.log(
    `tables stalled (no broadcast for ${STALL_MS / 1000} s): ${stalled.length}; unfinished: ${unfinished}`,
  );
  for (const table of stalled.slice(0, 3)) {
    console.log(`  ${table.id} after ${table.games} game(s); last events per seat:`);
    for (const client of table.clients) console.log(`    seat ${client.seat}: ${client.recent()}`);
  }
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
    `seed ${options.seed}; loopback only`,
);
const summaries: Summary[] = [];
for (const target of options.targets) {
  for (const store of options.stores) summaries.push(await runTarget(target, store, options));
}

console.log(
  "\ntarget  store   tables  games  games/min  moves/s  p50 ms  p99 ms  server CPU  peak RSS   stalled",
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
    ].join(" "),
  );
}
