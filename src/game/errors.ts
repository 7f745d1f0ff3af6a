// Rule-violation results: stable codes plus a human message. Pure: no I/O.

/** Stable error codes for rejected actions; the room forwards them on the wire unchanged. */
export const GameErrorCode = {
  NOT_YOUR_TURN: "NOT_YOUR_TURN",
  INVALID_PHASE: "INVALID_PHASE",
  INVALID_PLAY: "INVALID_PLAY",
  INVALID_DECLARATION: "INVALID_DECLARATION",
  INVALID_ACTION: "INVALID_ACTION",
  GAME_NOT_STARTED: "GAME_NOT_STARTED",
} as const;
export type GameErrorCode = typeof GameErrorCode[keyof typeof GameErrorCode];

/** A rejected action. `message` is for humans and may change; `code` is the contract. */
export interface GameError {
  code: GameErrorCode;
  message: string;
}

/** Builds a GameError; kept as a function so call sites read as one line. */
export function gameError(code: GameErrorCode, message: string): GameError {
  return { code, message };
}
