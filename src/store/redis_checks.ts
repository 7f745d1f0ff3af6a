// What the cluster needs from a Redis server before a node joins: version, durability and eviction settings,
// and the Function library (loaded when missing or older). Each finding is one clear line.

import { LIBRARY_NAME, LIBRARY_SOURCE, LIBRARY_VERSION } from "./redis_library.ts";
import { type RedisCaller, RedisFunctions } from "./redis_functions.ts";

/** What a node reads from Redis to judge it. `null` when Redis would not say (CONFIG renamed away). */
export interface RedisFacts {
  version: string;
  appendonly: string | null;
  appendfsync: string | null;
  maxmemoryPolicy: string | null;
}

export interface RedisVerdict {
  /** Any of these stops the node: running on would risk losing or corrupting games. */
  errors: string[];
  /** Worth telling the operator; the node runs. */
  warnings: string[];
}

/** Pure: the verdict on a server's settings. */
export function judgeRedis(facts: RedisFacts): RedisVerdict {
  const errors: string[] = [];
  const warnings: string[] = [];
  const [major = 0] = facts.version.split(".").map(Number);
  if (!(major >= 7)) {
    errors.push(`Redis ${facts.version} is too old: cluster mode needs Redis 7.0 or newer (Functions)`);
  }
  if (facts.appendonly === null) {
    warnings.push("cannot read Redis's appendonly setting (CONFIG GET refused); it must be yes");
  } else if (facts.appendonly !== "yes") {
    errors.push(
      `Redis has appendonly ${facts.appendonly}: a Redis restart would lose games; set appendonly yes`,
    );
  }
  if (facts.appendfsync === null) {
    warnings.push("cannot read Redis's appendfsync setting (CONFIG GET refused); always is recommended");
  } else if (facts.appendfsync !== "always") {
    warnings.push(
      `Redis has appendfsync ${facts.appendfsync}: a Redis crash can lose about a second of acknowledged ` +
        "actions; appendfsync always is recommended",
    );
  }
  if (facts.maxmemoryPolicy === null) {
    warnings.push("cannot read Redis's maxmemory-policy (CONFIG GET refused); it must be noeviction");
  } else if (facts.maxmemoryPolicy !== "noeviction") {
    errors.push(
      `Redis has maxmemory-policy ${facts.maxmemoryPolicy}: it could evict a lease or a game's log; ` +
        "set maxmemory-policy noeviction",
    );
  }
  return { errors, warnings };
}

/** Reads the facts: the version from INFO, the settings from CONFIG GET (null when refused). */
export async function readRedisFacts(redis: RedisCaller): Promise<RedisFacts> {
  const info = await redis.call("INFO", ["server"]);
  const version = typeof info === "string" ? info.match(/^redis_version:([^\r\n]+)/m)?.[1] : undefined;
  const setting = async (name: string): Promise<string | null> => {
    try {
      const reply = await redis.call("CONFIG", ["GET", name]);
      return Array.isArray(reply) && typeof reply[1] === "string" ? reply[1] : null;
    } catch {
      return null; // Managed services often rename CONFIG away; the verdict warns instead.
    }
  };
  return {
    version: version ?? "unknown",
    appendonly: await setting("appendonly"),
    appendfsync: await setting("appendfsync"),
    maxmemoryPolicy: await setting("maxmemory-policy"),
  };
}

/**
 * Makes sure this node's library version is the one loaded: loads it when missing or older. Answers
 * what it did, for the start-up log.
 */
export async function ensureLibrary(redis: RedisCaller): Promise<"present" | "loaded" | "replaced"> {
  let loaded: string | null = null;
  try {
    loaded = await new RedisFunctions(redis).version();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Only "no such function" means "load it"; anything else (a dropped connection) is a real failure.
    if (!/function not found/i.test(message)) throw error;
  }
  if (loaded === LIBRARY_VERSION) return "present";
  if (loaded !== null && Number(loaded) > Number(LIBRARY_VERSION)) {
    // A newer node loaded it: replacing it back would break that node's calls. Upgrade this one instead.
    throw new Error(
      `Redis holds the ${LIBRARY_NAME} library v${loaded}, newer than this node's v${LIBRARY_VERSION}: ` +
        "upgrade this node",
    );
  }
  await redis.call("FUNCTION", ["LOAD", "REPLACE", LIBRARY_SOURCE]);
  return loaded === null ? "loaded" : "replaced";
}

/** The start-up check: throws one line per error; returns the warnings and what happened to the library. */
export async function checkRedis(redis: RedisCaller): Promise<{ warnings: string[]; library: string }> {
  const verdict = judgeRedis(await readRedisFacts(redis));
  if (verdict.errors.length > 0) throw new Error(verdict.errors.join("; "));
  const library = await ensureLibrary(redis);
  return { warnings: verdict.warnings, library: `${LIBRARY_NAME} v${LIBRARY_VERSION} ${library}` };
}
