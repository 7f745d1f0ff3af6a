// Whether a test that needs something from the machine may be skipped: locally yes, with a warning; on CI
// (CI=true) never, so a green CI run cannot hide a test that silently did not run.

/** True when CI=true (or 1) is set, as GitHub Actions and most CI services do. */
export function onCi(): boolean {
  const value = Deno.env.get("CI")?.toLowerCase();
  return value === "true" || value === "1";
}

/**
 * The `ignore` flag for a test that needs `available`: false when it is there; when it is missing, true
 * locally (with a warning that says why) and, on CI, an error thrown at load time that fails the run.
 */
export function requireOnCi(available: boolean, reason: string): boolean {
  if (available) return false;
  if (onCi()) throw new Error(`CI=true, but ${reason}: this test must run on CI, so the run fails`);
  console.warn(`skipped: ${reason}`);
  return true;
}
