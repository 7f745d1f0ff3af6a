// Waiting in end-to-end tests: for a condition to hold, polled, with a generous limit that only a hang reaches.
// Tests wait for events; a fixed sleep before reading is never how they synchronise.

/** Resolves after `ms` of real time. Only for polling intervals and pacing, never as the thing that syncs. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `probe` until it returns something other than undefined, and resolves with it. The limit is a hang
 * detector, not a performance budget: it is long enough that a loaded machine does not reach it.
 */
export async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string | (() => string),
  timeoutMs = 15_000,
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      throw new Error(
        `gave up after ${timeoutMs} ms waiting for ${typeof what === "string" ? what : what()}`,
      );
    }
    await sleep(everyMs);
  }
}
