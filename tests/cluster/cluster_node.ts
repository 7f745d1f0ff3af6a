// Starts one cluster node (from source unless told otherwise) on a free loopback port for a test: the four
// cluster settings filled in, its public URL its own address unless the test puts something (a load balancer)
// in front. Owns no assertions.

import { freePort, type ServerProcess, startServer, type Target } from "../support/server_process.ts";

export const CLUSTER_SECRET = "a-test-secret-that-is-long-enough-1234";

export interface ClusterNodeOptions {
  /** What the node tells others to redirect players to (default: `http://127.0.0.1:<its port>`). */
  publicUrl?: string;
  /** More flags after the cluster ones. */
  args?: string[];
  env?: Record<string, string>;
  /** `source` (default) or the compiled `binary`. */
  target?: Target;
}

export async function startClusterNode(
  redisUrl: string,
  nodeId: string,
  options: ClusterNodeOptions = {},
): Promise<ServerProcess> {
  const port = freePort();
  const flags = {
    port: String(port),
    "redis-url": redisUrl,
    "node-id": nodeId,
    "public-url": options.publicUrl ?? `http://127.0.0.1:${port}`,
    "cluster-secret": CLUSTER_SECRET,
  };
  const args = [
    ...Object.entries(flags).flatMap(([flag, value]) => [`--${flag}`, value]),
    ...(options.args ?? []),
  ];
  return await startServer(options.target ?? "source", args, options.env ?? {});
}
