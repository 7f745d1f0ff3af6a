// Heap and resident size of a running server right after a full collection, read through the admin API.
// A peak of resident memory mostly measures when the collector last ran; after a collection it measures what
// the server still holds (plus pages the allocator keeps).

import assert from "node:assert/strict";
import type { ServerProcess } from "./server_process.ts";

export interface CollectedMemory {
  heap: number;
  rss: number;
}

/** The server must run with `LIAPTUI_ADMIN_TOKEN=token`. Collects twice, so finalisers have run. */
export async function collectedMemory(server: ServerProcess, token: string): Promise<CollectedMemory> {
  let body: { heap_used_bytes: number; rss_bytes: number } | null = null;
  for (let i = 0; i < 2; i++) {
    const response = await fetch(`${server.url}/api/admin/gc`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.status, 200, "the admin API collects garbage");
    body = await response.json();
  }
  return { heap: body!.heap_used_bytes, rss: body!.rss_bytes };
}
