// Turns whatever a Redis call threw (connection closed, timeout, a script error) into the port's StoreError,
// so the room layer sees one kind of store failure whichever store it runs on, and knows whether a write's
// outcome is unknown (the connection failed) or it was surely not done (Redis answered with an error).

import { ReplyError } from "ioredis";
import { StoreError } from "./ports.ts";

/** Error replies that mean "not now" rather than "never": Redis is loading its AOF, busy, or failing over. */
const PASSING_REPLY = /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN|CLUSTERDOWN)\b/;

/** Runs a Redis call; a rejection becomes a StoreError naming what was being done. */
export async function guarded<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof StoreError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    // Anything but an error reply (a closed socket, a timeout, a reply we could not read) leaves the command's
    // fate unknown: it may have run. An error reply means Redis did not run it.
    // (instanceof, not the error's name: a minified build renames classes.)
    const replied = error instanceof ReplyError && !PASSING_REPLY.test(reason);
    throw new StoreError(`redis: ${what} failed: ${reason}`, { inDoubt: !replied });
  }
}
