// Which pages may open WebSockets here: the server's own origin, configured extra origins, or all (`*`).
// Clients that send no Origin (scripts, bots, native apps) are not browsers and pass.

export class OriginCheck {
  #allowed: Set<string>;
  #any: boolean;

  constructor(allowedOrigins: readonly string[]) {
    this.#any = allowedOrigins.includes("*");
    this.#allowed = new Set(allowedOrigins.map((o) => o.toLowerCase()));
  }

  /** Whether a request with this Origin and Host header may upgrade. */
  allows(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined || this.#any) return true;
    const lower = origin.toLowerCase();
    if (this.#allowed.has(lower)) return true;
    try {
      // Same origin: the page was served by this host (the proxy must pass Host through).
      return host !== undefined && new URL(lower).host === host.toLowerCase();
    } catch {
      return false; // `null` or garbage: not a page we served.
    }
  }
}
