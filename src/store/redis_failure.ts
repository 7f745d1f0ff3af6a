// Turns whatever a Redis call threw (connection closed, timeout, a script error) into the port's StoreError,
// so the room layer sees one kind of store failure whichever store it runs on.

import { StoreError } from "./ports.ts";

/** Runs a Redis call; a rejection becomes a StoreError naming what was being done. */
export async function guarded<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof StoreError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError(`redis: ${what} failed: ${reason}`);
  }
}
