// Every message a client may send, as valibot schemas, and the one function that turns a frame into one.

import * as v from "valibot";
import { ErrorCode } from "./codes.ts";
import { ChatText, LastSeq, PlayerName, RoomName, SeatIndex, SessionToken, SettingsPatch } from "./fields.ts";

/** Any object: `ping` and `pong` carry whatever the client likes, echoed back. */
const AnyObject = v.record(v.string(), v.unknown());
const Empty = v.object({});

/** Events accepted on `/ws/{room_id}`. Adding one here without a handler does not compile. */
export const roomEvents = {
  join_room: v.object({
    player_name: PlayerName,
    as: v.optional(v.picklist(["player", "spectator"], 'as must be "player" or "spectator"'), "player"),
  }),
  leave_room: Empty,
  chat: v.object({ message: ChatText }),
  get_state: Empty,
  resume: v.object({ session_token: SessionToken, last_seq: v.optional(LastSeq) }),
  ping: AnyObject,
  pong: AnyObject,
  add_bot: v.object({ seat: v.optional(SeatIndex) }),
  remove_bot: v.object({ seat: SeatIndex }),
  remove_player: v.object({ seat: SeatIndex }),
  update_settings: SettingsPatch,
  start_game: v.object({ fill_with_bots: v.optional(v.boolean(), false) }),
  declare: v.object({
    value: v.pipe(v.number("value must be a number"), v.integer("value must be a whole number")),
  }),
  play: v.object({
    piece_ids: v.pipe(
      v.array(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(31)), "piece_ids must be an array"),
      v.minLength(1, "piece_ids must not be empty"),
      v.maxLength(8, "piece_ids has at most 8 ids"),
    ),
  }),
  accept_redeal: Empty,
  decline_redeal: Empty,
} as const;

/** Events accepted on `/ws/lobby`. */
export const lobbyEvents = {
  create_room: v.object({
    room_name: RoomName,
    player_name: PlayerName,
    is_public: v.optional(v.boolean()),
    settings: v.optional(SettingsPatch),
  }),
  refresh_rooms: Empty,
  ping: AnyObject,
  pong: AnyObject,
} as const;

export type EventSchemas = Record<string, v.GenericSchema>;
export type RoomEvents = typeof roomEvents;
export type LobbyEvents = typeof lobbyEvents;

/** What a client may put in `data` for each event of a channel, before the schema trims and fills defaults. */
export type ClientEventData<S extends EventSchemas> = { [K in keyof S]: v.InferInput<S[K]> };

/** A client request id: echoed on the direct reply and on any error the message causes. */
export type RequestId = string | number;

/** A parsed, validated message of one channel, discriminated by `event`. */
export type ClientMessage<S extends EventSchemas> = {
  [K in keyof S & string]: { event: K; data: v.InferOutput<S[K]>; id?: RequestId };
}[keyof S & string];

export interface ParseIssue {
  path: string;
  message: string;
}

export interface ParseFailure {
  code: ErrorCode;
  message: string;
  id?: RequestId;
  details?: { issues: ParseIssue[] };
}

/** A frame parsed: the message, or why it was refused (`isParseFailure` tells them apart). */
export type ParseResult<S extends EventSchemas> = ClientMessage<S> | ParseFailure;

/** A message has an `event`; a failure has a `code` and never an `event`. */
export function isParseFailure<S extends EventSchemas>(result: ParseResult<S>): result is ParseFailure {
  return !("event" in result);
}

const RequestIdSchema = v.union([
  v.pipe(v.string(), v.maxLength(64)),
  v.pipe(v.number(), v.integer()),
]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function issuesOf(issues: readonly v.BaseIssue<unknown>[], prefix: string): ParseIssue[] {
  return issues.map((issue) => {
    const path = v.getDotPath(issue);
    return { path: path ? `${prefix}.${path}` : prefix, message: issue.message };
  });
}

/**
 * Text → JSON → envelope → the event's schema, in one place. Handlers only ever see what this returns: the
 * message itself, or its failure. Never throws: every failure is a value with the contract's error code.
 */
export function parseClientMessage<S extends EventSchemas>(schemas: S, text: string): ParseResult<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { code: ErrorCode.INVALID_JSON, message: "Message is not valid JSON" };
  }
  if (!isPlainObject(raw)) {
    return { code: ErrorCode.INVALID_DATA, message: "A message must be a JSON object with an event" };
  }
  let id: RequestId | undefined;
  if (raw.id !== undefined) {
    const parsedId = v.safeParse(RequestIdSchema, raw.id);
    if (!parsedId.success) {
      return {
        code: ErrorCode.INVALID_DATA,
        message: "id must be a string of at most 64 characters or an integer",
        details: { issues: [{ path: "id", message: "invalid request id" }] },
      };
    }
    id = parsedId.output;
  }
  const event = raw.event;
  if (event === undefined || event === null || event === "") {
    return { code: ErrorCode.MISSING_EVENT, message: "Event type required", id };
  }
  if (typeof event !== "string") {
    return {
      code: ErrorCode.INVALID_DATA,
      message: "event must be a string",
      id,
      details: { issues: [{ path: "event", message: "expected a string" }] },
    };
  }
  if (!Object.hasOwn(schemas, event)) {
    return { code: ErrorCode.UNKNOWN_EVENT, message: `Unknown event: ${event.slice(0, 64)}`, id };
  }
  const schema = schemas[event] as v.GenericSchema;
  const data = raw.data === undefined ? {} : raw.data;
  if (!isPlainObject(data)) {
    return {
      code: ErrorCode.INVALID_DATA,
      message: "data must be an object",
      id,
      details: { issues: [{ path: "data", message: "expected an object" }] },
    };
  }
  const parsed = v.safeParse(schema, data);
  if (!parsed.success) {
    const issues = issuesOf(parsed.issues, "data");
    return {
      code: ErrorCode.INVALID_DATA,
      message: `Invalid ${event}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
      id,
      details: { issues },
    };
  }
  return { event, data: parsed.output, id } as ClientMessage<S>;
}

/**
 * `?last_seq=` of a room URL, which `resume` takes as `data.last_seq`: absent or empty means none; anything
 * but a whole number of at least 0 is INVALID_DATA, worded as the message schema words it.
 */
export function parseLastSeqQuery(
  raw: string | undefined,
): { ok: true; lastSeq: number | undefined } | { ok: false; error: ParseFailure } {
  if (raw === undefined || raw === "") return { ok: true, lastSeq: undefined };
  const parsed = v.safeParse(LastSeq, /^-?\d+(\.\d*)?$/.test(raw) ? Number(raw) : Number.NaN);
  if (parsed.success) return { ok: true, lastSeq: parsed.output };
  const issues = issuesOf(parsed.issues, "query.last_seq");
  return {
    ok: false,
    error: {
      code: ErrorCode.INVALID_DATA,
      message: `Invalid last_seq in the URL: ${issues.map((i) => i.message).join("; ")}`,
      details: { issues },
    },
  };
}
