// The Ownership port on Redis: a room's owner holds a lease (SET NX PX, by Redis's clock) with a fencing
// epoch. Unlike the single-node stores, acquire never takes a live lease from its holder: it answers busy.

import type { AcquireResult, Grant, Ownership } from "./ports.ts";
import { guarded } from "./redis_failure.ts";
import type { RedisFunctions } from "./redis_functions.ts";

export const DEFAULT_LEASE_MS = 6_000;

export class RedisOwnership implements Ownership {
  readonly #fns: RedisFunctions;
  readonly #leaseMs: number;
  /** Epochs of the grants this node holds: the lobby tags its listings with them. */
  readonly #held = new Map<string, number>();

  constructor(fns: RedisFunctions, leaseMs = DEFAULT_LEASE_MS) {
    this.#fns = fns;
    this.#leaseMs = leaseMs;
  }

  get leaseMs(): number {
    return this.#leaseMs;
  }

  /** The epoch under which this node holds `roomId`, or 0 when it holds no grant for it. */
  epochOf(roomId: string): number {
    return this.#held.get(roomId) ?? 0;
  }

  acquire(roomId: string, owner: string): Promise<AcquireResult> {
    return guarded("acquire", async () => {
      const token = newLeaseToken();
      const reply = await this.#fns.leaseAcquire(roomId, token, owner, this.#leaseMs);
      switch (reply.status) {
        case "granted":
          this.#held.set(roomId, reply.epoch);
          return { kind: "granted", grant: { roomId, token, epoch: reply.epoch, head: reply.head } };
        case "busy":
          return { kind: "busy", owner: reply.owner === "" ? null : reply.owner };
        case "not_found":
          return { kind: "not_found" };
      }
    });
  }

  renew(grant: Grant): Promise<boolean> {
    return guarded("renew", async () => {
      const reply = await this.#fns.leaseRenew(grant.roomId, grant.token, this.#leaseMs);
      if (reply.status === "ok") return true;
      this.#forget(grant);
      return false;
    });
  }

  release(grant: Grant): Promise<void> {
    return guarded("release", async () => {
      this.#forget(grant);
      await this.#fns.leaseRelease(grant.roomId, grant.token);
    });
  }

  #forget(grant: Grant): void {
    if (this.#held.get(grant.roomId) === grant.epoch) this.#held.delete(grant.roomId);
  }
}

/** 128 random bits: a token nobody can guess or reuse. */
function newLeaseToken(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
}
