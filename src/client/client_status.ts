// The client's connection states, why it stops, its default reconnect policy, and the error a request rejects with.

import type { ErrorCode } from "../protocol/codes.ts";
import type { RequestId } from "../protocol/client_messages.ts";

/** Why a client stopped for good. */
export type StopCause =
  /** `close()` was called. */
  | "closed"
  /** The same session connected elsewhere (close `4001`): another tab or device has the seat now. */
  | "session_replaced"
  /**
   * The server refused this client (close `1008` abuse, `4029` too many connections, or `4003` an operator
   * kicked the socket or closed its room), see `shouldReconnect`.
   */
  | "refused"
  /** `maxAttempts` reconnects failed in a row. */
  | "gave_up"
  /** Reconnecting is switched off (`reconnect: false`) and the socket closed. */
  | "disconnected";

export type ClientStatus =
  | { state: "idle" }
  | { state: "connecting"; attempt: number }
  | { state: "open" }
  | { state: "reconnecting"; attempt: number; delayMs: number; code: number; reason: string }
  | { state: "closed"; code: number; reason: string; cause: StopCause };

/** Close codes with a meaning for clients; they match the server's `CloseCode` (checked by a test). */
export const ClientCloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  ABNORMAL: 1006,
  POLICY_VIOLATION: 1008,
  SERVER_ERROR: 1011,
  TRY_AGAIN_LATER: 1013,
  IDLE_TIMEOUT: 4000,
  SESSION_REPLACED: 4001,
  CLOSED_BY_OPERATOR: 4003,
  SLOW_CONSUMER: 4008,
  TOO_MANY_CONNECTIONS: 4029,
} as const;

/**
 * The default policy: reconnect after anything that may be passing (server restart `1001`, network loss
 * `1006`, server error `1011`, idle `4000`, slow consumer `4008`, …), but not when the server says this client
 * must stop: `4001` (another connection of the session took over; reconnecting would steal it back, and the
 * two would fight forever), `1008` (abuse), `4029` (too many connections; more attempts make it worse) or
 * `4003` (an operator kicked this socket or closed its room: coming straight back would undo the kick).
 */
export function shouldReconnect(code: number): boolean {
  return code !== ClientCloseCode.SESSION_REPLACED && code !== ClientCloseCode.POLICY_VIOLATION &&
    code !== ClientCloseCode.TOO_MANY_CONNECTIONS && code !== ClientCloseCode.CLOSED_BY_OPERATOR;
}

/** Failures of a request the server never answered. */
export type LocalErrorCode = "TIMEOUT" | "DISCONNECTED" | "NOT_CONNECTED";

/** A request's rejection: the server's `error` envelope for that id, or a local failure. */
export class RequestError extends Error {
  override readonly name = "RequestError";
  readonly code: ErrorCode | LocalErrorCode;
  readonly details: Record<string, unknown>;
  readonly id: RequestId;

  constructor(code: ErrorCode | LocalErrorCode, message: string, id: RequestId, details = {}) {
    super(message);
    this.code = code;
    this.id = id;
    this.details = details;
  }
}
