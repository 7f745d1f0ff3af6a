// The common WebSocket handshake, a valid upgrade to `/ws/{channel}`, answered before Hono's router where the
// runtime can upgrade a bare Request (Bun). Anything unusual goes on to the Hono route, which answers it.

import type { WSContext, WSEvents } from "hono/ws";
import { getPath, getQueryParam } from "hono/utils/url";
import { Gateway } from "../net/gateway.ts";
import type { Transport } from "../net/transport.ts";
import type { ClientAddress } from "./client_address.ts";
import type { OriginCheck } from "./origin_check.ts";
import { socketEvents } from "./ws_events.ts";

/** What a runtime offers to upgrade a request outside Hono (Bun: `env` is the server). */
export interface DirectUpgrade {
  /** The peer's address, as `remoteAddress` gives it inside Hono. */
  peer(request: Request, env: unknown): string;
  /** Upgrades now; false if the runtime would not (Hono's route then answers the request). */
  upgrade(request: Request, env: unknown, events: WSEvents<unknown>): boolean;
}

export interface DirectSocketsOptions<Raw> {
  gateway: Gateway;
  transportOf(ws: WSContext<Raw>): Transport;
  origins: OriginCheck;
  clientAddress: ClientAddress;
  maxHeaderBytes: number;
}

const PREFIX = "/ws/";

/**
 * The socket handlers for a request that passes every check of the `/ws/:channel` route (header size, a
 * well-formed channel, `Upgrade: websocket`, an allowed origin, no body), or null for Hono's route to answer:
 * its refusals (404, 426, 403, 431, 413) and their metrics stay in one place. Hono's router, middleware and
 * per-request context were about a sixth of the server's JavaScript time per connect.
 */
export function directSocketEvents<Raw>(
  options: DirectSocketsOptions<Raw>,
  request: Request,
  peer: () => string,
): WSEvents<Raw> | null {
  if (request.method !== "GET") return null;
  const path = getPath(request);
  if (!path.startsWith(PREFIX)) return null;
  const channel = path.slice(PREFIX.length);
  // Percent-encoded or further segments: the router's decoding and matching decide.
  if (channel.includes("%") || !Gateway.isChannel(channel)) return null;
  const headers = request.headers;
  if (headers.get("upgrade")?.toLowerCase() !== "websocket") return null;
  if (headers.has("content-length") || headers.has("transfer-encoding")) return null;
  let total = 0;
  for (const [name, value] of headers) total += name.length + value.length + 4;
  if (total > options.maxHeaderBytes) return null;
  if (!options.origins.allows(headers.get("origin") ?? undefined, headers.get("host") ?? undefined)) {
    return null;
  }
  // Read as Hono's `c.req.query` reads them (same helper), so both routes see the same token.
  const token = getQueryParam(request.url, "token") as string | undefined;
  const lastSeq = getQueryParam(request.url, "last_seq") as string | undefined;
  const address = options.clientAddress.resolve(peer(), headers);
  return socketEvents(options.gateway, options.transportOf, channel, address, {
    token: token || undefined,
    lastSeq,
  });
}
