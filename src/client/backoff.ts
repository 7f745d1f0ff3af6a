// How long to wait before the next reconnect attempt: exponential backoff with full jitter and a cap. Pure.

export interface BackoffOptions {
  /** The first attempt's ceiling, in ms. */
  initialMs: number;
  /** No wait is ever longer than this, in ms. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({ initialMs: 500, maxMs: 15_000 });

/**
 * The wait before attempt `attempt` (0 for the first retry): a uniform draw from `[0, min(max, initial·2^attempt))`.
 * Full jitter spreads a crowd of clients that lost the same server over the whole window, so a restarted server
 * is not met by all of them in the same millisecond.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  // 2^31 already exceeds any sane cap; clamping the exponent keeps the product finite.
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 31));
  return Math.floor(random() * ceiling);
}
