// Reading server frames: one JSON text frame → the envelopes in it, a `message_batch` unwrapped. Pure.

import type { ErrorEnvelope } from "../protocol/server_events.ts";
import type { Envelope } from "./channel.ts";

/** One envelope as it arrives, before the client has looked at it. */
export type Incoming = Envelope | ErrorEnvelope;

/** The envelopes of one frame in order; anything that is not an envelope is skipped. */
export function unwrap(frame: string): Incoming[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame);
  } catch {
    return []; // The server only sends JSON; a broken frame carries nothing a client could act on.
  }
  if (!isEnvelope(parsed)) return [];
  if (parsed.event !== "message_batch") return [parsed];
  const inner = (parsed.data as { messages?: unknown } | undefined)?.messages;
  return Array.isArray(inner) ? inner.filter(isEnvelope) : [];
}

export function isError(message: Incoming): message is ErrorEnvelope {
  return message.event === "error";
}

function isEnvelope(value: unknown): value is Incoming {
  return typeof value === "object" && value !== null &&
    typeof (value as { event?: unknown }).event === "string";
}
