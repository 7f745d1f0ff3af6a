// Starts the real server from source for browser tests and stops it cleanly; owns no assertions.

/** A server subprocess listening on 127.0.0.1. */
export interface RunningServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Sends SIGTERM, waits for the exit and for both output pipes to drain. */
  stop(): Promise<void>;
  /** Everything the server printed so far, for failure messages. */
  output(): string;
}

const READY = /listening on http:\/\/127\.0\.0\.1:(\d+)/;
const REPO_ROOT = decodeURIComponent(new URL("../../", import.meta.url).pathname);

/** True when a file exists at `path` (used to skip when the browser is not installed). */
export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false; // Missing or unreadable both mean "not usable here".
  }
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

/** Runs `main.ts` from source on a free port and resolves once it prints its listening line. */
export async function startServer(timeoutMs = 20_000): Promise<RunningServer> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-sys",
      "main.ts",
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
    ],
    cwd: REPO_ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  let log = "";
  let markReady: (url: string) => void = () => {};
  const ready = new Promise<string>((resolve) => (markReady = resolve));
  const onText = (text: string) => {
    log += text;
    const match = log.match(READY);
    if (match) markReady(`http://127.0.0.1:${match[1]}`);
  };
  const drained = Promise.all([drain(child.stdout, onText), drain(child.stderr, (text) => (log += text))]);

  let stopped: Promise<void> | null = null;
  const stop = () =>
    stopped ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already exited: nothing to signal.
      }
      const forceKill = setTimeout(() => child.kill("SIGKILL"), 5_000);
      try {
        await child.status;
      } finally {
        clearTimeout(forceKill);
      }
      await drained;
    })();

  let timer: ReturnType<typeof setTimeout> | undefined;
  const failure = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`server not ready after ${timeoutMs} ms`)), timeoutMs);
    child.status.then((status) => reject(new Error(`server exited early with code ${status.code}`)));
  });
  failure.catch(() => {}); // Only the race below needs it; the exit it reports later is the expected one.
  try {
    const url = await Promise.race([ready, failure]);
    return { url, stop, output: () => log };
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- server output ---\n${log}`);
  } finally {
    clearTimeout(timer);
  }
}
