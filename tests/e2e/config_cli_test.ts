// End-to-end: the configuration as the real program reads it, from source and as the binary — a config file
// under the environment and flags, --print-config with the admin token masked, and a bad file key refused
// in one line.

import assert from "node:assert/strict";
import { ignoreTarget, runToExit, TARGETS } from "../support/server_process.ts";
import { withTempDir } from "../support/temp_dir.ts";

for (const target of TARGETS) {
  Deno.test({
    name: `[${target}] --print-config shows file, env and flag settings merged, the admin token masked`,
    ignore: ignoreTarget(target),
    async fn() {
      await withTempDir("liaptui-config-", async (folder) => {
        const file = `${folder}/liaptui.json`;
        await Deno.writeTextFile(file, JSON.stringify({ port: 7001, rate: 7, "max-rooms": 70 }));
        const env = { LIAPTUI_RATE: "8", LIAPTUI_ADMIN_TOKEN: "secret-secret-secret-1" };
        const printed = await runToExit(target, ["--config", file, "--port", "9001", "--print-config"], env);
        assert.equal(printed.code, 0, printed.stderr);
        assert.ok(!printed.stdout.includes("secret-secret"), "the token is masked");
        const settings = JSON.parse(printed.stdout) as Record<string, unknown>;
        assert.deepEqual(
          [settings["port"], settings["rate"], settings["max-rooms"], settings["admin-token"]],
          [9001, 8, 70, "********"],
        );

        await Deno.writeTextFile(file, JSON.stringify({ port: 70000 }));
        const refused = await runToExit(target, ["--config", file], {});
        assert.equal(refused.code, 2);
        assert.equal(refused.stdout, "");
        assert.equal(refused.stderr, `liaptui: ${file} key "port": expected 0–65535, got 70000\n`);
      });
    },
  });
}
