// /readyz: named checks that must all pass before the server should get traffic (accepting sockets, the
// store open, …). Parts of the server register their check from main.ts.

export class Readiness {
  #checks = new Map<string, () => boolean>();

  /** Adds or replaces a check; the store, for one, adds `store` once it exists. */
  add(name: string, check: () => boolean): void {
    this.#checks.set(name, check);
  }

  status(): { ready: boolean; checks: Record<string, boolean> } {
    const checks: Record<string, boolean> = {};
    let ready = true;
    for (const [name, check] of this.#checks) {
      let ok: boolean;
      try {
        ok = check();
      } catch {
        ok = false; // A check that throws is a check that failed; /readyz must answer, not crash.
      }
      checks[name] = ok;
      ready &&= ok;
    }
    return { ready, checks };
  }
}
