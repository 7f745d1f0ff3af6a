// A token bucket per connection: steady rate with bursts. Pure arithmetic on times passed in.

export class TokenBucket {
  readonly capacity: number;
  readonly perSecond: number;
  #tokens: number;
  #last: number;

  constructor(perSecond: number, capacity: number, now: number) {
    this.perSecond = perSecond;
    this.capacity = capacity;
    this.#tokens = capacity;
    this.#last = now;
  }

  /** Takes one token if there is one; a false answer means the message is over the rate. */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.#last) / 1000;
    this.#tokens = Math.min(this.capacity, this.#tokens + elapsed * this.perSecond);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  get tokens(): number {
    return this.#tokens;
  }
}
