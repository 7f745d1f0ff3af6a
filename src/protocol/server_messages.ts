// How server messages are encoded: the event envelope, the error envelope and message batches.

import type { ErrorCode } from "./codes.ts";
import type { RequestId } from "./client_messages.ts";

export interface EnvelopeMeta {
  /** The channel the event belongs to. */
  roomId?: string;
  /** Position in the room's broadcast stream; only on room broadcasts. */
  seq?: number;
  /** The client's request id, only on direct replies. */
  id?: RequestId;
  timestamp: number;
}

/** One event as it goes on the wire, encoded once so it can be fanned out as the same string. */
export function encodeEvent(event: string, data: unknown, meta: EnvelopeMeta): string {
  return JSON.stringify({
    event,
    data,
    room_id: meta.roomId,
    seq: meta.seq,
    id: meta.id,
    timestamp: meta.timestamp,
  });
}

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export function encodeError(body: ErrorBody, meta: { id?: RequestId; timestamp: number }): string {
  return JSON.stringify({
    event: "error",
    error: { code: body.code, message: body.message, details: body.details ?? {}, timestamp: meta.timestamp },
    id: meta.id,
  });
}

/**
 * Wraps frames that were already encoded into one `message_batch` frame, without decoding them again:
 * each inner message stays a full envelope with its own `seq`.
 */
export function encodeBatch(frames: readonly string[], meta: { roomId?: string; timestamp: number }): string {
  const roomPart = meta.roomId === undefined ? "" : `,"room_id":${JSON.stringify(meta.roomId)}`;
  return `{"event":"message_batch","data":{"messages":[${
    frames.join(",")
  }],"count":${frames.length}}${roomPart},"timestamp":${meta.timestamp}}`;
}

/** Several frames for one client become one: itself when alone, a `message_batch` otherwise. */
export function combineFrames(
  frames: readonly string[],
  meta: { roomId?: string; timestamp: number },
): string {
  return frames.length === 1 ? frames[0]! : encodeBatch(frames, meta);
}
