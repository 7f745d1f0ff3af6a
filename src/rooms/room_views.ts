// The public shapes of a room: what the lobby lists and what members see of the table. Plain data.

import type { Phase } from "../game/state.ts";
import type { RoomSettings } from "./settings.ts";

export interface SeatSummary {
  name: string;
  is_bot: boolean;
  connected: boolean;
}

/** One row of the lobby's room list. */
export interface RoomSummary {
  room_id: string;
  room_name: string;
  host: string | null;
  seats: (SeatSummary | null)[];
  spectators: number;
  phase: Phase;
  is_public: boolean;
  created_at: number;
}

/** The table as every member sees it (`room` in `joined_room`, `room_state`, `game_state`). */
export interface RoomState {
  room_id: string;
  room_name: string;
  host: string | null;
  seats: (SeatSummary & { seat: number } | null)[];
  spectators: { name: string; connected: boolean }[];
  settings: RoomSettings;
  phase: Phase;
  is_public: boolean;
  created_at: number;
  /** The last broadcast `seq` so far: a client that saw it is up to date. */
  seq: number;
}
