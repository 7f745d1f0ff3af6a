// Session tokens signed with the cluster's shared secret, so any node can tell a token this cluster issued
// for a room from a made-up one without asking anyone. Node's crypto (in Deno and Bun) keeps it synchronous.

import { createHmac, timingSafeEqual } from "node:crypto";

const TAG_BYTES = 16;

function base64url(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export class SessionSigner {
  readonly #secret: string;

  constructor(secret: string) {
    if (secret.length < 32) throw new RangeError("the cluster secret must be at least 32 characters");
    this.#secret = secret;
  }

  /** A fresh token for a seat in `roomId`: 128 random bits, then a 128-bit tag binding them to the room. */
  issue(roomId: string): string {
    const nonce = base64url(crypto.getRandomValues(new Uint8Array(16)));
    return `${nonce}.${base64url(this.#tag(roomId, nonce))}`;
  }

  /** Whether this cluster issued `token` for `roomId` (constant time in the tag). */
  verify(roomId: string, token: string): boolean {
    const dot = token.indexOf(".");
    if (dot <= 0 || dot !== token.lastIndexOf(".") || token.length > 128) return false;
    const given = token.slice(dot + 1);
    const expected = base64url(this.#tag(roomId, token.slice(0, dot)));
    const a = new TextEncoder().encode(given);
    const b = new TextEncoder().encode(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  #tag(roomId: string, nonce: string): Uint8Array {
    return createHmac("sha256", this.#secret).update(`liaptui-session\n${roomId}\n${nonce}`).digest()
      .subarray(0, TAG_BYTES);
  }
}
