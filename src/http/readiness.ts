// /readyz: named checks that must all pass before the server should get traffic (accepting sockets, the
// store open and writing, …). Parts of the server register their check from main.ts.

export class Readiness {
  #checks = new Map<string, () => boolean | Promise<boolean>>();

  /** Adds or replaces a check; the store, for one, adds `store` once it exists. A check may be async. */
  add(name: string, check: () => boolean | Promise<boolean>): void {
    this.#checks.set(name, check);
  }

  async status(): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
    const checks: Record<string, boolean> = {};
    let ready = true;
    for (const [name, check] of this.#checks) {
      let ok: boolean;
      try {
        ok = await check();
      } catch {
        ok = false; // A check that throws is a check that failed; /readyz must answer, not crash.
      }
      checks[name] = ok;
      ready &&= ok;
    }
    return { ready, checks };
  }
}
