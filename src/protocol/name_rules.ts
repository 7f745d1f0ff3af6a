// What a name or a chat line may not contain, as plain patterns with no dependency: the protocol's schemas
// check them, and the page checks them before sending, to explain a refusal (or drop what cannot be seen).

/** Control characters (Unicode category Cc), which no name may contain. */
export const NO_CONTROL = /^[^\p{Cc}]*$/u;

/**
 * Characters that print nothing or reorder what follows: format controls (Cf: zero-width spaces and joiners,
 * bidirectional overrides and isolates, the byte-order mark, the soft hyphen) and the line and paragraph
 * separators. In a name they make a copy of another player's name that looks the same ("Ann" and
 * "Ann\u200b") or one that displays backwards, so names refuse them. The one exception is the zero-width
 * joiner inside an emoji sequence (👩‍💻), where it joins two pictographs into one.
 */
export const NO_INVISIBLE =
  /^(?:[^\p{Cf}\p{Zl}\p{Zp}]|(?<=\p{Extended_Pictographic}\uFE0F?)\u200D(?=\p{Extended_Pictographic}))*$/u;

/**
 * Control characters a chat line may not hold: every Cc but tab and line feed. Escape, carriage return,
 * backspace and the like rewrite what a terminal client shows, and a NUL cuts the line in some; a chat is plain
 * text, which tabs and line breaks are part of.
 */
// deno-lint-ignore no-control-regex -- matching control characters is the point.
export const CHAT_NO_CONTROL = /^[^\0-\x08\x0b-\x1f\x7f-\x9f]*$/;

/** Each of those characters, to take out of a line before sending it. */
// deno-lint-ignore no-control-regex -- likewise.
export const CHAT_CONTROLS = /[\0-\x08\x0b-\x1f\x7f-\x9f]/g;

/** The longest player name, in UTF-16 code units after trimming and NFC. */
export const PLAYER_NAME_MAX = 24;

/** The longest room name, likewise. */
export const ROOM_NAME_MAX = 48;
