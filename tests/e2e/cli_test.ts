// End-to-end: the command line of the server from source and of the compiled binary — help, version, bad
// flags and values — and the binary running alone from an empty folder.

import assert from "node:assert/strict";
import { BINARY, ignoreTarget, type Outcome, runToExit, TARGETS } from "../support/server_process.ts";

function assertOneLineRefusal(outcome: Outcome, mentions: RegExp): void {
  assert.notEqual(outcome.code, 0, "a bad command line exits non-zero");
  const lines = outcome.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line of explanation, got:\n${outcome.stderr}`);
  assert.match(lines[0]!, mentions);
  assert.equal(outcome.stdout, "", "nothing on stdout, and no server started");
}

for (const target of TARGETS) {
  Deno.test({
    name:
      `[${target}] --help and --version print and exit 0; unknown flags and bad values exit non-zero in one line`,
    ignore: ignoreTarget(target),
    async fn() {
      const help = await runToExit(target, ["--help"]);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /^Usage: liaptui \[options\]$/m);
      for (const flag of ["--port", "--max-frame-bytes", "--rate", "--send-buffer-bytes", "--version"]) {
        assert.ok(help.stdout.includes(flag), `--help lists ${flag}`);
      }
      assert.equal((await runToExit(target, ["-h"])).stdout, help.stdout);

      const version = await runToExit(target, ["--version"]);
      assert.equal(version.code, 0);
      assert.match(version.stdout.trim(), /^liaptui \d+\.\d+\.\d+$/);

      assertOneLineRefusal(await runToExit(target, ["--bogus"]), /unknown option --bogus/);
      assertOneLineRefusal(await runToExit(target, ["--port", "eighty"]), /--port: expected a whole number/);
      assertOneLineRefusal(await runToExit(target, ["--rate=0"]), /--rate: expected 1–10000, got 0/);
      assertOneLineRefusal(await runToExit(target, ["--port"]), /--port needs a value/);
      assertOneLineRefusal(
        await runToExit(target, [], { PORT: "70000" }),
        /PORT: expected 0–65535, got 70000/,
      );
    },
  });
}

Deno.test({
  name: "[binary] the binary copied alone into an empty folder serves the lobby page and /healthz",
  ignore: ignoreTarget("binary"),
  async fn() {
    const folder = await Deno.makeTempDir({ prefix: "liaptui-alone-" });
    let child: Deno.ChildProcess | null = null;
    try {
      const binary = `${folder}/liaptui`;
      await Deno.copyFile(BINARY, binary);
      await Deno.chmod(binary, 0o755);
      assert.deepEqual([...Deno.readDirSync(folder)].map((e) => e.name), ["liaptui"]);

      child = new Deno.Command(binary, {
        args: ["--port", "0", "--host", "127.0.0.1"],
        cwd: folder,
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let log = "";
      let port: string | undefined;
      while (port === undefined) {
        const { done, value } = await lines.read();
        if (done) throw new Error(`the binary exited before listening:\n${log}`);
        log += value;
        port = log.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/)?.[1];
      }
      assert.match(log, /\(bun\)/, "the binary runs on Bun");

      const page = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /<html/i);
      assert.doesNotMatch(
        html,
        /<script[^>]+src="(https?:)?\/\/|<link[^>]+href="(https?:)?\/\//i,
        "no other host",
      );
      // The page's own script, stylesheet and icon come from the binary too, with nothing beside it on disk.
      const assets = [...html.matchAll(/<(?:script[^>]+src|link[^>]+href)="(\/[^"]*)"/gi)].map((m) => m[1]!);
      assert.ok(assets.includes("/app.js"), `the page loads its bundle: ${assets.join(", ")}`);
      for (const asset of assets) {
        const response: Response = await fetch(`http://127.0.0.1:${port}${asset}`);
        assert.equal(response.status, 200, asset);
        assert.ok((await response.text()).length > 0, `${asset} is not empty`);
      }
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(health.status, 200);
      const body = (await health.json()) as { status: string; connections: number; rooms: number };
      assert.deepEqual({ status: body.status, connections: body.connections, rooms: body.rooms }, {
        status: "ok",
        connections: 0,
        rooms: 0,
      });

      child.kill("SIGTERM");
      const status = await child.status;
      child = null;
      assert.equal(status.code, 0);
      await lines.cancel();
    } finally {
      if (child !== null) {
        child.kill("SIGKILL");
        await child.status;
        await child.stdout.cancel().catch(() => {});
      }
      await Deno.remove(folder, { recursive: true });
    }
  },
});
