// Which requests on `/ws/{channel}` may become sockets: the checks both socket routes run (Hono's, and the
// direct one under Bun), and the answer Hono's route gives each refusal. One list, so the routes cannot drift.

import { Gateway } from "../net/gateway.ts";
import type { OriginCheck } from "./origin_check.ts";

/** A request that may not be upgraded, as Hono's route answers it. */
export interface SocketRefusal {
  status: 403 | 404 | 426;
  error: string;
  /** Counted in `connectionsRefused` under this reason (the others are not sockets at all). */
  reason?: "origin";
  headers?: Record<string, string>;
}

const BAD_CHANNEL: SocketRefusal = {
  status: 404,
  error: "Room ids are 1–32 characters of A–Z, a–z, 0–9, _ and -",
};
const NOT_WEBSOCKET: SocketRefusal = {
  status: 426,
  error: "This endpoint speaks WebSocket",
  headers: { upgrade: "websocket" },
};
// A page from another site must not act with the visitor's session (cross-site WebSocket hijacking).
const FOREIGN_ORIGIN: SocketRefusal = {
  status: 403,
  error: "This origin may not open WebSockets here",
  reason: "origin",
};

/**
 * Null when a request for `channel` (as the router decoded it) may be upgraded, else why not, in the order
 * the route answers: a well-formed channel, `Upgrade: websocket`, an allowed origin. The header-size and body
 * limits apply to every route and live in `security.ts`.
 */
export function socketRefusal(origins: OriginCheck, channel: string, headers: Headers): SocketRefusal | null {
  if (!Gateway.isChannel(channel)) return BAD_CHANNEL;
  if (headers.get("upgrade")?.toLowerCase() !== "websocket") return NOT_WEBSOCKET;
  if (!origins.allows(headers.get("origin") ?? undefined, headers.get("host") ?? undefined)) {
    return FOREIGN_ORIGIN;
  }
  return null;
}
