// Runs the real server as a subprocess — from source under Deno, or the compiled binary — for end-to-end
// tests and benchmarks, and stops it cleanly; or runs it to completion for flags that answer and exit.
// Owns no assertions: an unclean exit in `withServer` is thrown as a plain error.

import { requireOnCi } from "./ci.ts";

const READY = /listening on http:\/\/127\.0\.0\.1:(\d+)/;
export const REPO_ROOT = decodeURIComponent(new URL("../../", import.meta.url).pathname);
export const BINARY = `${REPO_ROOT}dist/liaptui`;

export type Target = "source" | "binary";

/**
 * Rate flags for servers whose test clients answer at machine speed, every delay at 0: far above a person's
 * 20 messages a second, which would refuse their bursts.
 */
export const MACHINE_SPEED = ["--rate", "5000", "--rate-burst", "10000"] as const;

/** Every end-to-end suite runs against both: the server from source under Deno, and the release binary. */
export const TARGETS: readonly Target[] = ["source", "binary"];

export interface ServerProcess {
  readonly target: Target;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `ws://127.0.0.1:<port>` */
  readonly wsUrl: string;
  readonly pid: number;
  /** Resident memory of the server process in bytes (Linux /proc), or null where unavailable. */
  rss(): number | null;
  output(): string;
  /** SIGTERM, then waits for the exit; resolves to the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

export function binaryExists(): boolean {
  try {
    return Deno.statSync(BINARY).isFile;
  } catch {
    return false; // Not built: the binary suite is reported as ignored, and the test task builds it first.
  }
}

/**
 * The `ignore` flag for a test against `target`: the binary suite is skipped when `dist/liaptui` is not built,
 * except on CI, where a missing binary fails the run instead of leaving the suite silently ignored.
 */
export function ignoreTarget(target: Target): boolean {
  return target === "binary" && requireOnCi(binaryExists(), `${BINARY} is not built (deno task compile)`);
}

/** The command line that runs the server: `main.ts` under this Deno, or the compiled binary (`binary`). */
export function serverCommand(target: Target, args: readonly string[], binary = BINARY): [string, string[]] {
  return target === "source"
    ? [Deno.execPath(), [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      "--allow-sys",
      "main.ts",
      ...args,
    ]]
    : [binary, [...args]];
}

/** How the server's subprocess is started, whether it runs until stopped or answers and exits. */
function spawnOptions(commandArgs: string[], env: Record<string, string>): Deno.CommandOptions {
  return { args: commandArgs, cwd: REPO_ROOT, env, stdin: "null", stdout: "piped", stderr: "piped" };
}

/** What a run to completion printed, and its exit code. */
export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the server with `args` to completion, for flags that answer and exit (`--help`, `--print-config`). */
export async function runToExit(
  target: Target,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<Outcome> {
  const [command, commandArgs] = serverCommand(target, args);
  const output = await new Deno.Command(command, spawnOptions(commandArgs, env)).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

/** Asks the OS for a free port by listening on port 0, then releases it. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function drain(stream: ReadableStream<Uint8Array>, onText: (text: string) => void): Promise<void> {
  for await (const text of stream.pipeThrough(new TextDecoderStream())) onText(text);
}

/**
 * Starts the server on a free loopback port and resolves once it prints its listening line. Unless `args` or
 * `env` name a data directory, the server gets a fresh temporary one, removed when it stops, so tests never
 * share a database or leave `./data` in the repository.
 */
export async function startServer(
  target: Target,
  args: readonly string[] = [],
  env: Record<string, string> = {},
  timeoutMs = 20_000,
  /** Another build to run for the "binary" target (benchmarks compare an older one in the same run). */
  binary = BINARY,
): Promise<ServerProcess> {
  const port = freePort();
  const ownDataDir = args.some((a) => a.startsWith("--data-dir")) || env.LIAPTUI_DATA_DIR !== undefined
    ? null
    : await Deno.makeTempDir({ prefix: "liaptui-e2e-" });
  const dataArgs = ownDataDir === null ? [] : ["--data-dir", ownDataDir];
  const common = ["--port", String(port), "--host", "127.0.0.1", ...dataArgs, ...args];
  const [command, commandArgs] = serverCommand(target, common, binary);
  const child = new Deno.Command(command, spawnOptions(commandArgs, env)).spawn();

  let log = "";
  let markReady: (url: string) => void = () => {};
  const ready = new Promise<string>((resolve) => (markReady = resolve));
  const onText = (text: string) => {
    log += text;
    const match = log.match(READY);
    if (match) markReady(`127.0.0.1:${match[1]}`);
  };
  const drained = Promise.all([drain(child.stdout, onText), drain(child.stderr, (text) => (log += text))]);

  let stopped: Promise<number> | null = null;
  const stop = (signal: Deno.Signal = "SIGTERM") =>
    stopped ??= (async () => {
      try {
        child.kill(signal);
      } catch {
        // Already exited: nothing to signal.
      }
      const forceKill = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // Exited between the check and the kill.
        }
      }, 8_000);
      try {
        const status = await child.status;
        return status.code;
      } finally {
        clearTimeout(forceKill);
        await drained;
        // A leftover temp folder is harmless; failing the stop over it would hide the real result.
        if (ownDataDir !== null) await Deno.remove(ownDataDir, { recursive: true }).catch(() => {});
      }
    })();

  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`server did not start in ${timeoutMs} ms:\n${log}`)),
      timeoutMs,
    );
  });
  // The exit status can arrive before the last of the output: read the pipes to their end first, or the
  // message may lack the very line that says why (a refusal test once saw an empty log this way).
  const exited = child.status.then(async (s) => {
    await drained;
    throw new Error(`server exited with ${s.code} before it was ready:\n${log}`);
  });
  try {
    const host = await Promise.race([ready, timeout, exited]);
    return {
      target,
      url: `http://${host}`,
      wsUrl: `ws://${host}`,
      pid: child.pid,
      rss: () => readRss(child.pid),
      output: () => log,
      stop,
    };
  } catch (error) {
    await stop("SIGKILL");
    throw error;
  } finally {
    clearTimeout(timer);
    exited.catch(() => {}); // Only a rejection before readiness matters; later exits are awaited by stop().
  }
}

/**
 * Starts a server with `args` and `env`, runs `fn` against it, and stops it whatever `fn` did. A server that
 * then exits with anything but 0 fails the caller, unless `fn` failed first: that error is the one to see.
 */
export async function withServer(
  target: Target,
  args: readonly string[],
  fn: (server: ServerProcess) => Promise<void>,
  env: Record<string, string> = {},
): Promise<void> {
  const server = await startServer(target, args, env);
  try {
    await fn(server);
  } catch (error) {
    await server.stop();
    throw error;
  }
  const code = await server.stop();
  if (code !== 0) throw new Error(`the server exited with ${code}, not 0:\n${server.output().slice(-2000)}`);
}

function readRss(pid: number): number | null {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const match = status.match(/VmRSS:\s+(\d+) kB/);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null; // Not Linux, or the process is gone.
  }
}
