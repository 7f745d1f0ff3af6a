// End-to-end: the admin page in a real browser — it asks for the token, lists live rooms and connections,
// closes a room, and runs under its strict CSP without a single console error.
import assert from "node:assert/strict";
// The browser driver is a test-only dependency, pinned here as in browser_test.ts.
// deno-lint-ignore no-import-prefix
import { chromium } from "npm:playwright-core@1.65.1";
import { withServer } from "../support/server_process.ts";
import { TestClient } from "../support/ws_client.ts";

const CHROMIUM = "/usr/bin/chromium";
const TOKEN = "browser-admin-token-0123456789";
const hasChromium = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false; // Not installed: the test is reported as ignored.
  }
})();

Deno.test({
  name: "the admin page shows live rooms and connections after the token, and closes a room",
  ignore: !hasChromium,
  async fn() {
    await withServer("source", [], async (server) => {
      const player = await TestClient.connect(`${server.wsUrl}/ws/admin-page-room`);
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
      });
      try {
        await player.next("connected");
        player.send("join_room", { player_name: "Ann" });
        await player.next("joined_room");

        const page = await browser.newPage();
        const problems: string[] = [];
        page.on("console", (message) => {
          if (message.type() === "error") problems.push(message.text());
        });
        page.on("pageerror", (error) => problems.push(String(error)));

        await page.goto(`${server.url}/admin`);
        await page.getByLabel("Admin token").fill("not-the-token-at-all");
        await page.getByRole("button", { name: "Show" }).click();
        await page.getByText("The token was refused.").waitFor();
        assert.equal(await page.locator("#live").isHidden(), true, "nothing is shown without the token");
        problems.length = 0; // The refused request's 401 is logged by the browser; that one is expected.

        await page.getByLabel("Admin token").fill(TOKEN);
        await page.getByRole("button", { name: "Show" }).click();
        const row = page.locator("#rooms tr", { hasText: "admin-page-room" });
        await row.waitFor();
        await page.locator("#connections tr", { hasText: "Ann" }).waitFor();
        assert.match(await row.innerText(), /Ann/);

        await row.getByRole("button", { name: "Close" }).click();
        assert.equal((await player.closed).code, 4003);
        await page.locator("#rooms tr").first().waitFor({ state: "detached" });
        assert.deepEqual(problems, [], "no console errors, no CSP violations");
      } finally {
        await browser.close();
        await player.close();
      }
    }, { LIAPTUI_ADMIN_TOKEN: TOKEN });
  },
});
