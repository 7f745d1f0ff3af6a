// A scripted stand-in for the WebSocket the client opens: tests open, feed and close it by hand.

import type { WebSocketConstructor, WebSocketLike } from "../../src/client/socket_port.ts";

export class FakeSocket implements WebSocketLike {
  readyState = 0;
  #listeners = new Map<string, ((event: never) => void)[]>();
  /** Frames the client sent, decoded. */
  readonly sent: { event: string; data?: Record<string, unknown>; id?: string | number }[] = [];
  /** `close()` calls the client made. */
  readonly closeCalls: { code?: number; reason?: string }[] = [];

  constructor(readonly url: string) {}

  addEventListener(type: "open" | "error", listener: (event: unknown) => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "close", listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: string, listener: (event: never) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  #fire(type: string, event: unknown): void {
    for (const listener of this.#listeners.get(type) ?? []) (listener as (event: unknown) => void)(event);
  }

  send(data: string | Uint8Array): void {
    if (this.readyState !== 1) throw new Error("send on a socket that is not open");
    this.sent.push(JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data)));
  }

  close(code?: number, reason?: string): void {
    this.closeCalls.push({ code, reason });
    this.readyState = 2;
  }

  // ---- driven by the test --------------------------------------------------------------------------------

  open(): void {
    this.readyState = 1;
    this.#fire("open", {});
  }

  /** Delivers one frame; an object is encoded as JSON. */
  receive(frame: unknown): void {
    this.#fire("message", { data: typeof frame === "string" ? frame : JSON.stringify(frame) });
  }

  /** The socket closes (the server closed it, the network dropped, or the close handshake finished). */
  serverClose(code: number, reason = ""): void {
    this.readyState = 3;
    this.#fire("close", { code, reason });
  }

  /** The URL's query parameters, for checking what a reconnect carries. */
  get params(): URLSearchParams {
    return new URL(this.url).searchParams;
  }

  get path(): string {
    return new URL(this.url).pathname;
  }

  /** Sent frames of one event. */
  sentOf(event: string): { event: string; data?: Record<string, unknown>; id?: string | number }[] {
    return this.sent.filter((m) => m.event === event);
  }
}

/** A WebSocket constructor that records every socket it makes. */
export function fakeSockets(): {
  WebSocket: WebSocketConstructor;
  sockets: FakeSocket[];
  last(): FakeSocket;
} {
  const sockets: FakeSocket[] = [];
  const WebSocket = class extends FakeSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  };
  return {
    WebSocket,
    sockets,
    last() {
      const socket = sockets.at(-1);
      if (socket === undefined) throw new Error("no socket was opened");
      return socket;
    },
  };
}
