// What a name may not contain, as plain patterns with no dependency: the protocol's schemas check them, and the
// page checks them before sending, to explain a refusal in its own words.

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

/** The longest player name, in UTF-16 code units after trimming and NFC. */
export const PLAYER_NAME_MAX = 24;

/** The longest room name, likewise. */
export const ROOM_NAME_MAX = 48;
