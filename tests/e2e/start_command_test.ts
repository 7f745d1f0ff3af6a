// End-to-end: the README's start command, `deno task start`, runs the server from source on Bun, the runtime
// the release binary ships, and passes flags through.

import assert from "node:assert/strict";
import { freePort, REPO_ROOT } from "../support/server_process.ts";

Deno.test("deno task start serves on Bun with the flags given after it", async () => {
  const port = freePort();
  // Its own process group: deno task → npx → bun is a tree, and the whole tree must go at the end.
  const child = new Deno.Command("setsid", {
    args: [
      Deno.execPath(),
      "task",
      "start",
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
      "--log-format",
      "text",
    ],
    cwd: REPO_ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const stderr = child.stderr.pipeTo(new WritableStream());
  let log = "";
  try {
    while (!/listening on http:\/\/127\.0\.0\.1:\d+ \(\w+\)/.test(log)) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`deno task start exited before listening:\n${log}`);
      log += value;
    }
    assert.match(log, new RegExp(`listening on http://127\\.0\\.0\\.1:${port} \\(bun\\)`));
    assert.match(log, /^INFO /m, "--log-format text was passed through");
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal((await health.json()).status, "ok");
  } finally {
    try {
      Deno.kill(-child.pid, "SIGTERM");
    } catch {
      // The group is already gone.
    }
    await child.status;
    await reader.cancel().catch(() => {});
    await stderr.catch(() => {});
  }
});
