// End-to-end in a real browser: people play Liap Tui through the built-in page alone, against the compiled
// binary (and the page loads from source too). Drives the page by its hooks (page-hooks.md) and by clicks.
import assert from "node:assert/strict";
import { binaryExists, type ServerProcess, startServer } from "../support/server_process.ts";
import { until } from "../support/waiting.ts";
import {
  applySettings,
  type Browser,
  CHROMIUM,
  ConsoleWatch,
  dropConnection,
  FAST_SETTINGS,
  hasChromium,
  launch,
  type Page,
  PHONE,
  playToTheEnd,
  screenshot,
  sidewaysScroll,
  statusesShown,
  statusSetsDuring,
  watchConnection,
} from "./browser_driver.ts";

// On CI the browser suite must run or fail; on a laptop without Chromium or a built binary it is skipped.
const onCi = Deno.env.get("CI") === "true";
const missing = [
  hasChromium() ? null : `${CHROMIUM} is not installed (apt-get install chromium)`,
  binaryExists() ? null : "dist/liaptui is not built (deno task compile)",
].filter((m) => m !== null);
if (missing.length > 0 && !onCi) console.warn(`browser_test: skipped: ${missing.join("; ")}`);

const XSS_ROOM = `<img src=x onerror=window.__xss=1> & "Fri"`;
const XSS_CHAT = `<script>window.__xss=2</script><b>bold?</b>`;

/** Nothing a user typed ever became markup: no injected element and no script ran. */
async function assertNoInjection(page: Page): Promise<void> {
  assert.equal(
    await page.evaluate(() => (globalThis as { __xss?: number }).__xss),
    undefined,
    "no script ran",
  );
  assert.equal(await page.locator("img, main script, b").count(), 0, "no injected element");
}

async function createRoom(page: Page, url: string, name: string, roomName: string): Promise<string> {
  await page.goto(`${url}/`);
  await page.locator("[data-testid=player-name]").fill(name);
  await page.locator("[data-testid=room-name]").fill(roomName);
  await page.locator("[data-testid=create-room]").click();
  await page.waitForURL(/\/room\/[A-Za-z0-9_-]+$/);
  await page.locator("[data-seat='0'][data-you][data-occupant=human]").waitFor();
  return page.url();
}

async function phaseOf(page: Page): Promise<string | null> {
  return await page.locator("[data-testid=phase]").getAttribute("data-phase");
}

Deno.test({
  name: "people play whole games in the page alone, on the compiled binary",
  ignore: missing.length > 0 && !onCi,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    assert.deepEqual(missing, [], "the browser suite needs Chromium and the binary");
    const server = await startServer("binary");
    const browser = await launch();
    const watch = new ConsoleWatch();
    try {
      await t.step("the page and its assets are served with a strict policy", async () => {
        const page = await fetch(`${server.url}/`);
        const csp = page.headers.get("content-security-policy") ?? "";
        await page.body?.cancel();
        assert.match(csp, /script-src 'self';/);
        assert.match(csp, /style-src 'self';/);
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
        const script = await fetch(`${server.url}/app.js`);
        assert.equal(script.headers.get("content-type"), "text/javascript; charset=utf-8");
        assert.ok((await script.text()).length > 10_000, "the bundle is embedded");
        const styles = await fetch(`${server.url}/app.css`);
        assert.equal(styles.headers.get("content-type"), "text/css; charset=utf-8");
        await styles.body?.cancel();
      });

      await t.step(
        "one person and three bots play to the final ranking through a dropped connection, then again",
        async () => {
          await soloGame(browser, server, watch);
        },
      );

      await t.step(
        "two people and two bots play to the end; a reload mid-game continues; a spectator sees no hand",
        async () => {
          await twoPeople(browser, server, watch);
        },
      );

      await t.step("room names, player names and chat with HTML in them show as text", async () => {
        await markupAsText(browser, server, watch);
      });

      await t.step("no page logged an error", () => {
        assert.deepEqual(watch.problems, []);
      });
    } finally {
      await browser.close();
      await server.stop();
    }
  },
});

async function soloGame(browser: Browser, server: ServerProcess, watch: ConsoleWatch): Promise<void> {
  const { page, context } = await watch.openPage(browser, "solo");
  await watchConnection(context);
  await createRoom(page, server.url, "Ann", "Solo table");
  assert.equal(await phaseOf(page), "WAITING");
  for (const seat of [1, 2, 3]) {
    await page.locator(`[data-action=add-bot][data-seat="${seat}"]`).click();
    await page.locator(`[data-seat="${seat}"][data-occupant=bot]`).waitFor();
  }
  await page.locator("[data-action=remove-bot][data-seat='2']").click();
  await page.locator("[data-seat='2'][data-occupant=empty]").waitFor();
  await page.locator("[data-action=add-bot][data-seat='2']").click();
  await page.locator("[data-seat='2'][data-occupant=bot]").waitFor();
  await applySettings(page, FAST_SETTINGS);
  await page.locator("[data-action=start]").click();

  let shotTaken = false;
  let busyShot = false;
  let dropped = false;
  const decisions = await playToTheEnd(page, {
    beforePlay: async () => {
      // A player in another tab sees from the tab's title that the table waits for them, and for what.
      assert.match(await page.title(), /^Your move: (lead|play \d) · Solo table · Liap Tui$/);
      // The first play is kept; a later one with others' pieces already on the table replaces it once.
      const busy = (await page.locator(".trick .piece").count()) > 0;
      if (shotTaken && (!busy || busyShot)) return;
      await screenshot(page, "table-desktop");
      shotTaken = true;
      busyShot = busy;
    },
    afterDecision: async (n) => {
      const phase = await phaseOf(page);
      assert.ok(phase !== "WAITING", "the phase badge follows the game");
      if (n !== 2) return;
      // The connection drops mid-game: the page says so, comes back on its own, to the same seat and hand.
      const held = await page.locator("[data-piece-id]").count();
      // Three render ticks with the connection open: the status badge is not set again (a live region).
      assert.equal(await statusSetsDuring(page, 800), 0, "the open status is not set again on every render");
      await dropConnection(page);
      // The socket's close event comes later than close() returns: wait for the statuses since the drop to end
      // in "open", not for the badge, which still says "open" until the page has heard of the drop.
      await until(async () => {
        const statuses = await statusesShown(page);
        return statuses.length > 1 && statuses.at(-1) === "open" ? true : undefined;
      }, "the page to show the drop and then be open again");
      await page.locator("#link[data-status=open]").waitFor();
      await page.waitForFunction(`document.querySelectorAll("[data-piece-id]").length === ${held}`);
      await page.locator("[data-seat='0'][data-you][data-occupant=human]").waitFor();
      const shown = await statusesShown(page);
      assert.deepEqual(shown.slice(0, 1), ["reconnecting"], `statuses shown: ${shown}`);
      assert.equal(shown.at(-1), "open");
      dropped = true;
    },
  });
  assert.ok(shotTaken, "the table was captured mid-turn");
  assert.ok(dropped, "the connection was dropped and came back mid-game");
  assert.ok(decisions >= 2, `a declaration and plays, got ${decisions}`);
  assert.equal(await page.locator("[data-piece-id]").count(), 0, "every piece of the hand was played");
  assert.equal(await phaseOf(page), "GAME_OVER");
  assert.equal(await page.title(), "Solo table · Liap Tui", "nothing waits for us any more");
  const over = page.locator("[data-testid=game-over]");
  assert.equal(await over.locator("[data-rank]").count(), 4);
  const ranked = await over.locator("[data-rank='1']").first().textContent();
  assert.ok(ranked !== null && ranked.length > 0);
  await page.locator("[data-testid=round-scores]").waitFor();
  for (const seat of [0, 1, 2, 3]) {
    const score = await page.locator(`[data-testid=score][data-seat="${seat}"]`).textContent();
    assert.match(score ?? "", /^-?\d+$/, "each seat shows its total");
  }
  await screenshot(page, "game-over");

  // Play again, with a deadline this time: letting it run out hands the decision to a bot, announced.
  await applySettings(page, { turn_timeout_ms: "1500", redeal_timeout_ms: "1500" });
  await page.locator("[data-testid=game-over] [data-action=start]").click();
  await page.locator("[data-testid=game-over]").waitFor({ state: "detached" });
  await page.locator("[data-testid=your-turn]").waitFor();
  await page.locator("[data-testid=countdown]", { hasText: /0:0\d/ }).waitFor();
  await page.locator("#notice", { hasText: "ran out of time" }).waitFor();
  await page.locator("[data-action=leave]").click();
  await page.waitForURL(`${server.url}/`);
}

async function twoPeople(browser: Browser, server: ServerProcess, watch: ConsoleWatch): Promise<void> {
  const ann = (await watch.openPage(browser, "ann")).page;
  const bo = (await watch.openPage(browser, "bo", PHONE)).page;

  // Bo already looks at the lobby, so the room must arrive live.
  await bo.goto(`${server.url}/`);
  await bo.locator("[data-testid=player-name]").fill("Bo");
  await bo.locator("#link[data-status=open]").waitFor();
  const roomUrl = await createRoom(ann, server.url, "Ann", "Friday night");
  const roomId = roomUrl.slice(roomUrl.lastIndexOf("/") + 1);
  const card = bo.locator(`[data-room-id="${roomId}"]`);
  await card.waitFor();
  assert.equal(await sidewaysScroll(bo), 0, "the phone lobby does not scroll sideways");
  await screenshot(bo, "lobby-phone");
  // Bo first tries a name already taken at the table, then takes a seat under his own: the refusal goes away.
  await bo.locator("[data-testid=player-name]").fill("Ann");
  await card.locator("[data-action=join]").click();
  await bo.locator("[data-testid=error]", { hasText: "taken" }).waitFor();
  await bo.locator("[data-testid=player-name]").fill("Bo");
  await bo.locator("[data-action=join-room]").click();
  await bo.locator("[data-seat='1'][data-you][data-occupant=human]").waitFor();
  assert.equal(await bo.locator("[data-testid=error]").count(), 0, "no stale refusal over Bo's table");
  await ann.locator("[data-seat='1'][data-occupant=human]", { hasText: "Bo" }).waitFor();

  // Chat both ways, as text.
  await bo.locator("[data-testid=chat-input]").fill(XSS_CHAT);
  await bo.locator("[data-action=send-chat]").click();
  await ann.locator("#chat-log li", { hasText: XSS_CHAT }).waitFor();
  await assertNoInjection(ann);

  // A lobby screenshot with the room listed, from a third person's desktop.
  const lobby = (await watch.openPage(browser, "lobby")).page;
  await lobby.goto(`${server.url}/`);
  await lobby.locator(`[data-room-id="${roomId}"]`).waitFor();
  await screenshot(lobby, "lobby");
  await lobby.close();

  for (const seat of [2, 3]) await ann.locator(`[data-action=add-bot][data-seat="${seat}"]`).click();
  await ann.locator("[data-seat='3'][data-occupant=bot]").waitFor();
  await applySettings(ann, { ...FAST_SETTINGS, after_turn_ms: "150" });
  assert.equal(await sidewaysScroll(bo), 0, "the phone room does not scroll sideways");
  await ann.locator("[data-action=start]").click();

  // A spectator follows the game from the shared link.
  const cy = (await watch.openPage(browser, "cy")).page;
  await cy.goto(roomUrl);
  await cy.locator("[data-testid=player-name]").fill("Cy");
  await cy.locator("[data-action=watch]").click();
  await cy.locator("[data-testid=declared][data-seat='0']").waitFor();

  let reloaded = false;
  let phoneShot = false;
  let busyPhoneShot = false;
  const annPlays = playToTheEnd(ann);
  const boPlays = playToTheEnd(bo, {
    beforePlay: async () => {
      const busy = (await bo.locator(".trick .piece").count()) > 0;
      if (phoneShot && (!busy || busyPhoneShot)) return;
      busyPhoneShot = busy;
      assert.equal(await sidewaysScroll(bo), 0, "the phone table does not scroll sideways");
      await bo.evaluate("window.scrollTo(0, 0)");
      await screenshot(bo, "table-phone", true);
      phoneShot = true;
    },
    afterDecision: async (n) => {
      if (reloaded || n < 2) return;
      // A reload mid-game: the stored token brings Bo back to seat 1 with the hand as it was.
      const before = await bo.locator("[data-piece-id]").count();
      assert.ok(before > 0, "Bo still holds pieces, so the game is still on");
      await bo.reload();
      await bo.locator("[data-seat='1'][data-you]").waitFor();
      await bo.waitForFunction(`document.querySelectorAll("[data-piece-id]").length === ${before}`);
      assert.notEqual(await phaseOf(bo), "WAITING", "back at the running table");
      reloaded = true;
    },
  });
  const [annDecisions, boDecisions] = await Promise.all([annPlays, boPlays]);
  assert.ok(annDecisions >= 2 && boDecisions >= 2, `${annDecisions} and ${boDecisions} decisions`);
  assert.ok(reloaded, "Bo reloaded mid-game");
  assert.ok(phoneShot, "the phone table was captured mid-turn");

  await cy.locator("[data-testid=game-over]").waitFor();
  assert.equal(await cy.locator("[data-piece-id]").count(), 0, "a spectator sees no hand");
  assert.equal(await cy.locator("[data-testid=your-turn]").count(), 0);
  assert.equal(await cy.locator("[data-testid=game-over] [data-rank]").count(), 4);
  await bo.locator("[data-testid=game-over]").waitFor();
  assert.equal(await sidewaysScroll(bo), 0);
  for (const page of [ann, bo, cy]) await assertNoInjection(page);
}

async function markupAsText(browser: Browser, server: ServerProcess, watch: ConsoleWatch): Promise<void> {
  const viewer = (await watch.openPage(browser, "viewer")).page;
  await viewer.goto(`${server.url}/`);
  await viewer.locator("#link[data-status=open]").waitFor();
  const host = (await watch.openPage(browser, "xss-host")).page;
  const name = `Eve "&amp;"`;
  const roomUrl = await createRoom(host, server.url, name, XSS_ROOM);
  const roomId = roomUrl.slice(roomUrl.lastIndexOf("/") + 1);
  const card = viewer.locator(`[data-room-id="${roomId}"]`);
  await card.waitFor();
  assert.ok((await card.textContent())?.includes(XSS_ROOM), "the room name shows as typed");
  assert.ok((await card.textContent())?.includes(name), "the host's name shows as typed");
  assert.equal(await host.locator("h1").textContent(), XSS_ROOM);
  await host.locator("[data-testid=chat-input]").fill(XSS_CHAT);
  await host.locator("[data-action=send-chat]").click();
  await host.locator("#chat-log li", { hasText: XSS_CHAT }).waitFor();
  // A name the server refuses is explained before anything is sent.
  await viewer.locator("[data-testid=player-name]").fill("<b>Mallory</b>");
  await card.locator("[data-action=join]").click();
  await viewer.locator("[data-testid=error]", { hasText: "cannot contain <" }).waitFor();
  // An invisible character is named as such in a person's words, not as the server's schema path.
  await viewer.locator("[data-testid=player-name]").fill("Mallory\u200b");
  await card.locator("[data-action=join]").click();
  await viewer.locator("[data-testid=error]", { hasText: "Names cannot contain invisible characters" })
    .waitFor();
  await viewer.locator("[data-testid=player-name]").fill("Mallory");
  await viewer.locator("[data-testid=room-name]").fill("Fri\u200bday");
  await viewer.locator("[data-testid=create-room]").click();
  await viewer.locator("[data-testid=error]", { hasText: "Room names cannot contain invisible" }).waitFor();
  assert.equal(new URL(viewer.url()).pathname, "/", "nothing was sent: still in the lobby");
  // A tap on the message dismisses it before its time is up.
  await viewer.locator("[data-testid=error]").click();
  assert.equal(await viewer.locator("[data-testid=error]").count(), 0, "the message went on a tap");
  for (const page of [viewer, host]) await assertNoInjection(page);
  await host.locator("[data-action=leave]").click();
  await host.waitForURL(`${server.url}/`);
}

Deno.test({
  name: "the page loads from source under Deno and reaches the lobby channel",
  ignore: !hasChromium() && !onCi,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const server = await startServer("source");
    const browser = await launch();
    const watch = new ConsoleWatch();
    try {
      const { page } = await watch.openPage(browser, "source");
      await page.goto(`${server.url}/`);
      await page.locator("#link[data-status=open]").waitFor();
      await page.getByText("No public rooms yet").waitFor();
      assert.deepEqual(watch.problems, []);
    } finally {
      await browser.close();
      await server.stop();
    }
  },
});
