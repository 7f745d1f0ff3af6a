// Makes the SQLite store's commits durable without stopping the event loop: the store commits with
// `synchronous = OFF` (SQLite writes the WAL but never syncs), and this module fsyncs the WAL file on the
// runtime's I/O threads. One fsync covers every commit made before it started, so commits from all rooms share
// it; nobody is answered before the fsync after their commit has completed. After the store checkpoints (copies
// the WAL into the database file), it fsyncs the database file the same way, and no commit may start until
// that is done: the next commit rewrites the WAL from its start.

import { closeSync, fsync, fsyncSync, openSync } from "node:fs";
import { StoreError } from "./ports.ts";

/** Syncs a file descriptor's data to the disk; node:fs `fsync` unless a test injects a failing one. */
export type SyncFile = (fd: number) => Promise<void>;

export const fsyncFile: SyncFile = (fd) =>
  new Promise((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));

interface Waiter {
  ticket: number;
  resolve(): void;
  reject(error: Error): void;
}

/** A one-line reason from whatever the file system threw. */
function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]!;
}

export class WalSync {
  #walFile: string;
  #dbFile: string;
  #syncFile: SyncFile;
  #onSynced: () => void;
  #fd: number | null = null;
  #dbFd: number | null = null;
  /** Set while the database file's fsync after a checkpoint is under way: commits must wait for it. */
  #checkpointSynced: Promise<void> | null = null;
  /** Commits made so far (the ticket of the newest), and the newest ticket an fsync has covered. */
  #committed = 0;
  #synced = 0;
  #waiters: Waiter[] = [];
  #inflight: Promise<void> | null = null;
  /** Set by close(): no new fsync starts on the I/O threads, close() syncs the rest itself. */
  #closing = false;
  /** Set by the first failed fsync: the kernel may have dropped the pages it could not write, so no later
   * fsync can vouch for them; every write after that is refused until the server restarts and reads the file. */
  #broken: StoreError | null = null;

  /**
   * `onSynced` runs after each fsync (done or failed), before the next one starts: the store commits what
   * queued up meanwhile there, so one commit goes with each fsync (committing more often would not answer
   * anyone sooner).
   */
  constructor(
    dbFile: string,
    dataDir: string,
    onSynced: () => void,
    syncFile: SyncFile = fsyncFile,
  ) {
    this.#walFile = `${dbFile}-wal`;
    this.#dbFile = dbFile;
    this.#syncFile = syncFile;
    this.#onSynced = onSynced;
    try {
      this.#fd = openSync(this.#walFile, "r+");
      this.#dbFd = openSync(dbFile, "r+");
      // The WAL's directory entry must be on disk too, or a power cut could lose the whole file.
      const dir = openSync(dataDir, "r");
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch (error) {
      if (this.#fd !== null) closeSync(this.#fd);
      if (this.#dbFd !== null) closeSync(this.#dbFd);
      throw new StoreError(`cannot sync ${this.#walFile}: ${reason(error)}`);
    }
  }

  /** Whether an fsync is under way (then `onSynced` follows it). */
  get busy(): boolean {
    return this.#inflight !== null;
  }

  /** Why writes are refused, or null while the WAL syncs fine. */
  get broken(): StoreError | null {
    return this.#broken;
  }

  /** No fsync under way and every commit made so far is on disk: the WAL may be checkpointed. */
  get idle(): boolean {
    return this.#inflight === null && this.#committed === this.#synced;
  }

  /** Resolves when no commit has to wait for the database file's fsync any more (null: none has to now). */
  get holding(): Promise<void> | null {
    return this.#checkpointSynced;
  }

  /**
   * The store has just checkpointed (only when `idle`): fsyncs the database file on an I/O thread. Until that
   * completes `holding` is set and `busy` is true, then `onSynced` runs as after any fsync. A failure breaks
   * the store like a failed WAL fsync: the WAL still holds every commit, so a restart loses nothing. False
   * when no fsync was started (closing or broken): then nothing is held.
   */
  syncDatabase(): boolean {
    if (this.#inflight !== null || this.#closing || this.#dbFd === null || this.#broken !== null) {
      return false;
    }
    this.#checkpointSynced = this.#fsync(this.#dbFd, this.#dbFile, () => {
      this.#checkpointSynced = null;
    });
    return true;
  }

  /** Resolves once everything committed before this call is on disk; rejects when that cannot be said. */
  afterCommit(): Promise<void> {
    if (this.#broken !== null) return Promise.reject(this.#broken);
    const ticket = ++this.#committed;
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ ticket, resolve, reject });
      this.#start();
    });
  }

  /** Waits for the fsync under way, syncs what is left on this thread, answers everyone, closes the files. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#inflight?.catch(() => {});
    if (this.#dbFd !== null) closeSync(this.#dbFd);
    this.#dbFd = null;
    if (this.#fd === null) return;
    const fd = this.#fd;
    this.#fd = null;
    try {
      if (this.#broken === null && this.#committed > this.#synced) {
        fsyncSync(fd);
        this.#settle(this.#committed);
      }
    } catch (error) {
      this.#fail(error);
    } finally {
      closeSync(fd);
    }
    this.#fail(new StoreError(`${this.#walFile} is closed`));
  }

  /** Starts an fsync unless one is under way; the one under way starts the next when it ends. */
  #start(): void {
    if (this.#inflight !== null || this.#closing || this.#committed === this.#synced) return;
    if (this.#fd === null) return;
    const covers = this.#committed;
    this.#fsync(this.#fd, this.#walFile, (ok) => {
      if (ok) this.#settle(covers);
    });
  }

  /**
   * One fsync of `fd` on an I/O thread, as the one under way. When it ends, `ended` runs first, then the store
   * hears of it (`onSynced`) and, if it succeeded, the next fsync starts for what was committed meanwhile. A
   * failure breaks the sync: the store answers what queued behind it now too, refused, as every write from here on.
   */
  #fsync(fd: number, file: string, ended: (ok: boolean) => void): Promise<void> {
    const run = this.#syncFile(fd).then(
      () => {
        this.#inflight = null;
        ended(true);
        try {
          this.#onSynced();
        } finally {
          this.#start();
        }
      },
      (error) => {
        this.#inflight = null;
        ended(false);
        this.#fail(error, file);
        this.#onSynced();
      },
    );
    this.#inflight = run;
    return run;
  }

  #settle(covers: number): void {
    this.#synced = Math.max(this.#synced, covers);
    let kept = 0;
    const waiting = this.#waiters;
    for (const waiter of waiting) {
      if (waiter.ticket <= this.#synced) waiter.resolve();
      else waiting[kept++] = waiter;
    }
    waiting.length = kept;
  }

  #fail(error: unknown, file = this.#walFile): void {
    this.#broken ??= error instanceof StoreError ? error : new StoreError(
      `syncing ${file} to disk failed (${reason(error)}); ` +
        `writes are refused until the server restarts`,
    );
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiting) waiter.reject(this.#broken);
  }
}
