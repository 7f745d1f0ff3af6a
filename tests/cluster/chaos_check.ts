// The long chaos runs, under `deno task test:chaos` (not the default suite): several seeds, each a minute of
// random faults after one of each kind (see chaos_run.ts), every gate asserted. CHAOS_SEEDS="1,2,3" and
// CHAOS_MS pick the seeds and the length of each run's random part.

import { assertGates } from "./chaos_gates.ts";
import { describe, runChaos, type Step } from "./chaos_run.ts";

const SEEDS = (Deno.env.get("CHAOS_SEEDS") ?? Deno.env.get("CHAOS_SEED") ?? "7,1,2")
  .split(",").map((s) => Number(s.trim()));
const CHAOS_MS = Number(Deno.env.get("CHAOS_MS") ?? 60_000);
const EACH: readonly Step[] = ["kill", "kill", "kill_unbroadcast", "stop", "redis_restart"];

for (const seed of SEEDS) {
  Deno.test({
    name: `chaos, long (seed ${seed}, ${Math.round(CHAOS_MS / 1000)} s of random faults)`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      console.log(`chaos seed ${seed} (CHAOS_SEEDS=${seed} replays this run)`);
      const report = await runChaos({ seed, steps: EACH, chaosMs: CHAOS_MS });
      console.log(describe(report));
      assertGates(report);
    },
  });
}
