// The bounded chaos run of the default suite (see chaos_run.ts): every kind of fault at least once, in an
// order and at moments drawn from the seed (printed; CHAOS_SEED replays a run), and every gate of issue 12
// asserted: nothing lost, nothing applied twice, no seq gap or repeat seen by any client (in the stream or
// coming back), every game finishes, failover p95 <= lease + 2 s. `deno task test:chaos` runs longer ones.

import { assertGates } from "./chaos_gates.ts";
import { describe, runChaos } from "./chaos_run.ts";

const SEED = Number(Deno.env.get("CHAOS_SEED") ?? 20261202);

Deno.test({
  name: `chaos (seed ${SEED}): SIGKILLs, a kill between append and broadcast, a SIGSTOP, a Redis restart`,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    console.log(`chaos seed ${SEED} (CHAOS_SEED=${SEED} replays this run)`);
    const report = await runChaos({
      seed: SEED,
      steps: ["kill", "kill_unbroadcast", "stop", "redis_restart", "kill"],
      chaosMs: 30_000,
    });
    console.log(describe(report));
    assertGates(report);
  },
});
