// Storage failures are loud and safe, on source and binary: a data directory in use, a corrupted database, a
// folder that cannot be created or written each stop the server with one clear line; a disk that fills up
// mid-game answers SERVER_ERROR and broadcasts nothing it did not store, while the server keeps running.

import assert from "node:assert/strict";
import { ignoreTarget, startServer, type Target, TARGETS } from "../support/server_process.ts";
import { type Envelope, TestClient } from "../support/ws_client.ts";
import { withTempDir } from "../support/temp_dir.ts";

/** Starts a server that must refuse to run; returns its one-line complaint. */
async function refusal(target: Target, args: string[]): Promise<string> {
  const error = await startServer(target, args).then(
    async (server) => {
      await server.stop();
      throw new Error(`the server started:\n${server.output()}`);
    },
    (error: Error) => error,
  );
  assert.match(error.message, /exited with 1 before it was ready/);
  const lines = error.message.split("\n").filter((l) => l.startsWith("liaptui:"));
  assert.equal(lines.length, 1, error.message);
  return lines[0]!;
}

/** The first message received (so far or soon) that `match` accepts. */
async function firstOf(
  client: TestClient,
  match: (m: Envelope) => boolean,
  timeoutMs = 5_000,
): Promise<Envelope> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const found = client.received.find(match);
    if (found !== undefined) return found;
    if (performance.now() > until) throw new Error("no answer");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Sends a chat with request id `id`; resolves with `chat` once it is broadcast, or the error code it got. */
async function chat(client: TestClient, message: string, id: string): Promise<string> {
  client.send("chat", { message }, id);
  const answer = await firstOf(
    client,
    (m) => (m.event === "chat" && m.data?.message === message) || (m.event === "error" && m.id === id),
  );
  return answer.event === "chat" ? "chat" : String(answer.error?.code);
}

/** Runs `mount` (root only); false where this machine does not allow it. */
async function mount(args: string[]): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("mount", { args, stdout: "null", stderr: "null" }).output();
    return success;
  } catch {
    return false; // No mount binary: the tmpfs tests are reported as ignored.
  }
}

async function umount(path: string): Promise<void> {
  await new Deno.Command("umount", { args: [path], stdout: "null", stderr: "null" }).output();
}

/** A fresh tiny tmpfs (a disk that fills up fast), or null without the right to mount one. */
async function tinyDisk(kib: number, readOnly = false): Promise<string | null> {
  const path = await Deno.makeTempDir({ prefix: "liaptui-tmpfs-" });
  const options = `size=${kib}k${readOnly ? ",ro" : ""}`;
  if (await mount(["-t", "tmpfs", "-o", options, "tmpfs", path])) return path;
  await Deno.remove(path);
  return null;
}

async function release(path: string): Promise<void> {
  await umount(path);
  await Deno.remove(path, { recursive: true });
}

const probe = await tinyDisk(64);
const canMount = probe !== null;
if (probe !== null) await release(probe);

for (const target of TARGETS) {
  const ignore = ignoreTarget(target);

  Deno.test({
    name:
      `[${target}] a second server on the same data directory refuses to start, whichever runtime holds it`,
    ignore: ignoreTarget("binary"), // both runtimes take part, whichever this one is
    fn: async () => {
      const dataDir = await Deno.makeTempDir({ prefix: "liaptui-lock-" });
      const other: Target = target === "source" ? "binary" : "source";
      const first = await startServer(other, ["--data-dir", dataDir]);
      try {
        const line = await refusal(target, ["--data-dir", dataDir]);
        assert.match(line, /in use by another liaptui process/);
        assert.equal((await fetch(`${first.url}/healthz`)).status, 200, "the first server is undisturbed");
      } finally {
        await first.stop();
        await Deno.remove(dataDir, { recursive: true });
      }
    },
  });

  Deno.test({
    name: `[${target}] a corrupted database file stops the server with one line naming the file`,
    ignore,
    fn: async () => {
      await withTempDir("liaptui-corrupt-", async (dataDir) => {
        await Deno.writeTextFile(`${dataDir}/liaptui.db`, "not sqlite at all\n".repeat(500));
        const line = await refusal(target, ["--data-dir", dataDir]);
        assert.match(line, /liaptui\.db: file is not a database/);
      });
    },
  });

  Deno.test({
    name: `[${target}] a data directory that cannot be created stops the server with one line`,
    ignore,
    fn: async () => {
      await withTempDir("liaptui-nodir-", async (dir) => {
        await Deno.writeTextFile(`${dir}/taken`, "a file where the folder should go");
        const line = await refusal(target, ["--data-dir", `${dir}/taken/data`]);
        assert.match(line, /cannot create the data directory/);
      });
    },
  });

  Deno.test({
    name: `[${target}] a read-only data directory stops the server with one line`,
    ignore: ignore || !canMount,
    fn: async () => {
      const disk = (await tinyDisk(256, true))!;
      try {
        const line = await refusal(target, ["--data-dir", disk]);
        assert.match(line, /cannot (open|use) .*liaptui\.db: .*(readonly|read-only|unable to open)/i);
      } finally {
        await release(disk);
      }
    },
  });

  Deno.test({
    name:
      `[${target}] a full disk answers SERVER_ERROR, never broadcasts what it did not store, keeps serving, ` +
      "and /readyz reports it until the disk has room again",
    ignore: ignore || !canMount,
    fn: async () => {
      const disk = (await tinyDisk(256))!;
      // Room the test can give back later: the data directory fills what is left.
      await Deno.writeFile(`${disk}/filler`, new Uint8Array(96 * 1024));
      const server = await startServer(target, ["--data-dir", `${disk}/data`]);
      const client = await TestClient.connect(`${server.wsUrl}/ws/full`);
      const readyz = async () => {
        const response = await fetch(`${server.url}/readyz`);
        return { status: response.status, store: (await response.json()).checks.store };
      };
      try {
        await client.next("connected");
        client.send("join_room", { player_name: "Ann" });
        await client.next("joined_room");
        assert.deepEqual(await readyz(), { status: 200, store: true });
        // Each chat is one stored action (a WAL page or two); the disk is full long before the rate limit bites.
        let refusedAt = -1;
        for (let i = 0; i < 400 && refusedAt < 0; i++) {
          if (await chat(client, `${i}:${"x".repeat(450)}`, `c${i}`) === "SERVER_ERROR") refusedAt = i;
        }
        assert.ok(refusedAt > 0, `the disk filled up:\n${server.output()}`);
        await client.roundTrip();
        const chats = client.received.filter((m) => m.event === "chat");
        assert.equal(chats.length, refusedAt, "the refused chat was never broadcast");
        const seqs = client.received.filter((m) => m.seq !== undefined).map((m) => m.seq!);
        assert.deepEqual(seqs, seqs.map((_, i) => seqs[0]! + i), "no seq was spent on it");
        assert.equal((await fetch(`${server.url}/healthz`)).status, 200, "the server is still up");
        assert.match(server.output(), /storing chat failed/);
        assert.deepEqual(await readyz(), { status: 503, store: false }, "/readyz shows the full disk");
        assert.match(server.output(), /the store cannot write .*\/readyz reports not ready/);

        await Deno.remove(`${disk}/filler`);
        assert.deepEqual(await readyz(), { status: 200, store: true }, "ready once the disk has room");
        assert.equal(
          await chat(client, "stored again", "after"),
          "chat",
          "and the store really writes again",
        );
        assert.match(server.output(), /the store writes again/);
      } finally {
        await client.close();
        await server.stop();
        await release(disk);
      }
    },
  });
}
