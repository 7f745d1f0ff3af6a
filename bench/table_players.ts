// The tables benchmark's players: four socket clients per table answering their prompts with seeded random
// legal moves, checking what they receive. One process runs a share of the tables (table_players_main.ts);
// the runner (tables.ts) spreads the tables over several such processes and adds up what they report.

import { createRng, mixSeed, random, randomInt, type Rng } from "../src/game/prng.ts";
import type { ChannelMessage, RoomChannel } from "../src/client/channel.ts";
import { Client } from "../src/client/client.ts";
import type { YourTurn } from "../src/protocol/server_events.ts";
import { NO_DELAYS } from "../src/rooms/settings.ts";

/** What one process of players is asked to do. */
export interface PlayOptions {
  wsUrl: string;
  tables: number;
  /** Number of the first table: processes sharing a server use different rooms. */
  firstTable: number;
  targetScore: number;
  maxRounds: number;
  games: number;
  seconds: number;
  seed: number;
  /** Mean time a player waits before answering a prompt (uniform in ±50 %); 0 answers at once. */
  thinkMs: number;
}

/** What one process of players measured: plain data, sent to the runner as one JSON line. */
export interface PlayResult {
  setupMs: number;
  elapsedMs: number;
  timedOut: boolean;
  latencies: number[];
  pingDelays: number[];
  gameMs: number[];
  moves: number;
  moveKinds: Record<string, number>;
  frames: number;
  bytes: number;
  games: number;
  seqGaps: number;
  handLeaks: number;
  promptMismatches: number;
  errors: Record<string, number>;
  closes: Record<string, number>;
  stalled: number;
  unfinished: number;
  /** The last events each seat saw, for the first few stalled tables. */
  stalledTables: string[];
  /** This process's largest event-loop lag while playing, and its CPU seconds. */
  lagMs: number;
  cpuSeconds: number | null;
}

/** A table with no broadcast for this long is reported as stalled and left alone. */
export const STALL_MS = 10_000;
/** Connecting, joining and applying settings for a batch of 25 tables takes well under a second. */
const SETUP_MS = 30_000;
/** Events each client remembers, to describe a stalled table. */
const RECENT = 12;
const SEATS = [0, 1, 2, 3] as const;

export class Stats {
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
  /** How late each heartbeat `ping` arrived: the server's send time against this process's clock. */
  pingDelays: number[] = [];
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
  #thinkMs: number;
  #sentAt: number | null = null;
  #recent: string[] = [];
  // Hidden-information checks: the hand dealt to this seat, and piece ids other seats played this deal.
  #expectDeal = false;
  #deal = 0;
  #dealt: Set<number> | null = null;
  #othersPlayed = new Set<number>();

  constructor(url: string, name: string, table: Table, stats: Stats, seed: number, thinkMs: number) {
    this.name = name;
    this.#table = table;
    this.#stats = stats;
    this.#rng = createRng(seed);
    this.#thinkMs = thinkMs;
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
        if (this.#thinkMs === 0) this.#answer(m.data);
        else {
          const prompt = m.data;
          setTimeout(() => this.#answer(prompt), this.#thinkMs * (0.5 + random(this.#rng)));
        }
        break;
      case "ping":
        this.#stats.pingDelays.push(Date.now() - m.data.timestamp);
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
    if (this.#table.closing) return;
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
export class Table {
  readonly id: string;
  readonly clients: BenchClient[];
  games = 0;
  done = false;
  stalled = false;
  closing = false;
  lastProgress = performance.now();
  #gameStarted = 0;
  #options: PlayOptions;
  #stats: Stats;
  #onDone: () => void;
  #deals = new Map<number, number[][]>();

  constructor(index: number, wsUrl: string, options: PlayOptions, stats: Stats, onDone: () => void) {
    this.id = `bench-${index}`;
    this.#options = options;
    this.#stats = stats;
    this.#onDone = onDone;
    this.clients = SEATS.map((seat) =>
      new BenchClient(
        `${wsUrl}/ws/${this.id}`,
        `P${seat}`,
        this,
        stats,
        mixSeed(options.seed, index, seat),
        options.thinkMs,
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

const CLOCK_TICKS = (() => {
  try {
    const out = new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped" }).outputSync();
    return Number(new TextDecoder().decode(out.stdout).trim()) || 100;
  } catch {
    return 100; // getconf missing: 100 Hz is the Linux default.
  }
})();

/** utime + stime of a process in seconds, from /proc/<pid>/stat; null off Linux. */
export function cpuSeconds(pid: number | "self"): number | null {
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

/** The tables of one process, from connecting to closing, split where the runner lines processes up. */
export class Players {
  readonly stats = new Stats();
  readonly tables: Table[];
  #options: PlayOptions;
  #finished = 0;
  #allDone: () => void = () => {};
  #done = new Promise<void>((resolve) => (this.#allDone = resolve));
  #setupMs = 0;

  constructor(options: PlayOptions) {
    this.#options = options;
    const onDone = () => {
      this.#finished += 1;
      if (this.#finished === options.tables) this.#allDone();
    };
    this.tables = Array.from(
      { length: options.tables },
      (_, i) => new Table(options.firstTable + i, options.wsUrl, options, this.stats, onDone),
    );
  }

  /** Connects, joins and sets up every table, 25 at a time. */
  async prepare(): Promise<void> {
    const started = performance.now();
    for (let i = 0; i < this.tables.length; i += 25) {
      await withTimeout(
        Promise.all(this.tables.slice(i, i + 25).map((t) => t.prepare())),
        SETUP_MS,
        "table setup",
      );
    }
    this.#setupMs = performance.now() - started;
  }

  /** Starts every game and plays until every table is done or stalled, or the time is up. */
  async play(): Promise<PlayResult> {
    const { stats } = this;
    const cpuBefore = cpuSeconds("self");
    const started = performance.now();
    for (const table of this.tables) table.start();
    let lagMs = 0;
    let lagExpected = performance.now() + 100;
    const lag = setInterval(() => {
      const now = performance.now();
      lagMs = Math.max(lagMs, now - lagExpected);
      lagExpected = now + 100;
    }, 100);
    const watchdog = setInterval(() => {
      const now = performance.now();
      for (const table of this.tables) {
        if (!table.done && now - table.lastProgress > STALL_MS) {
          table.stalled = true;
          table.finish();
        }
      }
    }, 1_000);
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      this.#allDone();
    }, this.#options.seconds * 1000);
    await this.#done;
    const elapsedMs = performance.now() - started;
    const cpuAfter = cpuSeconds("self");
    clearTimeout(deadline);
    clearInterval(watchdog);
    clearInterval(lag);
    for (const client of this.tables.flatMap((t) => t.clients)) stats.seqGaps += client.repeats;
    const stalled = this.tables.filter((t) => t.stalled);
    return {
      setupMs: this.#setupMs,
      elapsedMs,
      timedOut,
      latencies: stats.latencies,
      pingDelays: stats.pingDelays,
      gameMs: stats.gameMs,
      moves: stats.moves,
      moveKinds: Object.fromEntries(stats.moveKinds),
      frames: stats.frames,
      bytes: stats.bytes,
      games: stats.games,
      seqGaps: stats.seqGaps,
      handLeaks: stats.handLeaks,
      promptMismatches: stats.promptMismatches,
      errors: Object.fromEntries(stats.errors),
      closes: Object.fromEntries([...stats.closes].map(([code, n]) => [String(code), n])),
      stalled: stalled.length,
      unfinished: this.tables.filter((t) => !t.done).length,
      stalledTables: stalled.slice(0, 3).map((table) =>
        `${table.id} after ${table.games} game(s); last events per seat:\n` +
        table.clients.map((c) => `    seat ${c.seat}: ${c.recent()}`).join("\n")
      ),
      lagMs,
      cpuSeconds: cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null,
    };
  }

  close(): Promise<unknown> {
    return Promise.all(this.tables.map((t) => t.close()));
  }
}
