// Stable error codes and WebSocket close codes of the wire contract. Constants only.

import { GameErrorCode } from "../game/errors.ts";
import { RoomErrorCode } from "../rooms/room_errors.ts";

/**
 * Codes of the `error` envelope. Stable strings; the message beside them is for humans. Rule and room
 * refusals keep the codes their layers define, so the wire and the engine can never disagree.
 */
export const ErrorCode = {
  INVALID_JSON: "INVALID_JSON",
  MISSING_EVENT: "MISSING_EVENT",
  UNKNOWN_EVENT: "UNKNOWN_EVENT",
  INVALID_DATA: "INVALID_DATA",
  MESSAGE_TOO_LARGE: "MESSAGE_TOO_LARGE",
  RATE_LIMITED: "RATE_LIMITED",
  AUTHENTICATION_FAILED: "AUTHENTICATION_FAILED",
  ...RoomErrorCode,
  ...GameErrorCode,
  SERVER_ERROR: "SERVER_ERROR",
} as const;
export type ErrorCode = typeof ErrorCode[keyof typeof ErrorCode];

/** WebSocket close codes the server uses. */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  SERVER_ERROR: 1011,
  /** Cluster mode: the room cannot be served here right now (Redis unreachable, or its lease moved). */
  TRY_AGAIN_LATER: 1013,
  IDLE_TIMEOUT: 4000,
  SESSION_REPLACED: 4001,
  CLOSED_BY_OPERATOR: 4003,
  SLOW_CONSUMER: 4008,
  /** Cluster mode: the room is served by another node; the `redirect` event before the close says where. */
  REDIRECT: 4010,
  TOO_MANY_CONNECTIONS: 4029,
} as const;
export type CloseCode = typeof CloseCode[keyof typeof CloseCode];
