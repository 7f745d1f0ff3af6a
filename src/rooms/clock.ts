// Time as a dependency: the real clock for the server, a fake one for tests. No other module reads time itself.

export type TimerId = number;

/** Wall time and timers, injected everywhere something waits, so tests can drive time by hand. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
  setInterval(fn: () => void, ms: number): TimerId;
  clearInterval(id: TimerId): void;
}

/** The runtime's clock. Timer ids are whatever the runtime returns (numbers in Deno, objects in Bun). */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms) as unknown as TimerId,
  clearTimeout: (id) => clearTimeout(id as unknown as number),
  setInterval: (fn, ms) => setInterval(fn, ms) as unknown as TimerId,
  clearInterval: (id) => clearInterval(id as unknown as number),
};

interface FakeTimer {
  at: number;
  fn: () => void;
  every: number | null;
}

/** A clock that only moves when told to; `advance` fires due timers in time order. */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers = new Map<TimerId, FakeTimer>();

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn, every: null });
    return id;
  }

  clearTimeout(id: TimerId): void {
    this.#timers.delete(id);
  }

  setInterval(fn: () => void, ms: number): TimerId {
    const id = this.#nextId++;
    const every = Math.max(1, ms);
    this.#timers.set(id, { at: this.#now + every, fn, every });
    return id;
  }

  clearInterval(id: TimerId): void {
    this.#timers.delete(id);
  }

  /** Timers still scheduled; a disposed owner should leave none. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, earliest first. */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      let nextId: TimerId | null = null;
      let next: FakeTimer | null = null;
      for (const [id, timer] of this.#timers) {
        if (timer.at <= until && (next === null || timer.at < next.at)) {
          nextId = id;
          next = timer;
        }
      }
      if (next === null || nextId === null) break;
      this.#now = next.at;
      if (next.every === null) this.#timers.delete(nextId);
      else next.at += next.every;
      next.fn();
    }
    this.#now = until;
  }
}
