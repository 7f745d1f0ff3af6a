// Field-level valibot schemas shared by every message: names, ids, settings. Validation only, no behaviour.

import * as v from "valibot";
import { SETTING_LIMITS } from "../rooms/settings.ts";
import { CHAT_NO_CONTROL, NO_CONTROL, NO_INVISIBLE, PLAYER_NAME_MAX, ROOM_NAME_MAX } from "./name_rules.ts";

/**
 * 1–24 characters after trimming and Unicode normalisation (NFC, so an accent typed as one code point or as
 * two is the same name), no control or invisible characters, no `<` or `>`.
 */
export const PlayerName = v.pipe(
  v.string("player_name must be a string"),
  v.trim(),
  v.normalize("NFC"),
  v.minLength(1, "player_name must not be empty"),
  v.maxLength(PLAYER_NAME_MAX, `player_name is at most ${PLAYER_NAME_MAX} characters`),
  v.regex(NO_CONTROL, "player_name must not contain control characters"),
  v.regex(NO_INVISIBLE, "player_name must not contain invisible characters (zero-width or direction marks)"),
  v.regex(/^[^<>]*$/, "player_name must not contain < or >"),
);

/** 1–48 printable characters after trimming and NFC; anything else is allowed and always rendered as text. */
export const RoomName = v.pipe(
  v.string("room_name must be a string"),
  v.trim(),
  v.normalize("NFC"),
  v.minLength(1, "room_name must not be empty"),
  v.maxLength(ROOM_NAME_MAX, `room_name is at most ${ROOM_NAME_MAX} characters`),
  v.regex(NO_CONTROL, "room_name must not contain control characters"),
  v.regex(NO_INVISIBLE, "room_name must not contain invisible characters (zero-width or direction marks)"),
);

/** A room id: 1–32 of [A-Za-z0-9_-]; `lobby` is reserved for the lobby channel. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export function isRoomId(value: string): boolean {
  return ROOM_ID_PATTERN.test(value) && value !== "lobby";
}

export const ChatText = v.pipe(
  v.string("message must be a string"),
  v.trim(),
  v.minLength(1, "message must not be empty"),
  v.maxLength(500, "message is at most 500 characters"),
  v.regex(CHAT_NO_CONTROL, "message must not contain control characters (tab and line feed aside)"),
);

export const SeatIndex = v.pipe(v.number("seat must be a number"), v.integer(), v.minValue(0), v.maxValue(3));

export const SessionToken = v.pipe(
  v.string("session_token must be a string"),
  v.minLength(1, "session_token must not be empty"),
  v.maxLength(128, "session_token is at most 128 characters"),
);

/** The last room `seq` a client applied: 0 when it has seen none. */
export const LastSeq = v.pipe(
  v.number("last_seq must be a number"),
  v.integer("last_seq must be a whole number"),
  v.minValue(0, "last_seq must not be negative"),
  v.maxValue(Number.MAX_SAFE_INTEGER, "last_seq is too large"),
);

const delay = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(SETTING_LIMITS.maxDelayMs));
const timeout = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(SETTING_LIMITS.maxTimeoutMs));

/** Room settings as a client may send them: every key optional, unknown keys rejected. */
export const SettingsPatch = v.strictObject({
  after_deal_ms: v.optional(delay),
  after_turn_ms: v.optional(delay),
  after_round_ms: v.optional(delay),
  bot_think_ms: v.optional(delay),
  turn_timeout_ms: v.optional(timeout),
  redeal_timeout_ms: v.optional(timeout),
  reconnect_grace_ms: v.optional(timeout),
  target_score: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(SETTING_LIMITS.maxTargetScore)),
  ),
  max_rounds: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(SETTING_LIMITS.maxRounds)),
  ),
  bot_difficulty: v.optional(v.picklist(["easy", "normal"])),
  is_public: v.optional(v.boolean()),
  max_spectators: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(SETTING_LIMITS.maxSpectators)),
  ),
});
export type SettingsPatch = v.InferOutput<typeof SettingsPatch>;
