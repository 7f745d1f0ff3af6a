// Expected outcomes of room operations: values with stable codes, never exceptions.

import type { GameError } from "../game/errors.ts";

export const RoomErrorCode = {
  ROOM_NOT_FOUND: "ROOM_NOT_FOUND",
  ROOM_FULL: "ROOM_FULL",
  NAME_TAKEN: "NAME_TAKEN",
  NOT_IN_ROOM: "NOT_IN_ROOM",
  NOT_HOST: "NOT_HOST",
  ALREADY_IN_GAME: "ALREADY_IN_GAME",
  GAME_NOT_STARTED: "GAME_NOT_STARTED",
  INVALID_PHASE: "INVALID_PHASE",
  INVALID_ACTION: "INVALID_ACTION",
  /** A bug or a storage failure: the action was rolled back and nobody heard of it. */
  SERVER_ERROR: "SERVER_ERROR",
} as const;
export type RoomErrorCode = typeof RoomErrorCode[keyof typeof RoomErrorCode];

export interface RoomError {
  code: RoomErrorCode | GameError["code"];
  message: string;
}

export type RoomResult<T> = { ok: true; value: T } | { ok: false; error: RoomError };

/** Most accepted commands (every chat) answer `ok(null)`: one shared, frozen result for them. */
const OK_NULL: RoomResult<null> = Object.freeze({ ok: true, value: null });

export function ok<T>(value: T): RoomResult<T> {
  return value === null ? OK_NULL as RoomResult<T> : { ok: true, value };
}

export function fail<T = never>(code: RoomError["code"], message: string): RoomResult<T> {
  return { ok: false, error: { code, message } };
}
