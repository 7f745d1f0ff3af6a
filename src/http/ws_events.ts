// What a socket on `/ws/:channel` does once upgraded: hands its frames to the gateway, or, in cluster mode,
// tells it where its room is served. Built outside the upgrade request's handler on purpose (see below).

import type { WSContext, WSEvents, WSMessageReceive } from "hono/ws";
import type { Connection } from "../net/connection.ts";
import type { ConnectQuery, Gateway } from "../net/gateway.ts";
import type { Transport } from "../net/transport.ts";
import { CloseCode } from "../protocol/codes.ts";
import { encodeEvent } from "../protocol/server_messages.ts";

/**
 * The handlers of an admitted socket. Built outside the upgrade request's (async) handler: closures made
 * there keep that handler's whole scope alive, the request's Hono context with its Request, Response,
 * headers and some twenty bound methods, for as long as the socket lives (about 3 KiB of the 11-12 KiB a
 * joined idle connection held under Bun). A class, so its handlers are shared methods, not four closures
 * per socket; runtimes call them as methods (`events.onMessage(…)`).
 */
class SocketSession<Raw> implements WSEvents<Raw> {
  readonly #gateway: Gateway;
  readonly #transportOf: (ws: WSContext<Raw>) => Transport;
  readonly #channel: string;
  readonly #address: string;
  #query: ConnectQuery | null;
  #connection: Connection | null = null;

  constructor(
    gateway: Gateway,
    transportOf: (ws: WSContext<Raw>) => Transport,
    channel: string,
    address: string,
    query: ConnectQuery,
  ) {
    this.#gateway = gateway;
    this.#transportOf = transportOf;
    this.#channel = channel;
    this.#address = address;
    this.#query = query;
  }

  onOpen(_event: Event, ws: WSContext<Raw>): void {
    const query = this.#query ?? {};
    // Read once, at admission (a queued socket's query is kept by the gateway until it is let in).
    this.#query = null;
    this.#connection = this.#gateway.open(this.#transportOf(ws), this.#channel, this.#address, query);
  }

  onMessage(event: MessageEvent<WSMessageReceive>): void {
    if (this.#connection !== null) this.#gateway.message(this.#connection, event.data);
  }

  onClose(event: CloseEvent): void {
    if (this.#connection !== null) this.#gateway.closed(this.#connection, event.code);
  }

  onError(): void {
    // An error ends the socket without a close frame: abnormal closure, as a client would see it.
    if (this.#connection !== null) this.#gateway.closed(this.#connection, 1006);
  }
}

export function socketEvents<Raw>(
  gateway: Gateway,
  transportOf: (ws: WSContext<Raw>) => Transport,
  channel: string,
  address: string,
  query: ConnectQuery,
): WSEvents<Raw> {
  return new SocketSession(gateway, transportOf, channel, address, query);
}

/**
 * Cluster mode, a room served elsewhere: the socket hears where and is closed with 4010, or, when the room
 * cannot be served anywhere just now, is closed with 1013 (its token kept, to come back). Closed at the door,
 * these sockets never reach the gateway: counted here as refused, and by close code.
 */
export function turnAway<Raw>(
  gateway: Gateway,
  channel: string,
  elsewhere: { redirect: string } | { retry: string },
  now: () => number,
): WSEvents<Raw> {
  const turnedAway = (reason: string, code: number) => {
    gateway.metrics.connectionsRefused.inc(reason);
    gateway.metrics.closed(code);
  };
  if ("retry" in elsewhere) {
    return {
      onOpen(_event, ws) {
        turnedAway("unavailable", CloseCode.TRY_AGAIN_LATER);
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
      turnedAway("redirect", CloseCode.REDIRECT);
      ws.close(CloseCode.REDIRECT, "this room is served by another node");
    },
  };
}
