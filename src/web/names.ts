// The page's check of a name before sending it: the server's rules (protocol/name_rules.ts), each refusal said
// the way a person can act on ("invisible characters", not a schema path). Pure.

import {
  CHAT_CONTROLS,
  NO_CONTROL,
  NO_INVISIBLE,
  PLAYER_NAME_MAX,
  ROOM_NAME_MAX,
} from "../protocol/name_rules.ts";

function clean(name: string): string {
  return name.trim().normalize("NFC");
}

function hidden(name: string): boolean {
  return !NO_CONTROL.test(name) || !NO_INVISIBLE.test(name);
}

const HIDDEN =
  "cannot contain invisible characters (zero-width spaces, direction marks or control characters)";

/** Why the server would refuse this player name, or null when it would take it. */
export function playerNameProblem(raw: string): string | null {
  const name = clean(raw);
  if (name === "") return "Pick a name first";
  if (name.length > PLAYER_NAME_MAX) return `Names are at most ${PLAYER_NAME_MAX} characters`;
  if (hidden(name)) return `Names ${HIDDEN}`;
  if (/[<>]/.test(name)) return "Names cannot contain < or >";
  return null;
}

/** Why the server would refuse this room name, or null when it would take it. */
export function roomNameProblem(raw: string): string | null {
  const name = clean(raw);
  if (name === "") return "Give the room a name";
  if (name.length > ROOM_NAME_MAX) return `Room names are at most ${ROOM_NAME_MAX} characters`;
  if (hidden(name)) return `Room names ${HIDDEN}`;
  return null;
}

/**
 * A chat line as sent: trimmed, without the control characters the server refuses (a pasted escape or carriage
 * return, which the person cannot see in the input); "" when nothing is left to send.
 */
export function chatLine(raw: string): string {
  return raw.replace(CHAT_CONTROLS, "").trim();
}
