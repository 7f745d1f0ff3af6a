// Long-lived texts kept outside the JavaScript heap, in an in-memory SQLite database, for a process to read
// back rarely (the resume history's older frames).
//
// Why not strings or ArrayBuffers: JavaScriptCore counts both (string contents and every live buffer) as live
// heap when it decides how much the server may allocate before its next collection. 37 MB of kept frames let
// the server allocate about as much again between collections, and the allocator touched that many fresh pages
// each cycle (docs/performance.md, Transport, "Fifth pass: rooms, the history"). SQLite's pages are native
// memory the collector never sees, and a deleted row's pages are reused by the next insert.

import { DatabaseSync, type StatementSync } from "node:sqlite";

interface Statements {
  db: DatabaseSync;
  put: StatementSync;
  get: StatementSync;
  remove: StatementSync;
}

export class TextShelf {
  /** Opened on the first `put`: a server whose rooms never fill a chunk has no database. */
  #statements: Statements | null = null;
  #count = 0;

  /**
   * Whether `put` gives back exactly this text. SQLite keeps UTF-8, so a lone surrogate (not well-formed
   * UTF-16) would come back as U+FFFD; a NUL is kept out too, so no binding layer can cut the text at it.
   * JSON text (every frame the server sends) is always shelvable.
   */
  static canHold(text: string): boolean {
    return text.isWellFormed() && !text.includes("\0");
  }

  /** Keeps a text (one for which `canHold` is true) and answers its key. */
  put(text: string): number {
    this.#count += 1;
    return Number(this.#open().put.run(text).lastInsertRowid);
  }

  get(key: number): string {
    const row = this.#open().get.get(key);
    if (row === undefined) throw new Error(`no text ${key} on the shelf`);
    return String(row.text);
  }

  remove(key: number): void {
    this.#count -= 1;
    this.#open().remove.run(key);
  }

  /** Texts kept now. */
  get size(): number {
    return this.#count;
  }

  /** Frees the database; the shelf opens a new one if used again. */
  close(): void {
    this.#statements?.db.close();
    this.#statements = null;
    this.#count = 0;
  }

  #open(): Statements {
    if (this.#statements !== null) return this.#statements;
    const db = new DatabaseSync(":memory:");
    db.exec("CREATE TABLE texts (key INTEGER PRIMARY KEY, text TEXT NOT NULL)");
    this.#statements = {
      db,
      put: db.prepare("INSERT INTO texts (text) VALUES (?)"),
      get: db.prepare("SELECT text FROM texts WHERE key = ?"),
      remove: db.prepare("DELETE FROM texts WHERE key = ?"),
    };
    return this.#statements;
  }
}
