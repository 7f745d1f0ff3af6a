// Long-lived texts and bytes kept outside the JavaScript heap, in an in-memory SQLite database, for a process
// to read back rarely (the resume history's full chunks of frames).
//
// Why not strings or ArrayBuffers: JavaScriptCore counts both (string contents and every live buffer) as live
// heap when it decides how much the server may allocate before its next collection. 37 MB of kept frames let
// the server allocate several times that between collections, and the allocator touched that many fresh pages
// each cycle (docs/performance.md, Transport, "Fifth pass: rooms, the history"). SQLite's pages are native
// memory the collector never sees, and a deleted row's pages are reused by the next insert.

import { DatabaseSync, type StatementSync } from "node:sqlite";

/** How a body is kept: a text as given, a text as its JSON string literal, bytes. */
const KIND_TEXT = 0;
const KIND_ESCAPED = 1;
const KIND_BYTES = 2;

interface Statements {
  db: DatabaseSync;
  put: StatementSync;
  read: StatementSync;
  note: StatementSync;
  remove: StatementSync;
}

/** Texts or bytes, with a short note each (what the caller needs to read them, kept beside them). */
export class TextShelf {
  /** Opened on the first `put`: a server whose rooms never fill a chunk has no database. */
  #statements: Statements | null = null;
  #size = 0;

  /** Keeps a text and its note; answers the key to read them back with. */
  putText(text: string, note: string): number {
    // SQLite keeps UTF-8, so a lone surrogate would come back as U+FFFD, and a NUL is where some bindings cut a
    // text. Such a text (never JSON, which every frame is) is kept as its JSON string literal instead.
    const plain = text.isWellFormed() && !text.includes("\0");
    return this.#put(plain ? text : JSON.stringify(text), note, plain ? KIND_TEXT : KIND_ESCAPED);
  }

  /** Keeps a copy of `bytes` and a note; answers the key to read them back with. */
  putBytes(bytes: Uint8Array, note: string): number {
    return this.#put(bytes, note, KIND_BYTES);
  }

  /** What is kept under `key`, exactly as it was put: a text, or bytes. */
  read(key: number): string | Uint8Array {
    const row = this.#open().read.get(key);
    if (row === undefined) throw new Error(`nothing kept under ${key}`);
    if (row.kind === KIND_BYTES) return row.body as Uint8Array;
    return row.kind === KIND_ESCAPED ? String(JSON.parse(String(row.body))) : String(row.body);
  }

  note(key: number): string {
    const row = this.#open().note.get(key);
    if (row === undefined) throw new Error(`nothing kept under ${key}`);
    return String(row.note);
  }

  remove(key: number): void {
    this.#open().remove.run(key);
    this.#size -= 1;
  }

  /** Bodies kept now. */
  get size(): number {
    return this.#size;
  }

  #put(body: string | Uint8Array, note: string, kind: number): number {
    const { lastInsertRowid } = this.#open().put.run(body, note, kind);
    this.#size += 1;
    return Number(lastInsertRowid);
  }

  #open(): Statements {
    if (this.#statements !== null) return this.#statements;
    const db = new DatabaseSync(":memory:");
    db.exec(
      "CREATE TABLE kept (key INTEGER PRIMARY KEY, body ANY NOT NULL, note TEXT NOT NULL, kind INTEGER) STRICT",
    );
    this.#statements = {
      db,
      put: db.prepare("INSERT INTO kept (body, note, kind) VALUES (?, ?, ?)"),
      read: db.prepare("SELECT body, kind FROM kept WHERE key = ?"),
      note: db.prepare("SELECT note FROM kept WHERE key = ?"),
      remove: db.prepare("DELETE FROM kept WHERE key = ?"),
    };
    return this.#statements;
  }
}
