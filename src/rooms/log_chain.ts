// Which store log a room id's room lives in: the id's generations `id`, `id~2`, `id~3`, … one per time the id
// was opened, so every node derives the same log id for a reopened room without asking anyone.

import type { RoomLog, RoomMeta, RoomRecord } from "../store/ports.ts";

/** Cannot occur in a room id ([A-Za-z0-9_-]), so `id~2` is never another room's own id. */
const SEPARATOR = "~";

/** The log id of a room id's `generation`-th opening (1 is the id itself). */
export function generationLogId(roomId: string, generation: number): string {
  return generation <= 1 ? roomId : `${roomId}${SEPARATOR}${generation}`;
}

/** The room id a log id belongs to (the log id itself for a first generation). */
export function roomIdOfLog(logId: string): string {
  const at = logId.indexOf(SEPARATOR);
  return at < 0 ? logId : logId.slice(0, at);
}

/**
 * The room id's current log: the first generation that is missing (`record` null: the next opening creates
 * it) or not finished. A finished log is never deleted nor reopened, so the walk is the same on every node.
 * It costs one lookup per earlier opening of the id, which only ids reused by hand have.
 */
export async function currentLog(
  log: RoomLog,
  roomId: string,
): Promise<{ logId: string; record: RoomRecord | null }> {
  for (let generation = 1;; generation++) {
    const logId = generationLogId(roomId, generation);
    const record = await log.room(logId);
    if (record === null || !record.finished) return { logId, record };
  }
}

/**
 * Opens the room id's current log, creating it if absent (create-if-absent, so nodes racing to open one
 * generation agree: one creates it, and the others find the same log and contend for its lease). A log
 * finished between the lookup and the create moves the opening to the next generation.
 */
export async function openCurrentLog(
  log: RoomLog,
  roomId: string,
  createdAt: number,
  data: RoomMeta["data"],
): Promise<{ logId: string; created: boolean }> {
  for (;;) {
    const { logId, record } = await currentLog(log, roomId);
    if (record !== null) return { logId, created: false };
    const { created } = await log.create({ roomId: logId, createdAt, data });
    if (created) return { logId, created };
    const now = await log.room(logId);
    if (now === null || !now.finished) return { logId, created };
  }
}
