// What a client keeps to come back where it was: its session token and how far it has read the room's
// broadcast stream. Decides the URL of a reconnect and which broadcasts are new. No I/O besides the token store.

import type { Incoming } from "./envelopes.ts";
import { isError } from "./envelopes.ts";
import { SeqTracker, type SeqVerdict } from "./seq_tracker.ts";
import type { TokenStore } from "./token_store.ts";

export class Session {
  /** The room the session belongs to, or null on the lobby (which holds no seat). */
  readonly roomId: string | null;
  /**
   * Between a reconnect with a token (or a request for a fresh state) and the `resumed` or `game_state` that
   * settles it. A jump in `seq` meanwhile is the catching up at work, not a loss to repair again.
   */
  catchingUp = false;
  #tokens: TokenStore;
  #token: string | null;
  #seq = new SeqTracker();
  #duplicates = 0;

  /** `token` and `lastSeq` come from the URL the client was given, if it named them. */
  constructor(roomId: string | null, tokens: TokenStore, token: string | null, lastSeq: number | null) {
    this.roomId = roomId;
    this.#tokens = tokens;
    if (token !== null && roomId !== null) tokens.set(roomId, token);
    this.#token = token ?? (roomId === null ? null : tokens.get(roomId));
    if (this.#token !== null && lastSeq !== null) this.#seq.snapshot(lastSeq);
  }

  get token(): string | null {
    return this.#token;
  }

  get lastSeq(): number | null {
    return this.#seq.last;
  }

  get duplicates(): number {
    return this.#duplicates;
  }

  /**
   * A reconnect is about to go to `url`: returns it with what it takes to resume (`?token=` and, if anything
   * was delivered, `&last_seq=`). Without a token there is nothing to resume, and the stream is forgotten.
   */
  prepareReconnect(url: string): string {
    const target = new URL(url);
    if (this.#token === null) {
      // Nothing to resume: whatever arrives next is a new stream (the room may even have been recreated).
      this.#seq.reset();
      return target.href;
    }
    target.searchParams.set("token", this.#token);
    if (this.#seq.last !== null) target.searchParams.set("last_seq", String(this.#seq.last));
    return target.href;
  }

  /** A socket opened: with a token, the server's answer to it is a resume. */
  opened(): void {
    this.catchingUp = this.#token !== null;
  }

  /** Judges a broadcast's `seq`; a duplicate is counted and must not be delivered. */
  accept(seq: number): SeqVerdict {
    // A visitor (no token) stays on the channel when the room closes; if someone opens it again, its new
    // stream starts at 1. Without a token nothing is ever replayed, so seq 1 there means a new room. With a
    // token it is a replay: the room cannot close while its member is connected.
    if (seq === 1 && this.#token === null && this.#seq.last !== null) this.#seq.reset();
    const verdict = this.#seq.accept(seq);
    if (verdict.kind === "duplicate") this.#duplicates += 1;
    return verdict;
  }

  /** Learns from a delivered message: tokens handed out or revoked, snapshots, the end of a resume. */
  learn(message: Incoming): void {
    if (isError(message)) {
      if (message.error.code === "AUTHENTICATION_FAILED") {
        // The seat is gone (room closed, or the server forgot it): what comes next is a visitor's new stream.
        this.#forget();
        this.#seq.reset();
        this.catchingUp = false;
      }
      return;
    }
    const data = message.data as Record<string, unknown> | null;
    switch (message.event) {
      case "joined_room":
      case "room_created":
        // `room_created` reaches the lobby: the token is for that room, kept for the client that goes there.
        if (typeof data?.session_token === "string" && typeof data.room_id === "string") {
          this.#keep(data.room_id, data.session_token);
        }
        return;
      case "left_room":
        this.#forget();
        return;
      case "room_closed":
        // The server gave up on the room (its log cannot be replayed): the seat and its stream are gone, and a
        // room opened later under the same id starts again at seq 1.
        this.#forget();
        this.#seq.reset();
        this.catchingUp = false;
        return;
      case "game_state": {
        // A snapshot covers every broadcast up to its room's seq: the stream continues from there.
        const room = data?.room as { seq?: unknown } | null | undefined;
        if (typeof room?.seq === "number") this.#seq.snapshot(room.seq);
        this.catchingUp = false;
        return;
      }
      case "resumed":
        // The server sends `resumed` last, after the replay or the fresh `game_state`. Not recovered, the catching
        // up ends at that snapshot instead, which keeps a jump in `seq` before it from counting as a loss
        // whichever of the two comes first.
        if (data?.recovered !== false) this.catchingUp = false;
        return;
    }
  }

  #keep(roomId: string, token: string): void {
    this.#tokens.set(roomId, token);
    if (roomId === this.roomId) this.#token = token;
  }

  #forget(): void {
    if (this.roomId !== null) this.#tokens.delete(this.roomId);
    this.#token = null;
  }
}
