// Runs a real Debian redis-server for the cluster tests: a free loopback port, its own temp directory, AOF
// with fsync on every write. Stops, kills, pauses and restarts it on request. Owns no assertions.

import { freePort } from "../support/server_process.ts";

const REDIS_SERVER = "redis-server";
const READY = /Ready to accept connections/;

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** The data directory (AOF lives here); removed by `stop()`. */
  readonly dir: string;
  /** PID of the running process (changes on `restart`). */
  readonly pid: number;
  output(): string;
  /** SIGTERM (Redis finishes its AOF and exits), then starts again on the same port and directory. */
  restart(): Promise<void>;
  /** SIGTERM and wait: Redis is down (an outage) until `up()`. */
  down(): Promise<void>;
  /** Starts it again after `down()`, on the same port and directory. */
  up(): Promise<void>;
  /** Sends a signal to the running process without waiting (SIGSTOP/SIGCONT to pause it). */
  signal(signal: Deno.Signal): void;
  /** SIGTERM, waits for the exit, removes the directory. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Fails loudly, never skips, when redis-server is missing: the cluster suite must not pass vacuously on a
 * machine (or a CI run) where the one thing it tests cannot run.
 */
export function requireRedisServer(): void {
  try {
    const result = new Deno.Command(REDIS_SERVER, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync();
    if (result.success) return;
  } catch {
    // Not on PATH: reported below.
  }
  throw new Error(
    "redis-server is not installed (apt-get install -y redis-server); the cluster tests need it",
  );
}

interface Running {
  child: Deno.ChildProcess;
  exited: Promise<Deno.CommandStatus>;
  drained: Promise<unknown>;
}

async function drain(stream: ReadableStream<Uint8Array>, onText: (text: string) => void): Promise<void> {
  for await (const text of stream.pipeThrough(new TextDecoderStream())) onText(text);
}

/** Starts redis-server on a free port in a fresh temp directory; resolves once it accepts connections. */
export async function startRedis(options: { timeoutMs?: number } = {}): Promise<RedisServer> {
  requireRedisServer();
  const timeoutMs = options.timeoutMs ?? 15_000;
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "liaptui-redis-" });
  let log = "";
  let running: Running | null = null;
  let stopped = false;

  const launch = async (): Promise<Running> => {
    const child = new Deno.Command(REDIS_SERVER, {
      args: [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--save",
        "",
        "--daemonize",
        "no",
        "--maxmemory-policy",
        "noeviction",
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let markReady: () => void = () => {};
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const startAt = log.length;
    const onText = (text: string) => {
      log += text;
      if (READY.test(log.slice(startAt))) markReady();
    };
    const drained = Promise.all([drain(child.stdout, onText), drain(child.stderr, (t) => (log += t))]);
    const exited = child.status;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`redis-server not ready in ${timeoutMs} ms:\n${log}`)),
        timeoutMs,
      );
    });
    const early = exited.then((s) => {
      throw new Error(`redis-server exited with ${s.code} before it was ready:\n${log}`);
    });
    try {
      await Promise.race([ready, timeout, early]);
    } catch (error) {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
      await exited;
      await drained;
      throw error;
    } finally {
      clearTimeout(timer);
      early.catch(() => {}); // Exits after readiness are awaited by halt().
    }
    return { child, exited, drained };
  };

  const halt = async (): Promise<void> => {
    const current = running;
    running = null;
    if (current === null) return;
    try {
      current.child.kill("SIGCONT"); // A paused server cannot act on SIGTERM.
      current.child.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    const force = setTimeout(() => {
      try {
        current.child.kill("SIGKILL");
      } catch {
        // Exited in between.
      }
    }, 10_000);
    try {
      await current.exited;
      await current.drained;
    } finally {
      clearTimeout(force);
    }
  };

  const up = async (): Promise<void> => {
    if (stopped) throw new Error("redis-server was stopped for good");
    if (running === null) running = await launch();
  };

  running = await launch().catch(async (error) => {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw error;
  });

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    get pid() {
      if (running === null) throw new Error("redis-server is not running");
      return running.child.pid;
    },
    output: () => log,
    async restart() {
      await halt();
      await up();
    },
    down: halt,
    up,
    signal(signal) {
      running?.child.kill(signal);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt();
      await Deno.remove(dir, { recursive: true }).catch(() => {}); // Best effort: a temp dir.
    },
  };
}
