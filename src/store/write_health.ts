// Whether the store can write right now, for /readyz: learned from the store's own writes and, while they
// fail, from a cheap probe. Watches the ports from outside; changes nothing about how any store writes.

import { type GameArchive, knownAnswer, NOT_KNOWN, type RoomLog, type Store } from "./ports.ts";

export interface WriteHealthOptions {
  /**
   * A cheap write that succeeds once the store could write again (a full disk freed, Redis back). Without one,
   * only the store's next successful write clears a failure.
   */
  probe?: () => Promise<void>;
  /** A probe slower than this counts as failed, so /readyz answers even when the disk hangs. */
  probeTimeoutMs?: number;
  /** Told when the store starts failing (with why) and when it can write again (null). */
  changed?: (failure: string | null) => void;
}

/**
 * The store's write health. A write that rejects (I/O error, disk full, connection lost) marks it failing; any
 * write the store answers, even with a refusal such as `fenced`, marks it healthy again, as does a probe that
 * succeeds while it is failing.
 */
export class WriteHealth {
  #failure: string | null = null;
  /** Bumped by every failed write, so a probe that started before a newer failure cannot clear it. */
  #failures = 0;
  #probing: Promise<void> | null = null;
  #options: WriteHealthOptions;

  constructor(options: WriteHealthOptions = {}) {
    this.#options = options;
  }

  /** Why the last write failed, or null while the store writes. */
  get failure(): string | null {
    return this.#failure;
  }

  /** `store` with every write watched; reads and `close` pass straight through. */
  watch(store: Store): Store {
    const log: RoomLog = store.log;
    const archive: GameArchive = store.archive;
    return {
      kind: store.kind,
      ownership: store.ownership,
      log: {
        create: (meta) => this.#track(log.create(meta)),
        append: (grant, expectSeq, entry) => this.#track(log.append(grant, expectSeq, entry)),
        read: (roomId, after, limit) => log.read(roomId, after, limit),
        head: (roomId) => log.head(roomId),
        room: (roomId) => log.room(roomId),
        unfinished: () => log.unfinished(),
        finish: (grant) => this.#track(log.finish(grant)),
      },
      archive: {
        put: (game) => this.#track(archive.put(game)),
        list: (limit, cursor) => archive.list(limit, cursor),
        get: (gameId) => archive.get(gameId),
      },
      close: () => store.close(),
    };
  }

  /** True while the store writes; while it fails, runs the probe (at most one at a time) and says if it passed. */
  async writable(): Promise<boolean> {
    if (this.#failure === null) return true;
    const probe = this.#options.probe;
    if (probe === undefined) return false;
    this.#probing ??= this.#runProbe(probe).finally(() => (this.#probing = null));
    await this.#probing;
    return this.#failure === null;
  }

  async #runProbe(probe: () => Promise<void>): Promise<void> {
    const failuresBefore = this.#failures;
    const timeoutMs = this.#options.probeTimeoutMs ?? 2_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the write probe took over ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([probe(), timeout]);
      if (this.#failures === failuresBefore) this.#set(null);
    } catch {
      // Still failing: the failure of the store's own write stays the one reported.
    } finally {
      clearTimeout(timer);
    }
  }

  #track<T>(write: Promise<T>): Promise<T> {
    // A write the store answered before returning (in memory) succeeded: `answered` only makes resolved ones.
    if (knownAnswer(write) !== NOT_KNOWN) this.#wrote();
    // The same two handlers for every other write, not two closures each.
    else write.then(this.#wrote, this.#failed);
    return write;
  }

  #wrote = (): void => {
    // Every append passes here; nothing to change while the store already writes.
    if (this.#failure !== null) this.#set(null);
  };

  #failed = (error: unknown): void => {
    this.#failures += 1;
    this.#set(error instanceof Error ? error.message : String(error));
  };

  #set(failure: string | null): void {
    const changed = (failure === null) !== (this.#failure === null);
    this.#failure = failure;
    if (changed) this.#options.changed?.(failure);
  }
}
