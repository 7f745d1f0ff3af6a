// Reading a running server's /healthz from end-to-end tests, and waiting for its counts to settle.

import type { ServerProcess } from "./server_process.ts";
import { until } from "./waiting.ts";

export interface Health {
  status: string;
  connections: number;
  rooms: number;
}

export async function health(server: ServerProcess): Promise<Health> {
  const response = await fetch(`${server.url}/healthz`);
  return (await response.json()) as Health;
}

/** Waits until /healthz reports exactly these counts (a close or a room removal is asynchronous). */
export async function untilHealth(
  server: ServerProcess,
  expected: Partial<Pick<Health, "connections" | "rooms">>,
  timeoutMs?: number,
): Promise<Health> {
  let last: Health | null = null;
  return await until(
    async () => {
      last = await health(server);
      const matches = Object.entries(expected).every(([key, value]) => last![key as keyof Health] === value);
      return matches ? last : undefined;
    },
    () => `/healthz to show ${JSON.stringify(expected)}; last ${JSON.stringify(last)}`,
    timeoutMs,
  );
}
