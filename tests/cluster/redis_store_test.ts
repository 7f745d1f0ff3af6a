// The Redis store against the same port contract as the SQLite and memory stores, on a real redis-server.

import { connectRedis, parseRedisUrl } from "../../src/store/redis_connection.ts";
import { roomKeys } from "../../src/store/redis_keys.ts";
import { openRedisStore } from "../../src/store/redis_store.ts";
import { runStoreConformance } from "../store/conformance.ts";
import { startRedis } from "./redis_server.ts";

runStoreConformance("redisStore", async () => {
  const server = await startRedis();
  try {
    const store = await openRedisStore({ url: server.url, nodeId: "node-a" });
    const address = parseRedisUrl(server.url);
    if (typeof address === "string") throw new Error(address);
    const side = await connectRedis(address, { name: "liaptui:test:side" });
    return {
      store,
      // As if the holder stopped renewing and PX ran out: the key goes, exactly as expiry removes it.
      lapse: async (roomId: string) => {
        await side.del(roomKeys(roomId).lease);
      },
      dispose: async () => {
        side.disconnect();
        await store.close();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
});
