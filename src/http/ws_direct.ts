// The common WebSocket handshake, a valid upgrade to `/ws/{channel}`, answered before Hono's router where the
// runtime can upgrade a bare Request (Bun). Anything unusual goes on to the Hono route, which answers it.

import type { WSContext, WSEvents } from "hono/ws";
import { getQueryParam } from "hono/utils/url";
import type { Gateway } from "../net/gateway.ts";
import type { Transport } from "../net/transport.ts";
import type { ClientAddress } from "./client_address.ts";
import type { OriginCheck } from "./origin_check.ts";
import { headersWithin } from "./security.ts";
import { socketEvents } from "./ws_events.ts";
import { socketRefusal } from "./ws_request.ts";

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
 * The socket handlers for a request that passes every check of the `/ws/:channel` route (the shared ones of
 * `ws_request.ts`, and the header limit every route has), or null for Hono's route to answer: its refusals
 * (404, 426, 403, 431, 413) and their metrics stay in one place. Hono's router, middleware and per-request
 * context were about a sixth of the server's JavaScript time per connect.
 */
export function directSocketEvents<Raw>(
  options: DirectSocketsOptions<Raw>,
  request: Request,
  peer: () => string,
): WSEvents<Raw> | null {
  if (request.method !== "GET") return null;
  // A request's URL is absolute: the path starts at the first "/" after the scheme's "//". Found with
  // indexOf rather than Hono's getPath, a loop over every character, slow on a cold server.
  const url = request.url;
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (!url.startsWith(PREFIX, start)) return null;
  const query = url.indexOf("?", start);
  const channel = url.slice(start + PREFIX.length, query < 0 ? undefined : query);
  // Percent-encoded: the router's decoding decides. Further segments fail the channel check.
  if (channel.includes("%")) return null;
  const headers = request.headers;
  // A body goes through Hono's body limit.
  if (headers.has("content-length") || headers.has("transfer-encoding")) return null;
  if (!headersWithin(headers, options.maxHeaderBytes)) return null;
  if (socketRefusal(options.origins, channel, headers) !== null) return null;
  // Read as Hono's `c.req.query` reads them (same helper), so both routes see the same token.
  const token = query < 0 ? undefined : getQueryParam(url, "token") as string | undefined;
  const lastSeq = query < 0 ? undefined : getQueryParam(url, "last_seq") as string | undefined;
  const address = options.clientAddress.resolve(peer(), headers);
  return socketEvents(options.gateway, options.transportOf, channel, address, {
    token: token || undefined,
    lastSeq,
  });
}
