// The typed client bundled for the browser and run in Chromium against the real server: it joins, keeps its
// token in localStorage, and after a page reload takes the same seat back from that token alone.

import assert from "node:assert/strict";
// deno.json belongs to the server; like tests/e2e/browser_test.ts, this test pins the browser driver here.
// deno-lint-ignore no-import-prefix
import { chromium } from "npm:playwright-core@1.65.1";
import { requireOnCi } from "../support/ci.ts";
import { withServer } from "../support/server_process.ts";
import { withTempDir } from "../support/temp_dir.ts";

const CHROMIUM = "/usr/bin/chromium";
const LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"];
const hasChromium = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false; // Not installed: ignored locally, a failure on CI (requireOnCi below).
  }
})();
const ignore = requireOnCi(hasChromium, `${CHROMIUM} is not installed (apt-get install chromium)`);

/** src/client as one browser script (what a bundler makes of it), exposing its factories on `liaptui`. */
async function bundleClient(): Promise<string> {
  return await withTempDir("liaptui-client-", async (dir) => {
    const entry = `${dir}/entry.ts`;
    const src = new URL("../../src/client/", import.meta.url).href;
    await Deno.writeTextFile(
      entry,
      `import { roomClient } from "${src}client.ts";\n` +
        `import { storageTokenStore } from "${src}token_store.ts";\n` +
        `(globalThis as Record<string, unknown>).liaptui = { roomClient, storageTokenStore };\n`,
    );
    const out = `${dir}/bundle.js`;
    const { success, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--platform", "browser", "-o", out, entry],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.ok(success, new TextDecoder().decode(stderr));
    return await Deno.readTextFile(out);
  });
}

/** Runs in the page: connects with the tokens in localStorage, joins if it holds none, reports what it saw. */
const visit = `(async () => {
  const { roomClient, storageTokenStore } = globalThis.liaptui;
  const client = roomClient(location.origin, "browser-room", { tokens: storageTokenStore(localStorage) });
  const connected = client.waitFor("connected");
  const hadToken = client.token !== null;
  const snapshot = hadToken ? client.waitFor("game_state") : null;
  await client.connect();
  const who = (await connected).data.player_name;
  const seat = hadToken ? (await snapshot).data.you.seat : (await client.request("join_room", { player_name: "Ann" })).data.seat;
  globalThis.keep = client;
  return { hadToken, who, seat, stored: localStorage.getItem("liaptui.token.browser-room") === client.token };
})()`;

Deno.test({
  name:
    "in a browser the bundled client joins, keeps its token in localStorage and takes the seat back after a reload",
  ignore,
  async fn() {
    const script = await bundleClient();
    assert.ok(
      !/^\s*(import|export)\b/m.test(script),
      "the bundle is a plain script: only types came from the server",
    );
    await withServer("source", [], async (server) => {
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
      try {
        const page = await browser.newPage();
        await page.goto(`${server.url}/healthz`); // any page of the server's origin, for its localStorage
        await page.evaluate(script);
        assert.deepEqual(await page.evaluate(visit), { hadToken: false, who: null, seat: 0, stored: true });
        await page.reload();
        await page.evaluate(script);
        assert.deepEqual(await page.evaluate(visit), { hadToken: true, who: "Ann", seat: 0, stored: true });
      } finally {
        await browser.close();
      }
    });
  },
});
