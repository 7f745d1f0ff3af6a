// A memory store whose writes can be made to fail at will, as a full or broken disk would fail them, and a tick
// that lets the store's answers and what they release run, and a wait on it that fails when nothing came.

import assert from "node:assert/strict";
import { memoryStore } from "../../src/store/memory_store.ts";
import type { Store } from "../../src/store/ports.ts";

/** Flip `on` to make every append reject; `refused` counts the appends refused so far. */
export interface FailSwitch {
  on: boolean;
  refused: number;
}

/** The memory store with a switch that makes every append fail. */
export function faultyStore(): { store: Store; failing: FailSwitch } {
  const inner = memoryStore();
  const failing: FailSwitch = { on: false, refused: 0 };
  return {
    failing,
    store: {
      ...inner,
      log: {
        ...inner.log,
        append: (grant, seq, entry) => {
          if (!failing.on) return inner.log.append(grant, seq, entry);
          failing.refused += 1;
          return Promise.reject(new Error("disk full (test)"));
        },
      },
    },
  };
}

/** Lets every settled promise run (store answers, the deliveries they release). */
export function tick(): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, 0));
}

/** Ticks until `done` holds; fails, saying `what` did not happen, after `limit` ticks (a store answers within a few). */
export async function settle(done: () => boolean, what: string, limit = 50): Promise<void> {
  for (let i = 0; i < limit && !done(); i++) await tick();
  assert.ok(done(), what);
}
