// Frames no channel accepts whatever its events, with the error code each must get: shared by the parser's
// tests and the router's, so both layers are held to the same list. Data only.

import { ErrorCode } from "../../src/protocol/codes.ts";

export interface MalformedFrame {
  name: string;
  text: string;
  code: ErrorCode;
}

export const MALFORMED_FRAMES: readonly MalformedFrame[] = [
  { name: "invalid JSON", text: "{not json", code: ErrorCode.INVALID_JSON },
  { name: "an empty frame", text: "", code: ErrorCode.INVALID_JSON },
  { name: "a JSON array", text: "[]", code: ErrorCode.INVALID_DATA },
  { name: "a JSON number", text: "42", code: ErrorCode.INVALID_DATA },
  { name: "a JSON string", text: '"x"', code: ErrorCode.INVALID_DATA },
  { name: "JSON null", text: "null", code: ErrorCode.INVALID_DATA },
  { name: "an object without event", text: '{"data":{}}', code: ErrorCode.MISSING_EVENT },
  { name: "an empty event", text: '{"event":""}', code: ErrorCode.MISSING_EVENT },
  { name: "a null event", text: '{"event":null}', code: ErrorCode.MISSING_EVENT },
  { name: "a numeric event", text: '{"event":7}', code: ErrorCode.INVALID_DATA },
  { name: "an unknown event", text: '{"event":"fly"}', code: ErrorCode.UNKNOWN_EVENT },
  {
    name: "an inherited property name as event",
    text: '{"event":"toString"}',
    code: ErrorCode.UNKNOWN_EVENT,
  },
  {
    name: "an id that is too long",
    text: `{"event":"ping","id":"${"i".repeat(65)}"}`,
    code: ErrorCode.INVALID_DATA,
  },
];
