// parseClientMessage: text → JSON → envelope → schema, with the contract's error codes and issue paths.

import assert from "node:assert/strict";
import {
  isParseFailure,
  lobbyEvents,
  parseClientMessage,
  parseLastSeqQuery,
  roomEvents,
} from "../../src/protocol/client_messages.ts";
import { ErrorCode } from "../../src/protocol/codes.ts";
import { MALFORMED_FRAMES, type MalformedFrame } from "../support/malformed_frames.ts";

function failure(text: string, schemas: typeof roomEvents | typeof lobbyEvents = roomEvents) {
  const result = parseClientMessage(schemas, text);
  if (!isParseFailure(result)) throw new Error(`expected a failure for ${text}`);
  return result;
}

function success(text: string) {
  const result = parseClientMessage(roomEvents, text);
  if (isParseFailure(result)) throw new Error(`expected success for ${text}: ${JSON.stringify(result)}`);
  return result;
}

function issuePaths(text: string): string[] {
  const error = failure(text);
  assert.equal(error.code, ErrorCode.INVALID_DATA, text);
  return (error.details?.issues ?? []).map((issue) => issue.path);
}

const envelopeCases: readonly MalformedFrame[] = [
  ...MALFORMED_FRAMES,
  { name: "data that is an array", text: '{"event":"chat","data":[]}', code: ErrorCode.INVALID_DATA },
  { name: "data that is a string", text: '{"event":"chat","data":"hi"}', code: ErrorCode.INVALID_DATA },
];

for (const { name, text, code } of envelopeCases) {
  Deno.test(`parseClientMessage() answers ${name} with ${code}`, () => {
    assert.equal(failure(text).code, code);
  });
}

Deno.test("parseClientMessage() accepts a lobby event only on the lobby channel", () => {
  assert.equal(failure('{"event":"create_room"}', roomEvents).code, ErrorCode.UNKNOWN_EVENT);
  assert.equal(failure('{"event":"join_room"}', lobbyEvents).code, ErrorCode.UNKNOWN_EVENT);
});

Deno.test("parseClientMessage() defaults missing data to an empty object", () => {
  assert.deepEqual(success('{"event":"get_state"}'), { event: "get_state", data: {}, id: undefined });
});

Deno.test("parseClientMessage() keeps a string or integer id", () => {
  assert.equal(success('{"event":"get_state","id":"c-42"}').id, "c-42");
  assert.equal(success('{"event":"get_state","id":7}').id, 7);
  assert.equal(success(`{"event":"get_state","id":"${"x".repeat(64)}"}`).id, "x".repeat(64));
});

const badIds = [`"${"x".repeat(65)}"`, "1.5", "true", "{}", "[]", "null"];
for (const id of badIds) {
  Deno.test(`parseClientMessage() answers the id ${id.slice(0, 12)} with INVALID_DATA at path id`, () => {
    const error = failure(`{"event":"get_state","id":${id}}`);
    assert.equal(error.code, ErrorCode.INVALID_DATA);
    assert.deepEqual(error.details?.issues.map((issue) => issue.path), ["id"]);
    assert.equal(error.id, undefined);
  });
}

Deno.test("parseClientMessage() echoes the id on every error after the envelope is read", () => {
  for (
    const text of [
      '{"event":"","id":"a"}',
      '{"event":"fly","id":"a"}',
      '{"event":"chat","data":{},"id":"a"}',
      '{"event":"chat","data":[],"id":"a"}',
      '{"event":5,"id":"a"}',
    ]
  ) {
    assert.equal(failure(text).id, "a", text);
  }
  assert.equal(failure('{"event":"fly","id":3}').id, 3);
});

Deno.test("parseClientMessage() names the failing path of wrong types", () => {
  assert.deepEqual(issuePaths('{"event":"join_room","data":{"player_name":5}}'), ["data.player_name"]);
  assert.deepEqual(issuePaths('{"event":"join_room","data":{}}'), ["data.player_name"]);
  assert.deepEqual(issuePaths('{"event":"join_room","data":{"player_name":"Ann","as":"ghost"}}'), [
    "data.as",
  ]);
  assert.deepEqual(issuePaths('{"event":"play","data":{"piece_ids":[1,"2"]}}'), ["data.piece_ids.1"]);
  assert.deepEqual(issuePaths('{"event":"play","data":{"piece_ids":"1"}}'), ["data.piece_ids"]);
  assert.deepEqual(issuePaths('{"event":"declare","data":{"value":1.5}}'), ["data.value"]);
  assert.deepEqual(issuePaths('{"event":"remove_bot","data":{"seat":4}}'), ["data.seat"]);
  assert.deepEqual(issuePaths('{"event":"start_game","data":{"fill_with_bots":"yes"}}'), [
    "data.fill_with_bots",
  ]);
});

Deno.test("parseClientMessage() lists every failing path, and the message names them", () => {
  const error = failure('{"event":"create_room","data":{"room_name":"","player_name":7}}', lobbyEvents);
  assert.equal(error.code, ErrorCode.INVALID_DATA);
  const paths = error.details?.issues.map((issue) => issue.path) ?? [];
  assert.deepEqual(paths.sort(), ["data.player_name", "data.room_name"]);
  assert.match(error.message, /data\.room_name/);
  assert.match(error.message, /data\.player_name/);
});

Deno.test("parseClientMessage() applies schema defaults", () => {
  assert.deepEqual(success('{"event":"join_room","data":{"player_name":"Ann"}}').data, {
    player_name: "Ann",
    as: "player",
  });
  assert.deepEqual(success('{"event":"start_game"}').data, { fill_with_bots: false });
});

const goodNames: [string, string][] = [
  ["Ann", "Ann"],
  ["  Ann  ", "Ann"],
  ["x".repeat(24), "x".repeat(24)],
  [` ${"y".repeat(24)} `, "y".repeat(24)],
  ["Zoë 李", "Zoë 李"],
  ['a&b "quoted"', 'a&b "quoted"'],
  // The same name typed with a combining accent is stored composed (NFC), so it compares equal to the other.
  ["Zoe\u0308", "Zoë"],
  // Joiners inside emoji sequences join pictographs: 👩‍💻 and ❤️‍🔥.
  ["👩\u200D💻 Ann", "👩\u200D💻 Ann"],
  ["\u2764\uFE0F\u200D\u{1F525}", "\u2764\uFE0F\u200D\u{1F525}"],
  // At either end, the byte-order mark and the line separator are whitespace to `trim`.
  ["\uFEFFAnn\u2028", "Ann"],
];
for (const [raw, trimmed] of goodNames) {
  Deno.test(`join_room accepts the player name ${JSON.stringify(raw)} as ${JSON.stringify(trimmed)}`, () => {
    const message = success(JSON.stringify({ event: "join_room", data: { player_name: raw } }));
    assert.equal(message.event, "join_room");
    assert.equal((message.data as { player_name: string }).player_name, trimmed);
  });
}

const badNames = [
  "",
  "   ",
  "x".repeat(25),
  "tab\there",
  "nul\u0000",
  "bell\u0007",
  "<b>",
  "a>b",
  "del\u007f",
  // Invisible characters that make a look-alike of another name, or display it backwards.
  "Ann\u200B",
  "A\u200Cnn",
  "Ann\u200D",
  "A\u200Dnn",
  "A\uFEFFnn",
  "Ann\u00AD",
  "\u202Enna",
  "\u2066Ann\u2069",
  "A\u2028nn",
  "\u{1F469}\u200D",
];
for (const raw of badNames) {
  Deno.test(`join_room rejects the player name ${JSON.stringify(raw)} with INVALID_DATA`, () => {
    const paths = issuePaths(JSON.stringify({ event: "join_room", data: { player_name: raw } }));
    assert.deepEqual(paths, ["data.player_name"]);
  });
}

Deno.test("a room name is NFC-normalised and refuses invisible characters like a player name", () => {
  const create = (roomName: string) =>
    JSON.stringify({ event: "create_room", data: { room_name: roomName, player_name: "Ann" } });
  const ok = parseClientMessage(lobbyEvents, create(" Cafe\u0301 night "));
  if (isParseFailure(ok)) throw new Error(`expected success: ${JSON.stringify(ok)}`);
  assert.equal((ok.data as { room_name: string }).room_name, "Café night");
  const refused = failure(create("Friday\u202E"), lobbyEvents);
  assert.equal(refused.code, ErrorCode.INVALID_DATA);
  assert.deepEqual(refused.details?.issues?.map((issue) => issue.path), ["data.room_name"]);
  assert.match(refused.message, /invisible characters/);
});

Deno.test("chat accepts 500 characters and rejects 501 or an empty message", () => {
  assert.equal(success(JSON.stringify({ event: "chat", data: { message: "m".repeat(500) } })).event, "chat");
  assert.deepEqual(issuePaths(JSON.stringify({ event: "chat", data: { message: "m".repeat(501) } })), [
    "data.message",
  ]);
  assert.deepEqual(issuePaths(JSON.stringify({ event: "chat", data: { message: "  " } })), ["data.message"]);
});

Deno.test("chat refuses control characters other than tab and line feed, which a terminal client would obey", () => {
  for (const control of ["\u0000", "\u0007", "\b", "\r", "\u001b[2J", "\u007f", "\u0085", "\u009b"]) {
    const refused = parseClientMessage(
      roomEvents,
      JSON.stringify({ event: "chat", data: { message: `hi ${control} there` } }),
    );
    assert.ok(isParseFailure(refused), JSON.stringify(control));
    assert.equal(refused.code, ErrorCode.INVALID_DATA);
    assert.deepEqual(refused.details?.issues?.map((issue) => issue.path), ["data.message"]);
    assert.match(refused.message, /control characters/);
  }
  // Plain text keeps its tabs and line breaks, and everything printable (U+00A0 is the first after C1).
  const text = "first line\n\tsecond line \u00a0 é 👩‍💻 \u200f";
  const accepted = success(JSON.stringify({ event: "chat", data: { message: text } }));
  assert.deepEqual(accepted.data, { message: text });
});

Deno.test("update_settings accepts known keys and rejects an unknown key with INVALID_DATA", () => {
  const ok = success('{"event":"update_settings","data":{"target_score":30,"bot_difficulty":"easy"}}');
  assert.deepEqual(ok.data, { target_score: 30, bot_difficulty: "easy" });
  const paths = issuePaths('{"event":"update_settings","data":{"target_score":30,"colour":"red"}}');
  assert.deepEqual(paths, ["data.colour"]);
  assert.deepEqual(issuePaths('{"event":"update_settings","data":{"target_score":-1}}'), [
    "data.target_score",
  ]);
});

Deno.test("create_room rejects unknown settings keys at their path", () => {
  const error = failure(
    '{"event":"create_room","data":{"room_name":"T","player_name":"Ann","settings":{"speed":9}}}',
    lobbyEvents,
  );
  assert.equal(error.code, ErrorCode.INVALID_DATA);
  assert.deepEqual(error.details?.issues.map((issue) => issue.path), ["data.settings.speed"]);
});

Deno.test("ping accepts any object and keeps its fields", () => {
  assert.deepEqual(success('{"event":"ping","data":{"t":1,"x":"y"}}').data, { t: 1, x: "y" });
});

Deno.test("resume takes a session token and an optional whole last_seq of at least 0", () => {
  assert.deepEqual(success('{"event":"resume","data":{"session_token":"t","last_seq":0}}').data, {
    session_token: "t",
    last_seq: 0,
  });
  assert.deepEqual(success('{"event":"resume","data":{"session_token":"t"}}').data, { session_token: "t" });
  for (const lastSeq of ["-1", "1.5", '"3"', "null"]) {
    assert.deepEqual(
      issuePaths(`{"event":"resume","data":{"session_token":"t","last_seq":${lastSeq}}}`),
      ["data.last_seq"],
      lastSeq,
    );
  }
  assert.deepEqual(issuePaths('{"event":"resume","data":{"last_seq":1}}'), ["data.session_token"]);
  assert.deepEqual(issuePaths('{"event":"resume","data":{"session_token":""}}'), ["data.session_token"]);
});

Deno.test("parseLastSeqQuery() reads ?last_seq= as resume's last_seq: absent, empty or a whole number", () => {
  assert.deepEqual(parseLastSeqQuery(undefined), { ok: true, lastSeq: undefined });
  assert.deepEqual(parseLastSeqQuery(""), { ok: true, lastSeq: undefined });
  assert.deepEqual(parseLastSeqQuery("0"), { ok: true, lastSeq: 0 });
  assert.deepEqual(parseLastSeqQuery("42"), { ok: true, lastSeq: 42 });
  for (const raw of ["-1", "1.5", "abc", "1e3", " 4", "0x10", "99999999999999999999"]) {
    const parsed = parseLastSeqQuery(raw);
    assert.ok(!parsed.ok, raw);
    assert.equal(parsed.error.code, ErrorCode.INVALID_DATA, raw);
    assert.equal(parsed.error.details?.issues[0]?.path, "query.last_seq", raw);
  }
});
