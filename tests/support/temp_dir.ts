// A scratch folder for one test, removed afterwards whatever the test did. Owns no assertions.

/** Runs `fn` with a fresh temporary folder (named `prefix…`) and removes the folder and its contents after. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
