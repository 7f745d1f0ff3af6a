// How late timers fire: a sampler whose interval should tick every `everyMs`; the delay beyond that is
// event-loop lag (a long game action, GC, an overloaded CPU). Owns one interval, cleared by stop().

export class EventLoopLag {
  #timer: ReturnType<typeof setInterval> | null = null;
  #expected = 0;
  #last = 0;
  #max = 0;
  #everyMs: number;
  #now: () => number;

  constructor(now: () => number, everyMs = 500) {
    this.#now = now;
    this.#everyMs = everyMs;
  }

  start(): void {
    if (this.#timer !== null) return;
    this.#expected = this.#now() + this.#everyMs;
    this.#timer = setInterval(() => {
      const now = this.#now();
      this.#last = Math.max(0, now - this.#expected);
      this.#max = Math.max(this.#max, this.#last);
      this.#expected = now + this.#everyMs;
    }, this.#everyMs);
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** The last sample and the largest since the previous call, in milliseconds. */
  take(): { lastMs: number; maxMs: number } {
    const sample = { lastMs: this.#last, maxMs: this.#max };
    this.#max = this.#last;
    return sample;
  }
}
