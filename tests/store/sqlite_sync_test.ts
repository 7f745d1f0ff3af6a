// The SQLite store's background sync: a write is answered only after an fsync that started after its commit
// has completed, one fsync serves many rooms' commits, and a failed fsync is loud and stops every later write.

import assert from "node:assert/strict";
import { DATABASE_FILE, openSqliteStore, type SqliteOptions } from "../../src/store/sqlite_store.ts";
import { fsyncFile, type SyncFile } from "../../src/store/sqlite_wal_sync.ts";
import { type Store, StoreError } from "../../src/store/ports.ts";
import { grantedRoom } from "../support/store_room.ts";
import { withTempDir } from "../support/temp_dir.ts";
import { entry, runStoreConformance } from "./conformance.ts";

// The earlier way (SQLite syncs inside COMMIT on the calling thread) keeps its place behind the same contract.
runStoreConformance("sqliteStore (inline sync)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "liaptui-store-" });
  const store = openSqliteStore(dir, { sync: "inline" });
  return {
    store,
    dispose: async () => {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
});

/** An fsync the test completes or fails by hand; counts the calls. */
class HeldSync {
  calls = 0;
  #pending: { resolve(): void; reject(error: Error): void }[] = [];
  readonly syncFile: SyncFile = () => {
    this.calls += 1;
    return new Promise<void>((resolve, reject) => this.#pending.push({ resolve, reject }));
  };

  get waiting(): number {
    return this.#pending.length;
  }

  /** Completes the fsync under way (there is at most one). */
  complete(): void {
    const next = this.#pending.shift();
    assert.ok(next !== undefined, "an fsync is under way");
    next.resolve();
  }

  fail(error: Error): void {
    const next = this.#pending.shift();
    assert.ok(next !== undefined, "an fsync is under way");
    next.reject(error);
  }
}

async function withStore(
  sync: SyncFile,
  body: (store: Store, dir: string) => Promise<void>,
  options: SqliteOptions = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "liaptui-sync-" });
  const store = openSqliteStore(dir, { ...options, syncFile: sync });
  try {
    await body(store, dir);
  } finally {
    await store.close().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

/** Settles once every callback queued so far (timers included) has run, so a store's flush has happened. */
const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Whether a promise has settled yet, without waiting for it. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => (done = true), () => (done = true));
  await turn();
  await turn();
  return done;
}

Deno.test("sqliteStore sync: an append is answered only once the fsync after its commit completes", async () => {
  const held = new HeldSync();
  // Creating and acquiring rooms are writes too: let their fsyncs through as they come.
  let passThrough = true;
  const sync: SyncFile = (fd) => passThrough ? fsyncFile(fd) : held.syncFile(fd);
  await withStore(sync, async (store) => {
    const grant = await grantedRoom(store, "R");
    passThrough = false;
    const append = store.log.append(grant, 1, entry(1));
    assert.equal(await settled(append), false, "committed, but not answered before the fsync");
    assert.equal(held.calls, 1);
    held.complete();
    assert.deepEqual(await append, { kind: "ok", seq: 1 });
  });
});

Deno.test("sqliteStore sync: a commit made while an fsync is under way waits for the next fsync", async () => {
  const held = new HeldSync();
  let passThrough = true;
  const sync: SyncFile = (fd) => passThrough ? fsyncFile(fd) : held.syncFile(fd);
  await withStore(sync, async (store) => {
    const grant = await grantedRoom(store, "R");
    passThrough = false;
    const first = store.log.append(grant, 1, entry(1));
    await settled(first);
    const second = store.log.append(grant, 2, entry(2));
    assert.equal(await settled(second), false);
    assert.equal(held.waiting, 1, "one fsync at a time");
    held.complete();
    await first;
    assert.equal(await settled(second), false, "the first fsync started before the second commit");
    assert.equal(held.waiting, 1, "the next fsync started as soon as the first ended");
    held.complete();
    assert.deepEqual(await second, { kind: "ok", seq: 2 });
    assert.equal(held.calls, 2);
  });
});

Deno.test("sqliteStore sync: many rooms' appends share one commit and one fsync", async () => {
  const held = new HeldSync();
  let passThrough = true;
  const sync: SyncFile = (fd) => passThrough ? fsyncFile(fd) : held.syncFile(fd);
  await withStore(sync, async (store) => {
    const grants = await Promise.all(Array.from({ length: 20 }, (_, i) => grantedRoom(store, `R${i}`)));
    passThrough = false;
    const appends = grants.map((grant) => store.log.append(grant, 1, entry(1)));
    await turn();
    assert.equal(held.calls, 1, "one fsync for twenty rooms");
    held.complete();
    const results = await Promise.all(appends);
    assert.ok(results.every((r) => r.kind === "ok"));
  });
});

Deno.test("sqliteStore sync: a failed fsync rejects what waited for it, and every later write is refused", async () => {
  const held = new HeldSync();
  let passThrough = true;
  const sync: SyncFile = (fd) => passThrough ? fsyncFile(fd) : held.syncFile(fd);
  await withStore(sync, async (store) => {
    const grant = await grantedRoom(store, "R");
    passThrough = false;
    const append = store.log.append(grant, 1, entry(1));
    await settled(append);
    held.fail(Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" }));
    await assert.rejects(append, (error: unknown) => {
      assert.ok(error instanceof StoreError);
      assert.match(error.message, /liaptui\.db-wal to disk failed \(EIO: i\/o error, fsync\)/);
      assert.match(error.message, /refused until the server restarts/);
      return true;
    });
    // The kernel may have dropped the pages it failed to write: no later fsync could vouch for them.
    await assert.rejects(store.log.append(grant, 2, entry(2)), /refused until the server restarts/);
    await assert.rejects(store.log.create({ roomId: "S", createdAt: 1, data: {} }), /refused until/);
    await assert.rejects(store.archive.put(finishedGame()), /refused until/);
    assert.equal(held.calls, 1, "nothing else was synced after the failure");
    // Reads still answer, so the rooms can be rebuilt from what the file holds.
    assert.equal(await store.log.head("R"), 1);
  });
});

Deno.test("sqliteStore sync: appends queued behind a failing fsync are refused too, not left waiting", async () => {
  const held = new HeldSync();
  let passThrough = true;
  const sync: SyncFile = (fd) => passThrough ? fsyncFile(fd) : held.syncFile(fd);
  await withStore(sync, async (store) => {
    const grant = await grantedRoom(store, "R");
    passThrough = false;
    const first = store.log.append(grant, 1, entry(1));
    await settled(first);
    const second = store.log.append(grant, 2, entry(2)); // Queued until the fsync under way ends.
    assert.equal(await settled(second), false);
    held.fail(new Error("EIO: i/o error, fsync"));
    await assert.rejects(first, /refused until the server restarts/);
    await assert.rejects(second, /refused until the server restarts/);
    assert.equal(await store.log.head("R"), 1, "the queued append was never committed");
  });
});

Deno.test("sqliteStore sync: closing waits for the fsync under way and answers every write first", async () => {
  const held = new HeldSync();
  let passThrough = true;
  const sync: SyncFile = (fd) => passThrough ? fsyncFile(fd) : held.syncFile(fd);
  await withTempDir("liaptui-sync-", async (dir) => {
    const store = openSqliteStore(dir, { syncFile: sync });
    const grant = await grantedRoom(store, "R");
    passThrough = false;
    const first = store.log.append(grant, 1, entry(1));
    await settled(first);
    const second = store.log.append(grant, 2, entry(2)); // Queued, not yet committed.
    const closed = store.close();
    assert.equal(await settled(closed), false, "close waits for the fsync under way");
    held.complete();
    await closed;
    assert.deepEqual(await first, { kind: "ok", seq: 1 });
    assert.deepEqual(await second, { kind: "ok", seq: 2 }, "close committed and synced the queued append");
    assert.equal(held.calls, 1, "the last sync ran on close's own thread");
    assert.equal(await reopenedHead(dir, "R"), 2);
  });
});

Deno.test('sqliteStore sync: "off" answers without an fsync, and a clean close keeps what it stored', () =>
  withTempDir("liaptui-sync-", async (dir) => {
    const store = openSqliteStore(dir, { sync: "off" });
    const grant = await grantedRoom(store, "R");
    assert.deepEqual(await store.log.append(grant, 1, entry(1)), { kind: "ok", seq: 1 });
    await store.close();
    assert.equal(await reopenedHead(dir, "R"), 1);
  }));

/** The first fsync after the rooms are set up is the WAL's; any other file synced is the database file. */
class FileSyncs {
  walFd: number | null = null;
  readonly order: ("wal" | "db")[] = [];
  readonly held = new HeldSync();
  passThrough = true;
  readonly syncFile: SyncFile = (fd) => {
    if (this.passThrough) return fsyncFile(fd);
    this.walFd ??= fd;
    this.order.push(fd === this.walFd ? "wal" : "db");
    return this.held.syncFile(fd);
  };
}

Deno.test("sqliteStore sync: after a checkpoint nothing commits until the database file's fsync completes", async () => {
  const syncs = new FileSyncs();
  await withStore(syncs.syncFile, async (store, dir) => {
    const grant = await grantedRoom(store, "R"); // Two writes: the room's creation and its lease.
    const dbFile = `${dir}/${DATABASE_FILE}`;
    const before = Deno.statSync(dbFile).size;
    syncs.passThrough = false;
    const first = store.log.append(grant, 1, entry(1)); // The third write: a checkpoint is due after it.
    await settled(first);
    const second = store.log.append(grant, 2, entry(2)); // Queued behind the WAL's fsync.
    syncs.held.complete();
    assert.deepEqual(await first, { kind: "ok", seq: 1 });
    assert.deepEqual(syncs.order, ["wal", "db"], "the checkpoint's copy is fsynced off the event loop");
    assert.ok(Deno.statSync(dbFile).size > before, "the WAL was copied into the database file");

    // The next commit restarts the WAL from its start: it must wait until the file surely holds the copy.
    const created = store.log.create({ roomId: "S", createdAt: 1, data: {} });
    assert.equal(await settled(second), false);
    assert.equal(await settled(created), false);
    assert.equal(await store.log.head("R"), 1, "the queued append is not committed");
    assert.equal(await store.log.room("S"), null, "nor is the room created meanwhile");

    syncs.held.complete(); // The database file's fsync.
    await turn();
    assert.equal(await store.log.head("R"), 2, "committed once the file was synced");
    assert.equal(await settled(second), false, "but answered only after the WAL's next fsync");
    assert.deepEqual(syncs.order, ["wal", "db", "wal"]);
    while (syncs.held.waiting > 0 || !(await settled(created))) {
      if (syncs.held.waiting > 0) syncs.held.complete();
    }
    assert.deepEqual(await second, { kind: "ok", seq: 2 });
    assert.deepEqual(await created, { created: true, head: 0 });
  }, { checkpointEvery: 3 });
});

Deno.test("sqliteStore sync: an append already due to commit at the next tick also waits for the checkpoint", async () => {
  const syncs = new FileSyncs();
  await withStore(syncs.syncFile, async (store) => {
    const grant = await grantedRoom(store, "R");
    syncs.passThrough = false;
    // No fsync under way: the append's commit is set for the next tick. Before it, another write commits and
    // its fsync completes, which makes a checkpoint due (three writes) and starts one.
    const append = store.log.append(grant, 1, entry(1));
    const created = store.log.create({ roomId: "S", createdAt: 1, data: {} });
    syncs.held.complete();
    await created;
    assert.deepEqual(syncs.order, ["wal", "db"]);
    assert.equal(await settled(append), false);
    assert.equal(await store.log.head("R"), 0, "the append's tick came, but it did not commit");
    syncs.held.complete();
    await turn();
    assert.equal(await store.log.head("R"), 1);
    syncs.held.complete();
    assert.deepEqual(await append, { kind: "ok", seq: 1 });
  }, { checkpointEvery: 3 });
});

Deno.test("sqliteStore sync: a failed fsync of the database file after a checkpoint refuses every later write", async () => {
  const syncs = new FileSyncs();
  await withTempDir("liaptui-sync-", async (dir) => {
    const store = openSqliteStore(dir, { syncFile: syncs.syncFile, checkpointEvery: 3 });
    const grant = await grantedRoom(store, "R");
    syncs.passThrough = false;
    const first = store.log.append(grant, 1, entry(1));
    await settled(first);
    const second = store.log.append(grant, 2, entry(2));
    syncs.held.complete();
    assert.deepEqual(await first, { kind: "ok", seq: 1 });
    syncs.held.fail(new Error("EIO: i/o error, fsync"));
    await assert.rejects(second, (error: unknown) => {
      assert.ok(error instanceof StoreError);
      assert.match(error.message, /liaptui\.db to disk failed \(EIO: i\/o error, fsync\)/);
      return true;
    });
    await assert.rejects(store.log.append(grant, 2, entry(2)), /refused until the server restarts/);
    assert.deepEqual(syncs.order, ["wal", "db"]);
    await store.close();
    // The WAL still held every acknowledged commit: a restart reads them all.
    assert.equal(await reopenedHead(dir, "R"), 1);
  });
});

Deno.test("sqliteStore sync: many checkpoints and a close keep every entry, and leave no WAL behind", () =>
  withTempDir("liaptui-sync-", async (dir) => {
    const store = openSqliteStore(dir, { checkpointEvery: 5 });
    const grants = await Promise.all(Array.from({ length: 4 }, (_, i) => grantedRoom(store, `R${i}`)));
    for (let seq = 1; seq <= 30; seq++) {
      const results = await Promise.all(grants.map((grant) => store.log.append(grant, seq, entry(seq))));
      assert.ok(results.every((r) => r.kind === "ok"));
    }
    await store.close();
    assert.throws(() => Deno.statSync(`${dir}/${DATABASE_FILE}-wal`), Deno.errors.NotFound);
    const again = openSqliteStore(dir);
    try {
      for (let i = 0; i < 4; i++) {
        assert.equal(await again.log.head(`R${i}`), 30);
        assert.equal((await again.log.read(`R${i}`, 0, 100)).length, 30);
      }
    } finally {
      await again.close();
    }
  }));

function finishedGame() {
  return {
    gameId: "g1",
    roomId: "R",
    roomName: "R",
    startedAt: 1,
    finishedAt: 2,
    seed: 1,
    players: ["a", "b", "c", "d"],
    scores: [1, 2, 3, 4],
    winners: ["d"],
    rounds: 1,
    actions: [],
    settings: {},
  };
}

/** A room's head as a fresh open of the data folder reads it back (the store is closed again after). */
async function reopenedHead(dir: string, roomId: string): Promise<number | null> {
  const again = openSqliteStore(dir);
  try {
    return await again.log.head(roomId);
  } finally {
    await again.close();
  }
}
