// The SQLite store against the port contract, plus what only a file can do: survive a reopen, refuse a
// second process, and fail loudly on a full disk or a file that is not a database.

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { DATABASE_FILE, openSqliteStore } from "../../src/store/sqlite_store.ts";
import { StoreError } from "../../src/store/ports.ts";
import { entry, runStoreConformance } from "./conformance.ts";
import { grantedRoom } from "../support/store_room.ts";

runStoreConformance("sqliteStore", async () => {
  const dir = await Deno.makeTempDir({ prefix: "liaptui-store-" });
  const store = openSqliteStore(dir);
  return {
    store,
    dispose: async () => {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
});

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "liaptui-store-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("sqliteStore: entries, heads and epochs survive closing and reopening the data directory", () =>
  withDir(async (dir) => {
    const store = openSqliteStore(`${dir}/nested/data`);
    const grant = await grantedRoom(store, "R", { data: { name: "kept" } });
    await store.log.append(grant, 1, entry(1));
    await store.log.append(grant, 2, entry(2));
    await store.close();

    const again = openSqliteStore(`${dir}/nested/data`);
    try {
      assert.equal(await again.log.head("R"), 2);
      assert.deepEqual((await again.log.read("R", 0, 10)).map((e) => e.actionId), ["a1", "a2"]);
      const next = await again.ownership.acquire("R", "n");
      assert.equal(next.kind === "granted" && next.grant.epoch, grant.epoch + 1);
      assert.equal((await again.log.append(grant, 3, entry(3))).kind, "fenced");
    } finally {
      await again.close();
    }
  }));

Deno.test("sqliteStore: a second store on the same data directory is refused while the first is open", () =>
  withDir(async (dir) => {
    const first = openSqliteStore(dir);
    try {
      assert.throws(() => openSqliteStore(dir), (error: unknown) => {
        assert.ok(error instanceof StoreError);
        assert.match(error.message, /in use by another liaptui process/);
        return true;
      });
    } finally {
      await first.close();
    }
    const after = openSqliteStore(dir);
    await after.close();
  }));

Deno.test("sqliteStore: a file that is not a database stops the open with a one-line message", () =>
  withDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/${DATABASE_FILE}`,
      "this is not a database, just some text\n".repeat(200),
    );
    assert.throws(() => openSqliteStore(dir), (error: unknown) => {
      assert.ok(error instanceof StoreError);
      assert.match(error.message, /not a database/);
      assert.ok(!error.message.includes("\n"));
      return true;
    });
  }));

Deno.test("sqliteStore: a data directory that cannot be created is a one-line StoreError", () =>
  withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/file`, "");
    assert.throws(() => openSqliteStore(`${dir}/file/data`), (error: unknown) => {
      assert.ok(error instanceof StoreError);
      assert.match(error.message, /cannot create the data directory/);
      return true;
    });
  }));

Deno.test("sqliteStore: a full disk rejects the append, stores nothing, and later appends still work", () =>
  withDir(async (dir) => {
    const store = openSqliteStore(dir, { maxPageCount: 12 });
    try {
      const grant = await grantedRoom(store, "R");
      let seq = 1;
      let failure: unknown = null;
      // Entries of ~4 KiB fill a 12-page file within a few appends.
      for (; seq < 100; seq++) {
        try {
          await store.log.append(grant, seq, entry(seq, { data: { pad: "x".repeat(4000) } }));
        } catch (error) {
          failure = error;
          break;
        }
      }
      assert.ok(failure instanceof StoreError, "the disk filled up");
      assert.match(failure.message, /full/);
      assert.equal(await store.log.head("R"), seq - 1, "the failed append stored nothing");
      const small = await store.log.append(grant, seq, entry(seq, { data: 1 }));
      assert.deepEqual(small, { kind: "ok", seq }, "a smaller entry still fits: the store is usable");
    } finally {
      await store.close();
    }
  }));

/** Opens the store's file directly (the store must be closed), runs `body`, closes it. */
function withFile<T>(dir: string, body: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(`${dir}/${DATABASE_FILE}`);
  try {
    return body(db);
  } finally {
    db.close();
  }
}

Deno.test("sqliteStore: a new file has schema 2; the head is the log's last seq, not the room's row", () =>
  withDir(async (dir) => {
    const store = openSqliteStore(dir);
    const grant = await grantedRoom(store, "R");
    for (let seq = 1; seq <= 3; seq++) await store.log.append(grant, seq, entry(seq));
    await store.close();
    withFile(dir, (db) => {
      assert.equal(db.prepare("SELECT value FROM settings WHERE key = 'schema'").get()?.value, "2");
      // Appends no longer write the room's row: its old column stays at 0 while the log holds three entries.
      assert.equal(db.prepare("SELECT head FROM rooms WHERE room_id = 'R'").get()?.head, 0);
    });
    const again = openSqliteStore(dir);
    try {
      assert.equal(await again.log.head("R"), 3);
      assert.equal((await again.log.room("R"))?.head, 3);
      assert.deepEqual((await again.log.unfinished()).map((r) => [r.meta.roomId, r.head]), [["R", 3]]);
      const next = await again.ownership.acquire("R", "n");
      assert.equal(next.kind === "granted" && next.grant.head, 3);
      if (next.kind !== "granted") throw new Error("not granted");
      assert.deepEqual(await again.log.append(next.grant, 3, entry(9)), { kind: "conflict", head: 3 });
      assert.deepEqual(await again.log.append(next.grant, 4, entry(4)), { kind: "ok", seq: 4 });
    } finally {
      await again.close();
    }
  }));

Deno.test("sqliteStore: a schema 1 file opens as schema 2; a file from a newer server is refused", () =>
  withDir(async (dir) => {
    const store = openSqliteStore(dir);
    const grant = await grantedRoom(store, "R");
    await store.log.append(grant, 1, entry(1));
    await store.log.append(grant, 2, entry(2));
    await store.close();
    // As a version 1 server left it: its head column equal to the last seq.
    withFile(dir, (db) => {
      db.exec("UPDATE settings SET value = '1' WHERE key = 'schema'; UPDATE rooms SET head = 2");
    });
    const v1 = openSqliteStore(dir);
    try {
      assert.equal(await v1.log.head("R"), 2);
    } finally {
      await v1.close();
    }
    assert.equal(
      withFile(dir, (db) => db.prepare("SELECT value FROM settings WHERE key = 'schema'").get()?.value),
      "2",
    );

    withFile(dir, (db) => db.exec("UPDATE settings SET value = '3' WHERE key = 'schema'"));
    assert.throws(() => openSqliteStore(dir), (error: unknown) => {
      assert.ok(error instanceof StoreError);
      assert.match(error.message, /schema version 3, this server reads 2/);
      return true;
    });
  }));
