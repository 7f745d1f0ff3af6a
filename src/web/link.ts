// The page's socket to one channel: typed sends, frames in, and coming back on its own after a drop (backoff
// with jitter; the caller's path carries the session token, so a reconnect rebinds the same seat). The rest
// of the page sees only this interface, so the shared typed client can replace the implementation.

import type * as v from "valibot";
import type { LobbyEvents, RoomEvents } from "../protocol/client_messages.ts";
import type { ServerFrame } from "../protocol/server_events.ts";
import type { LinkStatus } from "./app_state.ts";

type Payload<S, E extends keyof S> = S[E] extends v.GenericSchema ? v.InferInput<S[E]> : never;

/** What a client may send on a channel, typed by the server's own schemas. */
export interface Link<S> {
  send<E extends keyof S & string>(event: E, data: Payload<S, E>): boolean;
  close(): void;
}
export type RoomLink = Link<RoomEvents>;
export type LobbyLink = Link<LobbyEvents>;

export interface LinkHandlers {
  frame(frame: ServerFrame): void;
  status(status: LinkStatus): void;
}

/** Close codes after which coming back would only repeat the problem, or take a seat from another tab. */
const FINAL_CLOSES = new Set([4001]);

/** Delay before reconnect attempt `n` (0-based): doubling from 0.5 s up to 10 s, then 50–100% of it. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(10_000, 500 * 2 ** attempt);
  return Math.round(ceiling * (0.5 + random() / 2));
}

/** Opens a socket to `path()` (re-read on every attempt) and keeps it open until `close()`. */
export function openLink<S>(path: () => string, handlers: LinkHandlers): Link<S> {
  let socket: WebSocket | null = null;
  let attempt = 0;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const connect = () => {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}${path()}`);
    socket = ws;
    ws.addEventListener("open", () => {
      attempt = 0;
      handlers.status("open");
    });
    ws.addEventListener("message", (event) => {
      if (typeof event.data !== "string") return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(event.data) as ServerFrame;
      } catch {
        return; // The server only sends JSON; a broken frame has nothing we could show.
      }
      handlers.frame(frame);
    });
    ws.addEventListener("close", (event) => {
      if (socket !== ws) return;
      socket = null;
      if (closed) return;
      if (FINAL_CLOSES.has(event.code)) {
        handlers.status("replaced");
        return;
      }
      handlers.status("reconnecting");
      timer = setTimeout(connect, backoffMs(attempt++));
    });
  };
  connect();
  handlers.status("connecting");

  return {
    send(event, data) {
      if (socket === null || socket.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify({ event, data }));
      return true;
    },
    close() {
      closed = true;
      clearTimeout(timer);
      socket?.close(1000);
      handlers.status("closed");
    },
  };
}
