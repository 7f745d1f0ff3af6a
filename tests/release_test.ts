// `deno task release` for one target: the linux-arm64 binary is produced with an AArch64 ELF header, its
// checksum is in SHA256SUMS, and under qemu-user (when installed) it runs and prints the stamped version.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);
const VERSION = "0.0.7";
const SYSROOT = "/usr/aarch64-linux-gnu";

function canEmulate(): boolean {
  try {
    const qemu = new Deno.Command("qemu-aarch64", { args: ["--version"], stdout: "null", stderr: "null" });
    return qemu.outputSync().success && Deno.statSync(`${SYSROOT}/lib/ld-linux-aarch64.so.1`).isFile;
  } catch {
    return false; // qemu-user or the arm64 C library is missing: the run step is skipped, and says so.
  }
}

Deno.test("deno task release builds a linux-arm64 binary with the right ELF header, checksum and version", async () => {
  const out = await Deno.makeTempDir({ prefix: "liaptui-release-" });
  try {
    const build = await new Deno.Command(Deno.execPath(), {
      args: ["task", "release", "--targets", "linux-arm64", "--version", VERSION, "--out", out],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const log = new TextDecoder().decode(build.stdout) + new TextDecoder().decode(build.stderr);
    assert.equal(build.code, 0, log);
    const name = `liaptui-${VERSION}-linux-arm64`;
    assert.deepEqual([...Deno.readDirSync(out)].map((e) => e.name).sort(), ["SHA256SUMS", name]);

    const binary = await Deno.readFile(`${out}/${name}`);
    assert.deepEqual([...binary.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46], "ELF magic");
    assert.equal(binary[4], 2, "64-bit");
    assert.equal(binary[5], 1, "little-endian");
    assert.equal(binary[16]! | (binary[17]! << 8), 2, "an executable");
    assert.equal(binary[18]! | (binary[19]! << 8), 183, "machine EM_AARCH64");

    const digest = createHash("sha256").update(binary).digest("hex");
    assert.equal(await Deno.readTextFile(`${out}/SHA256SUMS`), `${digest}  ${name}\n`);

    if (!canEmulate()) {
      console.warn("qemu-aarch64 or the arm64 C library is not installed: the binary was not run");
      return;
    }
    const ran = await new Deno.Command("qemu-aarch64", {
      args: ["-L", SYSROOT, `${out}/${name}`, "--version"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(ran.code, 0, new TextDecoder().decode(ran.stderr));
    assert.equal(
      new TextDecoder().decode(ran.stdout).trim(),
      `liaptui ${VERSION}`,
      "the version is stamped in",
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
