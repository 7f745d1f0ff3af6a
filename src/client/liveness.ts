// Notices a connection that died without a close event (a laptop lid, a lost route): silence → ping → give up.

import type { ClientTimers } from "./socket_port.ts";

export interface LivenessOptions {
  /** After this much silence from the server, send a `ping`. */
  idleMs: number;
  /** If nothing at all arrives this long after that ping, the connection is dead. */
  timeoutMs: number;
}

export const DEFAULT_LIVENESS: Readonly<LivenessOptions> = Object.freeze({
  idleMs: 25_000,
  timeoutMs: 10_000,
});

/**
 * Watches one connection. It runs on a timer rather than per frame: a frame only bumps a counter, so a busy
 * connection costs nothing extra. Silence is noticed between `idleMs` and twice that after the last frame.
 */
export class Liveness {
  #options: LivenessOptions;
  #timers: ClientTimers;
  #ping: () => void;
  #dead: () => void;
  #frames = 0;
  #framesAtCheck = 0;
  #framesAtPing: number | null = null;
  #timer: unknown = null;

  constructor(options: LivenessOptions, timers: ClientTimers, ping: () => void, dead: () => void) {
    this.#options = options;
    this.#timers = timers;
    this.#ping = ping;
    this.#dead = dead;
  }

  /** Anything arrived: the connection is alive. */
  frame(): void {
    this.#frames += 1;
  }

  start(): void {
    this.stop();
    this.#framesAtCheck = this.#frames;
    this.#arm(this.#options.idleMs);
  }

  stop(): void {
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
    this.#framesAtPing = null;
  }

  #arm(ms: number): void {
    this.#timer = this.#timers.setTimeout(() => this.#check(), ms);
  }

  #check(): void {
    this.#timer = null;
    if (this.#framesAtPing !== null) {
      const answered = this.#frames > this.#framesAtPing;
      this.#framesAtPing = null;
      if (!answered) return this.#dead();
    } else if (this.#frames === this.#framesAtCheck) {
      this.#framesAtPing = this.#frames;
      this.#ping();
      return this.#arm(this.#options.timeoutMs);
    }
    this.#framesAtCheck = this.#frames;
    this.#arm(this.#options.idleMs);
  }
}
