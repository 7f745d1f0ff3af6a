// Who holds which room, read from Redis for operators (/api/stats): each room's owner and epoch from its meta
// hash, and whether a lease is live. Read-only and advisory: a node's own grants, not this, decide anything.

import type { Redis } from "ioredis";
import { roomKeys } from "./redis_keys.ts";

export interface RoomOwner {
  /** The node that holds or last held the room; null when none does (never leased, or released). */
  readonly node: string | null;
  /** The room's fencing epoch: how many times it has been granted. */
  readonly epoch: number;
  /** Whether a lease is live right now; false when the last owner died or stalled and nobody took it yet. */
  readonly leased: boolean;
}

/** Owners of `roomIds` in one round trip; rooms Redis does not know are left out. */
export async function readOwners(redis: Redis, roomIds: readonly string[]): Promise<Map<string, RoomOwner>> {
  const owners = new Map<string, RoomOwner>();
  if (roomIds.length === 0) return owners;
  const pipeline = redis.pipeline();
  for (const id of roomIds) {
    const keys = roomKeys(id);
    pipeline.hmget(keys.meta, "owner", "epoch").pttl(keys.lease);
  }
  const replies = (await pipeline.exec()) ?? [];
  roomIds.forEach((id, i) => {
    const [metaError, meta] = replies[i * 2] ?? [new Error("no reply"), null];
    const [ttlError, ttl] = replies[i * 2 + 1] ?? [new Error("no reply"), null];
    if (metaError ?? ttlError) throw metaError ?? ttlError;
    const [node, epoch] = meta as (string | null)[];
    if (epoch === null || epoch === undefined) return;
    owners.set(id, { node: node ? node : null, epoch: Number(epoch), leased: (ttl as number) > 0 });
  });
  return owners;
}
