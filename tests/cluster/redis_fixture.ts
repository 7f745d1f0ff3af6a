// A fresh redis-server and a connected client with the liaptui library loaded, for one test; cleaned up after.

import type { Redis } from "ioredis";
import { ensureLibrary } from "../../src/store/redis_checks.ts";
import { connectRedis, parseRedisUrl } from "../../src/store/redis_connection.ts";
import { RedisFunctions } from "../../src/store/redis_functions.ts";
import { type RedisServer, startRedis } from "./redis_server.ts";

export interface RedisFixture {
  server: RedisServer;
  client: Redis;
  fns: RedisFunctions;
  /** Another connection to the same server (closed by the fixture). */
  connect(name?: string): Promise<Redis>;
}

export async function withRedis(fn: (fixture: RedisFixture) => Promise<void>): Promise<void> {
  const server = await startRedis();
  const clients: Redis[] = [];
  try {
    const connect = async (name = "liaptui:test") => {
      const address = parseRedisUrl(server.url);
      if (typeof address === "string") throw new Error(address);
      const client = await connectRedis(address, { name });
      clients.push(client);
      return client;
    };
    const client = await connect();
    await ensureLibrary(client);
    await fn({ server, client, fns: new RedisFunctions(client), connect });
  } finally {
    for (const client of clients) client.disconnect();
    await server.stop();
  }
}
