// Every open room by id: creates rooms, closes empty ones, and tells the lobby what it may list.

import type { Clock } from "./clock.ts";
import { Room } from "./room.ts";
import type { RoomOutput } from "./room_output.ts";
import type { RoomSummary } from "./room_views.ts";
import { newRoomId } from "./session_token.ts";
import type { RoomSettings } from "./settings.ts";

/** Where lobby broadcasts go (the `/ws/lobby` channel). */
export interface LobbyOutput {
  lobbyEvent(event: "room_created" | "room_updated" | "room_removed", data: unknown): void;
  /** A room is gone: its channel's bookkeeping can go too. */
  roomClosed(roomId: string): void;
}

export interface RoomDirectoryOptions {
  clock: Clock;
  output: RoomOutput;
  lobby: LobbyOutput;
  /** Default settings for new rooms (configured delays and limits). */
  defaults?: Partial<RoomSettings>;
  seed?: () => number;
  /** Upper bound on open rooms, so a script cannot fill the server's memory with empty tables. */
  maxRooms?: number;
}

export class RoomDirectory {
  #rooms = new Map<string, Room>();
  #listed = new Set<string>();
  #options: RoomDirectoryOptions;

  constructor(options: RoomDirectoryOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#rooms.size;
  }

  get(id: string): Room | undefined {
    return this.#rooms.get(id);
  }

  /** Every open room, oldest first. */
  all(): IterableIterator<Room> {
    return this.#rooms.values();
  }

  get full(): boolean {
    return this.#rooms.size >= (this.#options.maxRooms ?? Infinity);
  }

  /** Opens a room under `id`, or under a fresh short id when none is given. */
  create(name: string, settings: Partial<RoomSettings> = {}, id?: string): Room {
    let roomId = id ?? newRoomId();
    while (id === undefined && this.#rooms.has(roomId)) roomId = newRoomId();
    const existing = this.#rooms.get(roomId);
    if (existing !== undefined) return existing;
    const room = new Room({
      id: roomId,
      name,
      settings: { ...this.#options.defaults, ...settings },
      clock: this.#options.clock,
      output: this.#options.output,
      seed: this.#options.seed ?? randomSeed,
      hooks: {
        changed: (r) => this.#publish(r),
        empty: (r) => this.close(r.id),
      },
    });
    this.#rooms.set(roomId, room);
    return room;
  }

  /** Public rooms as the lobby lists them, oldest first. */
  publicSummaries(): RoomSummary[] {
    return [...this.#rooms.values()].filter((r) => r.settings.is_public).map((r) => r.summary());
  }

  close(id: string): void {
    const room = this.#rooms.get(id);
    if (room === undefined) return;
    this.#rooms.delete(id);
    room.dispose();
    if (this.#listed.delete(id)) this.#options.lobby.lobbyEvent("room_removed", { room_id: id });
    this.#options.lobby.roomClosed(id);
  }

  /** Closes every room and clears its timers (shutdown, tests). */
  dispose(): void {
    for (const id of [...this.#rooms.keys()]) this.close(id);
  }

  #publish(room: Room): void {
    if (!this.#rooms.has(room.id)) return;
    const listed = this.#listed.has(room.id);
    if (room.settings.is_public) {
      this.#listed.add(room.id);
      this.#options.lobby.lobbyEvent(listed ? "room_updated" : "room_created", room.summary());
    } else if (listed) {
      this.#listed.delete(room.id);
      this.#options.lobby.lobbyEvent("room_removed", { room_id: room.id });
    }
  }
}

function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}
