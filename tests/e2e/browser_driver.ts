// What the browser tests share: launching Debian's Chromium, a page that records console errors, and a player
// that reads the page hooks (docs: page-hooks) and clicks its way through decisions. Owns no assertions.

// deno.json belongs to the server; only the browser tests need the driver, so it is pinned here.
// deno-lint-ignore no-import-prefix
import { type Browser, type BrowserContext, chromium, type Page } from "npm:playwright-core@1.65.1";

export type { Browser, BrowserContext, Page };

export const CHROMIUM = "/usr/bin/chromium";
const LAUNCH_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

export function hasChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false; // Not installed: the caller decides whether that is a skip (laptop) or a failure (CI).
  }
}

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
}

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };

/** Screenshots land here (git-ignored); `LIAPTUI_DOCS_SCREENSHOTS=1` also refreshes the copies in docs/. */
const ARTIFACTS = new URL("../../test-artifacts/", import.meta.url);
const DOCS = new URL("../../docs/screenshots/", import.meta.url);

export async function screenshot(page: Page, name: string, fullPage = false, forDocs = true): Promise<void> {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  const path = new URL(`${name}.png`, ARTIFACTS).pathname;
  await page.screenshot({ path, fullPage, animations: "disabled" });
  if (forDocs && Deno.env.get("LIAPTUI_DOCS_SCREENSHOTS") === "1") {
    await Deno.mkdir(DOCS, { recursive: true });
    await Deno.copyFile(path, new URL(`${name}.png`, DOCS).pathname);
  }
}

/** Every console error and uncaught exception of every page opened through `openPage`. */
export class ConsoleWatch {
  readonly problems: string[] = [];

  async openPage(
    browser: Browser,
    label: string,
    viewport = DESKTOP,
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      viewport,
      isMobile: viewport.width < 500,
      hasTouch: viewport.width < 500,
    });
    const page = await context.newPage();
    page.on("console", (message) => {
      if (message.type() === "error") this.problems.push(`${label}: console: ${message.text()}`);
    });
    page.on("pageerror", (error) => this.problems.push(`${label}: ${error.message}`));
    return { context, page };
  }
}

/**
 * Lets a test cut the page's connection the way a network does: every WebSocket the page opens is kept in
 * `__sockets`, and every connection status the page changes to is appended to `__statuses`.
 */
export async function watchConnection(context: BrowserContext): Promise<void> {
  await context.addInitScript(`(() => {
    const Native = WebSocket;
    const sockets = [];
    globalThis.__sockets = sockets;
    globalThis.WebSocket = class extends Native {
      constructor(...args) { super(...args); sockets.push(this); }
    };
    const statuses = [];
    globalThis.__statuses = statuses;
    globalThis.__statusSets = 0;
    // Changes only: the page sets the same status again when it renders (a broadcast arriving between a drop and
    // the socket's close event did), and a status set again over itself is not a new one shown.
    new MutationObserver((changes) => {
      for (const c of changes) {
        const now = c.target.dataset.status;
        if (c.attributeName !== "data-status") continue;
        globalThis.__statusSets += 1;
        if (c.oldValue !== now) statuses.push(now);
      }
    }).observe(document, {
      attributes: true, attributeOldValue: true, subtree: true, attributeFilter: ["data-status"],
    });
  })()`);
}

/** Drops the page's newest socket (as a network failure would, from the page's side). */
export async function dropConnection(page: Page): Promise<void> {
  await page.evaluate("globalThis.__statuses.length = 0; globalThis.__sockets.at(-1).close(4999, 'test')");
}

/**
 * How many times the page set its connection status (changed or not) during `ms` of its life: the page
 * renders every 250 ms, and a status set again is a mutation that observers and screen readers hear.
 */
export function statusSetsDuring(page: Page, ms: number): Promise<number> {
  return page.evaluate<number>(
    `(async () => { const before = globalThis.__statusSets; await new Promise((r) => setTimeout(r, ${ms})); ` +
      `await new Promise((r) => setTimeout(r, 0)); return globalThis.__statusSets - before; })()`,
  );
}

/** The connection statuses the page showed since the last drop. */
export function statusesShown(page: Page): Promise<string[]> {
  return page.evaluate<string[]>("globalThis.__statuses.slice()");
}

/** Horizontal overflow of the document in CSS pixels (0 when nothing scrolls sideways). */
export function sidewaysScroll(page: Page): Promise<number> {
  // A string, since this file is checked without the DOM library.
  return page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
}

export type Outcome = "declare" | "play" | "redeal" | "over";

/**
 * Waits until the page asks us for a decision or shows the final ranking, then clicks the decision the way a
 * person would: the first allowed declaration, declining a redeal, or the first N pieces (a single piece when
 * leading; any N pieces are legal when following). Resolves once the server has taken the decision.
 */
export async function actOnce(
  page: Page,
  beforePlay: () => Promise<void> = async () => {},
  timeout = 30_000,
): Promise<Outcome> {
  const either = page.locator("[data-testid=your-turn], [data-testid=game-over]").first();
  try {
    await either.waitFor({ timeout });
  } catch (error) {
    await screenshot(page, `stuck-${Date.now()}`, true, false);
    throw error;
  }
  if (await page.locator("[data-testid=game-over]").isVisible()) return "over";
  const turn = page.locator("[data-testid=your-turn]");
  const decision = await turn.getAttribute("data-decision");
  if (decision === "declare") {
    const seat = await page.locator("[data-seat][data-you][data-occupant]").getAttribute("data-seat");
    const button = page.locator("[data-action=declare]:not([disabled])").first();
    const value = await button.getAttribute("data-value");
    await button.click();
    await page.locator(`[data-testid=declared][data-seat="${seat}"]`, { hasText: value ?? "" }).waitFor({
      timeout,
    });
    return "declare";
  }
  if (decision === "redeal") {
    await page.locator("[data-action=decline-redeal]").click();
    await page.locator("[data-testid=your-turn][data-decision=redeal]").waitFor({
      state: "detached",
      timeout,
    });
    return "redeal";
  }
  const count = Number(await turn.getAttribute("data-count") ?? "1");
  const pieces = page.locator("[data-piece-id]");
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const piece = pieces.nth(i);
    ids.push((await piece.getAttribute("data-piece-id")) ?? "");
    await piece.click();
  }
  await beforePlay();
  await page.locator("[data-action=play]:not([disabled])").click();
  for (const id of ids) await page.locator(`[data-piece-id="${id}"]`).waitFor({ state: "detached", timeout });
  return "play";
}

export interface PlayHooks {
  /** With the pieces selected, before the play is sent: the page mid-turn. */
  beforePlay?: () => Promise<void>;
  /** After the n-th decision was taken. */
  afterDecision?: (n: number) => Promise<void>;
}

/** Plays every decision until the final ranking shows; returns how many decisions were made. */
export async function playToTheEnd(page: Page, hooks: PlayHooks = {}): Promise<number> {
  let decisions = 0;
  while ((await actOnce(page, hooks.beforePlay)) !== "over") {
    decisions++;
    await hooks.afterDecision?.(decisions);
  }
  return decisions;
}

/** Room settings that make a game short and quick, still with visible pauses. */
export const FAST_SETTINGS: Record<string, string> = {
  bot_think_ms: "0",
  after_deal_ms: "0",
  after_turn_ms: "60",
  after_round_ms: "150",
  target_score: "1",
  max_rounds: "1",
};

/**
 * Fills the host's settings inputs and saves them. Nothing to wait for: the room applies one socket's messages in
 * order, so a start clicked afterwards finds the settings in force.
 */
export async function applySettings(page: Page, settings: Record<string, string>): Promise<void> {
  for (const [key, value] of Object.entries(settings)) {
    await page.locator(`[data-setting=${key}]`).fill(value);
  }
  await page.locator("[data-action=save-settings]").click();
}
