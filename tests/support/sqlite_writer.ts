// A process that appends to a SQLite store until it is killed, for the crash test: rooms R0–R2 (created, or
// continued from their heads), one append in flight per room, a checkpoint every few writes, and one
// `ACK <room> <seq>` line per append the store answered.

import { openSqliteStore } from "../../src/store/sqlite_store.ts";
import type { Grant } from "../../src/store/ports.ts";
import { grantedRoom } from "./store_room.ts";

const dir = Deno.args[0];
if (dir === undefined) throw new Error("usage: sqlite_writer.ts <data dir>");
const store = openSqliteStore(dir, { checkpointEvery: 7 });
const encoder = new TextEncoder();

async function writeRoom(grant: Grant): Promise<void> {
  for (let seq = grant.head + 1;; seq++) {
    const result = await store.log.append(grant, seq, {
      actionId: `${grant.roomId}-${seq}`,
      at: seq,
      eventSeq: seq,
      // Entries of a few hundred bytes, so the WAL spans many pages between checkpoints.
      data: { seq, pad: "x".repeat(200 + (seq % 7) * 40) },
    });
    if (result.kind !== "ok") throw new Error(`${grant.roomId} ${seq}: ${result.kind}`);
    Deno.stdout.writeSync(encoder.encode(`ACK ${grant.roomId} ${seq}\n`));
  }
}

const grants = await Promise.all(["R0", "R1", "R2"].map((id) => grantedRoom(store, id, { node: "writer" })));
Deno.stdout.writeSync(encoder.encode("READY\n"));
await Promise.all(grants.map(writeRoom));
