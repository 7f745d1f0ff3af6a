// The SQLite store killed with SIGKILL while it appends, across many of its own checkpoints: every append it
// answered is there after a reopen, each room's log is whole (1..head, nothing missing or changed), and the
// writes go on. (A kill keeps the page cache, so this checks SQLite's WAL recovery under the store's own
// checkpointing, not the disk; the order of fsyncs is checked in sqlite_sync_test.ts.)

import assert from "node:assert/strict";
import { openSqliteStore } from "../../src/store/sqlite_store.ts";

const WRITER = new URL("../support/sqlite_writer.ts", import.meta.url).pathname;

/** Runs the writer until it has reported `acks` answered appends, kills it, and returns each room's last. */
async function killWhileWriting(dir: string, acks: number): Promise<Map<string, number>> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", WRITER, dir],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const last = new Map<string, number>();
  let seen = 0;
  let buffered = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    while (seen < acks) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the writer ended early: ${await new Response(child.stderr).text()}`);
      buffered += value;
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        const [word, roomId, seq] = line.split(" ");
        if (word !== "ACK") continue;
        last.set(roomId!, Number(seq));
        seen += 1;
      }
    }
  } finally {
    child.kill("SIGKILL");
    await reader.cancel().catch(() => {});
    await child.stderr.cancel().catch(() => {});
    await child.status;
  }
  return last;
}

Deno.test("sqliteStore: SIGKILL while appending across its checkpoints loses no answered append", async () => {
  const dir = await Deno.makeTempDir({ prefix: "liaptui-crash-" });
  try {
    let before = 0;
    // Each round recovers what the previous kill left, writes on from there, and is killed again.
    for (let round = 0; round < 3; round++) {
      // Enough appends for dozens of checkpoints (one every 7 writes).
      const acked = await killWhileWriting(dir, 400);
      assert.equal(acked.size, 3, "all three rooms wrote");
      const store = openSqliteStore(dir);
      try {
        assert.ok(Math.min(...acked.values()) > before, "the writer went on from where the last one stopped");
        before = Math.max(...acked.values());
        for (const [roomId, seq] of acked) {
          const head = (await store.log.head(roomId))!;
          assert.ok(head >= seq, `${roomId}: head ${head} holds the answered ${seq}`);
          const entries = await store.log.read(roomId, 0, head + 1);
          assert.deepEqual(entries.map((e) => e.seq), entries.map((_, i) => i + 1), `${roomId}: no gap`);
          assert.ok(entries.every((e) => e.actionId === `${roomId}-${e.seq}`), `${roomId}: entries intact`);
        }
      } finally {
        await store.close();
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
