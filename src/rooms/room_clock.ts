// A room's view of time. Live, it is the injected clock; while the room replays its log, "now" is each
// entry's stored time and timers are only noted, then armed for what is left of them when the room goes live
// (a deadline that passed while the server was down fires at once). So replay never reads the clock.

import type { Clock, TimerId } from "./clock.ts";

interface Noted {
  due: number;
  fn: () => void;
  live: TimerId | null;
}

export class RoomClock implements Clock {
  #base: Clock;
  #timers = new Map<TimerId, Noted>();
  #nextId = 1;
  /** The time of the action being applied (a log entry's time during replay), or null between actions. */
  #actionAt: number | null = null;
  #replaying = false;

  constructor(base: Clock) {
    this.#base = base;
  }

  get replaying(): boolean {
    return this.#replaying;
  }

  /** The time the current action happened at; outside an action, the base clock's time. */
  now(): number {
    return this.#actionAt ?? this.#base.now();
  }

  /** Runs `fn(arg)` as an action at time `at` (an argument, so a caller needs no closure per action). */
  at<A, T>(at: number, fn: (arg: A) => T, arg: A): T {
    const outer = this.#actionAt;
    this.#actionAt = at;
    try {
      return fn(arg);
    } finally {
      this.#actionAt = outer;
    }
  }

  /** From now until `goLive`, timers are noted with their due time and not armed. */
  startReplay(): void {
    this.#replaying = true;
  }

  /** Arms every noted timer for the time it has left (at once if it is overdue). */
  goLive(): void {
    this.#replaying = false;
    for (const [id, timer] of this.#timers) {
      if (timer.live === null) this.#arm(id, timer);
    }
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.#nextId++;
    const timer: Noted = { due: this.now() + Math.max(0, ms), fn, live: null };
    this.#timers.set(id, timer);
    if (!this.#replaying) this.#arm(id, timer);
    return id;
  }

  clearTimeout(id: TimerId): void {
    const timer = this.#timers.get(id);
    if (timer === undefined) return;
    this.#timers.delete(id);
    if (timer.live !== null) this.#base.clearTimeout(timer.live);
  }

  /** Puts off every timer due before `at` until `at` (a store that just failed gets time to recover). */
  holdUntil(at: number): void {
    for (const [id, timer] of this.#timers) {
      if (timer.due >= at) continue;
      timer.due = at;
      if (timer.live !== null) {
        this.#base.clearTimeout(timer.live);
        this.#arm(id, timer);
      }
    }
  }

  /** Clears every timer this room armed or noted. */
  clearAll(): void {
    for (const id of [...this.#timers.keys()]) this.clearTimeout(id);
  }

  /** Timers armed or noted (tests check a disposed room leaves none). */
  get pending(): number {
    return this.#timers.size;
  }

  setInterval(): TimerId {
    throw new Error("rooms use one-shot timers only");
  }

  clearInterval(id: TimerId): void {
    this.clearTimeout(id);
  }

  #arm(id: TimerId, timer: Noted): void {
    timer.live = this.#base.setTimeout(() => {
      this.#timers.delete(id);
      timer.fn();
    }, Math.max(0, timer.due - this.#base.now()));
  }
}
