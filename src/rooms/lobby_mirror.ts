// The lobby across nodes (cluster mode): this node's public rooms go out to the shared Lobby as listings it
// refreshes, and every other node's listings come back in as lobby events, so each node's lobby shows them all.

import type { Json, Lobby, LobbyListing } from "../store/ports.ts";
import type { Clock, TimerId } from "./clock.ts";
import type { RoomSummary } from "./room_views.ts";

/** Where remote rooms are announced: the same events local rooms produce. */
export interface LobbyEvents {
  lobbyEvent(event: "room_created" | "room_updated" | "room_removed", data: unknown): void;
}

export interface LobbyMirrorOptions {
  lobby: Lobby;
  clock: Clock;
  output: LobbyEvents;
  /** Whether a room is served on this node (its own events already went out). */
  isLocal(roomId: string): boolean;
  /** This node's public rooms now: refreshed into the shared lobby. */
  localSummaries(): RoomSummary[];
  /** How long a listing lives without a refresh (default 10 s); refreshed every third of it. */
  ttlMs?: number;
  /** How often other nodes' changes are read (default 250 ms). */
  pollMs?: number;
}

/** A change-stream reader that fails keeps its cursor and tries again on the next poll. */
export class LobbyMirror {
  readonly #options: LobbyMirrorOptions;
  readonly #ttlMs: number;
  readonly #remote = new Map<string, RoomSummary>();
  #cursor: string | null = null;
  #timers: TimerId[] = [];
  #polling = false;
  #stopped = false;
  /** Polls failed in a row: an outage is said once (and every 40th try), not four times a second. */
  #failures = 0;

  constructor(options: LobbyMirrorOptions) {
    this.#options = options;
    this.#ttlMs = options.ttlMs ?? 10_000;
  }

  /** Reads the shared listing once and starts refreshing and following. */
  async start(): Promise<void> {
    const { listings, cursor } = await this.#options.lobby.snapshot();
    this.#cursor = cursor;
    for (const listing of listings) this.#upsert(listing, false);
    const clock = this.#options.clock;
    this.#timers.push(clock.setInterval(() => this.refresh(), Math.max(100, Math.floor(this.#ttlMs / 3))));
    this.#timers.push(clock.setInterval(() => void this.poll(), this.#options.pollMs ?? 250));
    this.refresh();
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) this.#options.clock.clearInterval(timer);
    this.#timers = [];
  }

  /** Other nodes' public rooms, as the lobby lists them. */
  remoteSummaries(): RoomSummary[] {
    return [...this.#remote.entries()].filter(([id]) => !this.#options.isLocal(id)).map(([, summary]) =>
      summary
    );
  }

  /** A local room's listing changed (or it turned public): share it now rather than at the next refresh. */
  put(summary: RoomSummary): void {
    this.#options.lobby.put({ roomId: summary.room_id, summary: summary as unknown as Json }, this.#ttlMs)
      .catch((error) => console.error(`[lobby] sharing room ${summary.room_id} failed`, error));
  }

  /** A local room closed or turned private: take its listing down. */
  remove(roomId: string): void {
    this.#options.lobby.remove(roomId).catch((error) =>
      console.error(`[lobby] removing room ${roomId} failed`, error)
    );
  }

  /** Re-puts every local public room: the listing lives while this node does. */
  refresh(): void {
    for (const summary of this.#options.localSummaries()) this.put(summary);
  }

  /** Reads other nodes' changes once and turns them into lobby events. */
  async poll(): Promise<void> {
    if (this.#polling || this.#stopped || this.#cursor === null) return;
    this.#polling = true;
    try {
      const changes = await this.#options.lobby.changes(this.#cursor);
      if (this.#stopped) return;
      if ("reset" in changes && changes.reset === true) {
        const present = new Set(changes.changed.map((l) => l.roomId));
        for (const id of [...this.#remote.keys()]) if (!present.has(id)) this.#drop(id);
      }
      for (const listing of changes.changed) this.#upsert(listing, true);
      for (const id of changes.removed) this.#drop(id);
      this.#cursor = changes.cursor;
      if (this.#failures > 0) {
        console.info(`[lobby] reading other nodes' changes again (${this.#failures} failed)`);
      }
      this.#failures = 0;
    } catch (error) {
      if (this.#failures % 40 === 0) {
        console.error(
          `[lobby] reading other nodes' changes failed (${this.#failures + 1} in a row); retrying`,
          error,
        );
      }
      this.#failures += 1;
    } finally {
      this.#polling = false;
    }
  }

  #upsert(listing: LobbyListing, announce: boolean): void {
    // This node's own listings come back through the stream too; its rooms are announced by the directory.
    if (this.#options.isLocal(listing.roomId)) {
      this.#remote.delete(listing.roomId);
      return;
    }
    const summary = listing.summary as unknown as RoomSummary;
    const known = this.#remote.has(listing.roomId);
    this.#remote.set(listing.roomId, summary);
    if (announce) this.#options.output.lobbyEvent(known ? "room_updated" : "room_created", summary);
  }

  #drop(roomId: string): void {
    if (!this.#remote.delete(roomId)) return;
    this.#options.output.lobbyEvent("room_removed", { room_id: roomId });
  }
}
