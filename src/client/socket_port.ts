// What the client needs from a WebSocket and from timers, so tests can inject fakes. No runtime globals here.

/**
 * The part of the standard WebSocket the client uses (browser, Deno and Bun all provide it). Listeners are
 * declared as methods so the host's own WebSocket, whose events are richer, fits without a cast.
 */
export interface WebSocketLike {
  readonly readyState: number;
  addEventListener(type: "open" | "error", listener: (event: unknown) => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "close", listener: (event: { code: number; reason: string }) => void): void;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `WebSocket.readyState` values, spelled out so no global is read at module level. */
export const ReadyState = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;

/** Timers and a clock; the defaults are the host's own. */
export interface ClientTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Milliseconds; only differences are used. */
  now(): number;
}

/** The host's timers, looked up when a client is made (never at import time). */
export function hostTimers(): ClientTimers {
  return {
    setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
    // Hosts differ in the handle type (number in browsers and Deno, an object in Bun); each takes its own back.
    clearTimeout: (handle) => globalThis.clearTimeout(handle as number),
    now: () => Date.now(),
  };
}

/** The host's WebSocket, looked up when a client is made; a clear error where there is none. */
export function hostWebSocket(): WebSocketConstructor {
  const constructor = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof constructor !== "function") {
    throw new Error("No global WebSocket here: pass options.WebSocket to the client");
  }
  return constructor as WebSocketConstructor; // Checked above to be a constructor; WebSocketLike is its shape.
}
