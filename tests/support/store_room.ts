// A room created in a store and held by one node: the set-up every store test starts from.

import type { Grant, Json, Store } from "../../src/store/ports.ts";

export interface RoomSetUp {
  node?: string;
  createdAt?: number;
  data?: Json;
}

/** Creates `roomId` in `store` (if new) and acquires it for `node`; throws unless granted. */
export async function grantedRoom(store: Store, roomId: string, setUp: RoomSetUp = {}): Promise<Grant> {
  await store.log.create({ roomId, createdAt: setUp.createdAt ?? 1, data: setUp.data ?? {} });
  const acquired = await store.ownership.acquire(roomId, setUp.node ?? "n");
  if (acquired.kind !== "granted") throw new Error(`${roomId} not granted: ${acquired.kind}`);
  return acquired.grant;
}
