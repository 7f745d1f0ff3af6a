// What a socket on `/ws/:channel` does once upgraded: hands its frames to the gateway, or, in cluster mode,
// tells it where its room is served. Built outside the upgrade request's handler on purpose (see below).

import type { WSContext, WSEvents } from "hono/ws";
import type { Connection } from "../net/connection.ts";
import type { ConnectQuery, Gateway } from "../net/gateway.ts";
import type { Transport } from "../net/transport.ts";
import { CloseCode } from "../protocol/codes.ts";
import { encodeEvent } from "../protocol/server_messages.ts";

/**
 * The handlers of an admitted socket. A plain function, not a closure inside the (async) upgrade handler:
 * closures made there keep that handler's whole scope alive, the request's Hono context with its Request,
 * Response, headers and some twenty bound methods, for as long as the socket lives (about 3 KiB of the
 * 11 KiB a joined idle connection held under Bun).
 */
export function socketEvents<Raw>(
  gateway: Gateway,
  transportOf: (ws: WSContext<Raw>) => Transport,
  channel: string,
  address: string,
  query: ConnectQuery,
): WSEvents<Raw> {
  let connection: Connection | null = null;
  return {
    onOpen(_event, ws) {
      connection = gateway.open(transportOf(ws), channel, address, query);
    },
    onMessage(event) {
      if (connection !== null) gateway.message(connection, event.data);
    },
    onClose(event) {
      if (connection !== null) gateway.closed(connection, event.code);
    },
    onError() {
      // An error ends the socket without a close frame: abnormal closure, as a client would see it.
      if (connection !== null) gateway.closed(connection, 1006);
    },
  };
}

/**
 * Cluster mode, a room served elsewhere: the socket hears where and is closed with 4010, or, when the room
 * cannot be served anywhere just now, is closed with 1013 (its token kept, to come back).
 */
export function turnAway<Raw>(
  channel: string,
  elsewhere: { redirect: string } | { retry: string },
  now: () => number,
): WSEvents<Raw> {
  if ("retry" in elsewhere) {
    return {
      onOpen(_event, ws) {
        ws.close(CloseCode.TRY_AGAIN_LATER, elsewhere.retry);
      },
    };
  }
  return {
    onOpen(_event, ws) {
      ws.send(encodeEvent("redirect", { room_id: channel, url: elsewhere.redirect }, {
        roomId: channel,
        timestamp: now(),
      }));
      ws.close(CloseCode.REDIRECT, "this room is served by another node");
    },
  };
}
