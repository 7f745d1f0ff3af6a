// Builds the release binaries with Bun's cross-compiler, the version stamped in, and a SHA256SUMS file in
// the format `sha256sum -c` reads. Usage:
//   deno task release [--version 1.2.3] [--targets linux-x64,linux-arm64] [--out dist/release]

import { createHash } from "node:crypto";
import { parseArgs } from "node:util";

/** Our target names → Bun's `--target` and the file name's ending. */
export const TARGETS: Record<string, { bun: string; suffix: string }> = {
  "linux-x64": { bun: "bun-linux-x64", suffix: "" },
  "linux-arm64": { bun: "bun-linux-arm64", suffix: "" },
  "darwin-arm64": { bun: "bun-darwin-arm64", suffix: "" },
  "windows-x64": { bun: "bun-windows-x64", suffix: ".exe" },
};

const BUN = ["-y", "bun@1.4.5"];
const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);

function fail(message: string): never {
  console.error(`release: ${message}`);
  Deno.exit(2);
}

/** The version to stamp: --version, else a pushed tag (v1.2.3 → 1.2.3), else the source's own. */
async function versionOf(given: string | undefined): Promise<string> {
  const tag = Deno.env.get("GITHUB_REF_TYPE") === "tag" ? Deno.env.get("GITHUB_REF_NAME") : undefined;
  const raw = given ?? tag;
  if (raw !== undefined) {
    const version = raw.replace(/^v/, "");
    if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) fail(`not a version: "${raw}"`);
    return version;
  }
  const source = await Deno.readTextFile(`${ROOT}src/config.ts`);
  return /: "(\d+\.\d+\.\d+)";/.exec(source)?.[1] ?? fail("cannot find VERSION in src/config.ts");
}

async function run(command: string, args: string[]): Promise<void> {
  const { code } = await new Deno.Command(command, { args, cwd: ROOT, stdout: "inherit", stderr: "inherit" })
    .output();
  if (code !== 0) fail(`${command} ${args.join(" ")} exited with ${code}`);
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path);
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { version: { type: "string" }, targets: { type: "string" }, out: { type: "string" } },
    strict: true,
  });
  const version = await versionOf(values.version);
  const names = values.targets?.split(",").map((t) => t.trim()) ?? Object.keys(TARGETS);
  for (const name of names) {
    if (!(name in TARGETS)) fail(`unknown target "${name}" (${Object.keys(TARGETS).join(", ")})`);
  }
  const given = values.out ?? "dist/release";
  const out = given.startsWith("/") ? given : `${ROOT}${given}`;
  await Deno.mkdir(out, { recursive: true });
  await run(Deno.execPath(), ["install", "--quiet"]);

  const sums: string[] = [];
  for (const name of names) {
    const target = TARGETS[name]!;
    const file = `liaptui-${version}-${name}${target.suffix}`;
    console.log(`release: building ${file}`);
    await run("npx", [
      ...BUN,
      "build",
      "--compile",
      "--minify",
      `--target=${target.bun}`,
      "--define",
      `LIAPTUI_VERSION=${JSON.stringify(version)}`,
      "main.ts",
      "--outfile",
      `${out}/${file}`,
    ]);
    sums.push(`${await sha256(`${out}/${file}`)}  ${file}`);
  }
  await Deno.writeTextFile(`${out}/SHA256SUMS`, `${sums.join("\n")}\n`);
  console.log(`release: ${names.length} binaries of liaptui ${version} and SHA256SUMS in ${out}/`);
}

if (import.meta.main) await main();
