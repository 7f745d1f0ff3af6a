// The planted-bug check: copies the repository to a scratch folder, applies each mutant of mutants.ts alone,
// runs the tests it names, and reports whether the suite caught it. Exits 1 if any mutant survives, if a
// snippet is missing, or if the unmutated copy does not pass first. Usage (from the repository root):
//   deno task mutants                     all mutants
//   deno task mutants --only=turn-tie,…   some of them
//   deno task mutants --keep              leave the scratch copy in .tmp/ for a look

import { type Mutant, MUTANTS } from "./mutants.ts";

const ROOT = decodeURIComponent(new URL("../../", import.meta.url).pathname);

interface Outcome {
  mutant: Mutant;
  verdict: "killed" | "SURVIVED" | "SNIPPET MISSING" | "SNIPPET NOT UNIQUE";
  seconds: number;
  detail: string;
}

function parseArgs(args: readonly string[]): { only: Set<string> | null; keep: boolean } {
  let only: Set<string> | null = null;
  let keep = false;
  for (const arg of args) {
    if (arg === "--keep") keep = true;
    else if (arg.startsWith("--only=")) {
      only = new Set(arg.slice("--only=".length).split(",").filter(Boolean));
    } else throw new Error(`unknown argument ${arg} (use --only=a,b and --keep)`);
  }
  return { only, keep };
}

/** Every file git knows about or would add (tracked, plus untracked but not ignored), repository-relative. */
async function repositoryFiles(): Promise<string[]> {
  const output = await new Deno.Command("git", {
    args: ["ls-files", "--cached", "--others", "--exclude-standard", "-z"],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  if (!output.success) throw new Error("git ls-files failed: run this from a git checkout");
  return new TextDecoder().decode(output.stdout).split("\0").filter(Boolean);
}

/** Build outputs the tests need that `git ls-files` does not list; the task builds them before this runs. */
const BUILT_FILES = ["src/web/dist/app.js"];

async function copyRepository(into: string): Promise<void> {
  for (const file of await repositoryFiles()) {
    const target = `${into}/${file}`;
    await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
    try {
      await Deno.copyFile(`${ROOT}${file}`, target);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error; // Deleted in the work tree but still indexed.
    }
  }
  // The page bundle is built, so git ignores it, but the HTTP tests serve it: without it the baseline fails.
  for (const built of BUILT_FILES) {
    await Deno.mkdir(`${into}/${built.slice(0, built.lastIndexOf("/"))}`, { recursive: true });
    await Deno.copyFile(`${ROOT}${built}`, `${into}/${built}`);
  }
  // The npm packages are shared, not copied: the mutants never touch them.
  await Deno.symlink(`${ROOT}node_modules`, `${into}/node_modules`);
}

function occurrences(text: string, snippet: string): number {
  let count = 0;
  for (let at = text.indexOf(snippet); at >= 0; at = text.indexOf(snippet, at + 1)) count++;
  return count;
}

/** A mutant that makes the tests hang (an endless loop) is caught too: the run is killed after this long. */
const RUN_LIMIT_MS = 15 * 60_000;

/** Runs tests in the scratch copy; type checking is off so only behaviour can fail them. */
async function runTests(cwd: string, tests: readonly string[]): Promise<{ passed: boolean; tail: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", "--allow-all", "--no-check", "--fail-fast", ...tests],
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let hung = false;
  const limit = setTimeout(() => {
    hung = true;
    child.kill("SIGKILL");
  }, RUN_LIMIT_MS);
  const output = await child.output().finally(() => clearTimeout(limit));
  if (hung) return { passed: false, tail: `the tests hung for ${RUN_LIMIT_MS / 60_000} min` };
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  const failed = text.split("\n").find((line) => /\.\.\. FAILED/.test(line)) ?? "";
  return { passed: output.success, tail: failed.replace(/\s*\.\.\. FAILED.*$/, "").trim() };
}

function table(outcomes: readonly Outcome[]): string {
  const rows = [
    ["mutant", "breaks", "file", "verdict", "s", "first failing test"],
    ...outcomes.map((o) => [
      o.mutant.name,
      o.mutant.breaks,
      o.mutant.file,
      o.verdict,
      o.seconds.toFixed(0),
      o.detail,
    ]),
  ];
  const clip = (cell: string) => (cell.length > 70 ? `${cell.slice(0, 67)}...` : cell);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => clip(row[i] ?? "").length)));
  return rows
    .map((row, r) => {
      const line = row.map((cell, i) => clip(cell).padEnd(widths[i] ?? 0)).join(" | ");
      return r === 0 ? `${line}\n${widths.map((w) => "-".repeat(w)).join("-|-")}` : line;
    })
    .join("\n");
}

async function main(): Promise<number> {
  const { only, keep } = parseArgs(Deno.args);
  const chosen = MUTANTS.filter((m) => only === null || only.has(m.name));
  if (only !== null && chosen.length !== only.size) {
    const known = new Set(MUTANTS.map((m) => m.name));
    throw new Error(`unknown mutant(s): ${[...only].filter((n) => !known.has(n)).join(", ")}`);
  }
  await Deno.mkdir(`${ROOT}.tmp`, { recursive: true });
  const scratch = await Deno.makeTempDir({ dir: `${ROOT}.tmp`, prefix: "mutants-" });
  try {
    await copyRepository(scratch);
    const allTests = [...new Set(chosen.flatMap((m) => m.tests))];
    console.log(`baseline: ${allTests.join(" ")} on the unmutated copy in ${scratch}`);
    const baseline = await runTests(scratch, allTests);
    if (!baseline.passed) {
      console.error(`The unmutated copy fails (${baseline.tail}): fix the suite before judging mutants.`);
      return 1;
    }

    const outcomes: Outcome[] = [];
    for (const mutant of chosen) {
      const path = `${scratch}/${mutant.file}`;
      const original = await Deno.readTextFile(path);
      const found = occurrences(original, mutant.find);
      if (found !== 1) {
        outcomes.push({
          mutant,
          verdict: found === 0 ? "SNIPPET MISSING" : "SNIPPET NOT UNIQUE",
          seconds: 0,
          detail: `update tests/mutations/mutants.ts: ${JSON.stringify(mutant.find.slice(0, 40))}…`,
        });
        console.log(`${mutant.name}: snippet found ${found} times in ${mutant.file}`);
        continue;
      }
      const started = performance.now();
      await Deno.writeTextFile(path, original.replace(mutant.find, () => mutant.replace));
      try {
        const result = await runTests(scratch, mutant.tests);
        const seconds = (performance.now() - started) / 1000;
        outcomes.push({
          mutant,
          verdict: result.passed ? "SURVIVED" : "killed",
          seconds,
          detail: result.passed ? "every test passed" : result.tail,
        });
        console.log(`${mutant.name}: ${result.passed ? "SURVIVED" : "killed"} (${seconds.toFixed(0)} s)`);
      } finally {
        await Deno.writeTextFile(path, original);
      }
    }
    console.log(`\n${table(outcomes)}\n`);
    const bad = outcomes.filter((o) => o.verdict !== "killed");
    console.log(
      bad.length === 0
        ? `All ${outcomes.length} mutants were caught.`
        : `${bad.length} of ${outcomes.length} mutants were not caught: ${
          bad.map((o) => o.mutant.name).join(", ")
        }`,
    );
    return bad.length === 0 ? 0 : 1;
  } finally {
    if (keep) console.log(`scratch copy kept in ${scratch}`);
    else await Deno.remove(scratch, { recursive: true });
  }
}

Deno.exit(await main());
