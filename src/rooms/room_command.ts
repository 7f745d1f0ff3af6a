// Everything that can change a room, as plain data: what the room log stores and replay applies again.
// Anything random or timed (tokens, seeds, a bot's choice) is decided before the command and carried in it.

import type { Action, Seat } from "../game/state.ts";
import type { RoomSettings } from "./settings.ts";

/** A seated member's own move; the room adds the seat. */
export type PlayerMove =
  | { type: "declare"; value: number }
  | { type: "play"; pieceIds: readonly number[] }
  | { type: "redeal_decision"; accept: boolean };

export type RoomCommand =
  | { type: "join"; name: string; as: "player" | "spectator"; connected: boolean; token: string }
  | { type: "leave"; name: string }
  | { type: "reconnect"; name: string; snapshot?: boolean }
  | { type: "disconnect"; name: string }
  | { type: "chat"; name: string | null; message: string }
  | { type: "add_bot"; by: string | null; seat: Seat | null }
  | { type: "remove_bot"; by: string | null; seat: Seat }
  | { type: "remove_player"; by: string | null; seat: Seat }
  | { type: "update_settings"; by: string | null; patch: Partial<RoomSettings> }
  | { type: "start_game"; by: string | null; fill: boolean; seed: number }
  | { type: "move"; by: string | null; move: PlayerMove }
  // Timer fires. A bot's choice is made when its timer fires and logged; `failed` says choosing threw.
  | { type: "advance" }
  | { type: "bot"; seat: Seat; action: Action | null; failed?: boolean }
  | { type: "deadline" }
  | { type: "grace_over"; name: string }
  /** The game could not go on (its engine failed twice); it ends without a result. */
  | { type: "abort_game"; reason: string };

/** A command with the time the room accepted it: one room log entry's payload. */
export interface TimedCommand {
  at: number;
  command: RoomCommand;
}
