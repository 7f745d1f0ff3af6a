// A WebSocket as the HTTP tests see one after an upgrade: the app's event handlers, and a fake transport that
// records what the server sent on it. Shared by the Hono route's tests and the direct route's.

import { WSContext, type WSEvents } from "hono/ws";
import { FakeTransport } from "../net/fakes.ts";

/** The headers of a plain WebSocket upgrade request. */
export const UPGRADE = { upgrade: "websocket", connection: "Upgrade" };

/** One socket a fake upgrade accepted: the app's event handlers, and what the server sent on it. */
export interface FakeSocket {
  events: WSEvents<FakeTransport>;
  ws: WSContext<FakeTransport>;
  transport: FakeTransport;
}

export function fakeSocket(events: WSEvents<FakeTransport>): FakeSocket {
  const transport = new FakeTransport();
  const ws = new WSContext<FakeTransport>({
    raw: transport,
    send: (data) => transport.send(String(data), false),
    close: (code, reason) => transport.close(code ?? 1000, reason ?? ""),
    readyState: 1,
  });
  return { events, ws, transport };
}
