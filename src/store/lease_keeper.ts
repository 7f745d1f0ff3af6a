// Keeps this node's room leases alive and fences the node itself when it cannot: a room whose lease could
// have lapsed in Redis is reported lost before that can happen, so the node stops serving it first.

import type { Grant, Ownership } from "./ports.ts";

/** A monotonic clock and an interval timer (the server passes performance.now and the real timers). */
export interface KeeperTiming {
  now(): number;
  setInterval(fn: () => void, ms: number): number;
  clearInterval(id: number): void;
}

/** Why a room was lost: another holder has it, or renewals failed for too long to be sure we still do. */
export type LossReason = "taken" | "unreachable";

export interface LeaseKeeperOptions {
  ownership: Ownership;
  timing: KeeperTiming;
  /** The lease TTL Redis applies on acquire and renew. */
  leaseMs: number;
  /** Default leaseMs / 3: two renewals can fail before the self-fence. */
  renewEveryMs?: number;
  /**
   * How long before the lease could lapse in Redis the node stops on its own (default leaseMs / 6, at least
   * 200 ms): covers the two clocks running at slightly different rates and the check interval.
   */
  safetyMs?: number;
  /** Called once per lost room; the keeper has already stopped keeping it. */
  onLost(grant: Grant, reason: LossReason): void;
}

interface Held {
  grant: Grant;
  /** Local monotonic time until which the lease is surely live in Redis (minus the safety margin). */
  liveUntil: number;
  /** When the next renewal goes out (Infinity while one is in flight). */
  renewAt: number;
}

/**
 * Safety does not rest on this class: Redis refuses any append whose lease is not live. The keeper makes the
 * node notice in time, so it stops telling players about a room it may no longer own.
 */
export class LeaseKeeper {
  readonly #options: LeaseKeeperOptions;
  readonly #renewEveryMs: number;
  readonly #safetyMs: number;
  readonly #held = new Map<string, Held>();
  #timer: number | null = null;

  constructor(options: LeaseKeeperOptions) {
    this.#options = options;
    this.#renewEveryMs = options.renewEveryMs ?? Math.floor(options.leaseMs / 3);
    this.#safetyMs = options.safetyMs ?? Math.max(200, Math.floor(options.leaseMs / 6));
    if (this.#renewEveryMs + this.#safetyMs >= options.leaseMs) {
      throw new RangeError("renewals must come well inside the lease: renewEveryMs + safetyMs < leaseMs");
    }
  }

  /** Rooms currently kept. */
  get size(): number {
    return this.#held.size;
  }

  /**
   * Starts keeping a fresh grant. `requestedAt` is the keeper's time read *before* the acquire was sent:
   * Redis started the TTL no earlier than that.
   */
  hold(grant: Grant, requestedAt: number): void {
    this.#held.set(grant.roomId, {
      grant,
      liveUntil: requestedAt + this.#options.leaseMs - this.#safetyMs,
      renewAt: requestedAt + this.#renewEveryMs,
    });
    this.#ensureTimer();
  }

  /** Whether this node may still act for the room: it holds the grant and the lease is surely live. */
  isLive(roomId: string): boolean {
    const held = this.#held.get(roomId);
    return held !== undefined && this.#options.timing.now() < held.liveUntil;
  }

  /** The grant kept for the room, if any. */
  grantOf(roomId: string): Grant | undefined {
    return this.#held.get(roomId)?.grant;
  }

  /** Stops keeping the room and gives the lease up so the next node need not wait for the TTL. */
  async release(roomId: string): Promise<void> {
    const held = this.#held.get(roomId);
    if (held === undefined) return;
    this.#held.delete(roomId);
    this.#stopTimerIfIdle();
    await this.#options.ownership.release(held.grant);
  }

  /** Gives every lease up (a graceful shutdown): other nodes may take the rooms at once. Best effort. */
  async releaseAll(): Promise<void> {
    const rooms = [...this.#held.keys()];
    await Promise.allSettled(rooms.map((roomId) => this.release(roomId)));
  }

  /** Stops every timer; keeps nothing (leases then lapse on their own). */
  stop(): void {
    this.#held.clear();
    this.#stopTimerIfIdle();
  }

  #ensureTimer(): void {
    if (this.#timer !== null) return;
    const every = Math.max(10, Math.min(250, Math.floor(this.#safetyMs / 2)));
    this.#timer = this.#options.timing.setInterval(() => this.#tick(), every);
  }

  #stopTimerIfIdle(): void {
    if (this.#held.size > 0 || this.#timer === null) return;
    this.#options.timing.clearInterval(this.#timer);
    this.#timer = null;
  }

  #tick(): void {
    const now = this.#options.timing.now();
    for (const held of [...this.#held.values()]) {
      if (now >= held.liveUntil) {
        this.#lose(held, "unreachable");
      } else if (now >= held.renewAt) {
        this.#renew(held, now);
      }
    }
  }

  #renew(held: Held, sentAt: number): void {
    held.renewAt = Infinity;
    this.#options.ownership.renew(held.grant).then(
      (live) => {
        if (this.#held.get(held.grant.roomId) !== held) return; // Released or lost meanwhile.
        if (!live) return this.#lose(held, "taken");
        held.liveUntil = sentAt + this.#options.leaseMs - this.#safetyMs;
        held.renewAt = sentAt + this.#renewEveryMs;
      },
      () => {
        // Redis unreachable or slow: try again soon; the self-fence at liveUntil decides if it stays down.
        held.renewAt = this.#options.timing.now() + Math.min(500, Math.floor(this.#renewEveryMs / 4));
      },
    );
  }

  #lose(held: Held, reason: LossReason): void {
    if (this.#held.get(held.grant.roomId) !== held) return;
    this.#held.delete(held.grant.roomId);
    this.#stopTimerIfIdle();
    this.#options.onLost(held.grant, reason);
  }
}

/**
 * The same Ownership, with every lease it grants kept alive by `keeper` until released or lost. The room
 * layer keeps using the plain port; only the composition root knows leases need renewing.
 */
export function keptOwnership(ownership: Ownership, keeper: LeaseKeeper, timing: KeeperTiming): Ownership {
  return {
    async acquire(roomId, owner) {
      const requestedAt = timing.now();
      const result = await ownership.acquire(roomId, owner);
      if (result.kind === "granted") keeper.hold(result.grant, requestedAt);
      return result;
    },
    renew: (grant) => ownership.renew(grant),
    async release(grant) {
      if (keeper.grantOf(grant.roomId)?.token === grant.token) await keeper.release(grant.roomId);
      else await ownership.release(grant);
    },
  };
}
