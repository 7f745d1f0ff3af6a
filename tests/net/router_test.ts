// Router: every frame gets exactly one answer path; handler bugs become SERVER_ERROR and routing carries on.

import assert from "node:assert/strict";
import * as v from "valibot";
import { ErrorCode } from "../../src/protocol/codes.ts";
import type { RequestId } from "../../src/protocol/client_messages.ts";
import type { Connection } from "../../src/net/connection.ts";
import { type Failure, type HandlerTable, type Replies, Router } from "../../src/net/router.ts";
import { MALFORMED_FRAMES, type MalformedFrame } from "../support/malformed_frames.ts";
import { makeConnection } from "./fakes.ts";

const schemas = {
  greet: v.object({ player_name: v.pipe(v.string(), v.minLength(1)) }),
  echo: v.record(v.string(), v.unknown()),
  refuse: v.object({}),
  crash: v.object({}),
};

interface Recorded {
  kind: "reply" | "error";
  event?: string;
  data?: unknown;
  failure?: Failure;
  id: RequestId | undefined;
}

function setup() {
  const recorded: Recorded[] = [];
  const calls: string[] = [];
  const replies: Replies = {
    reply: (_connection: Connection, event, data, id) => recorded.push({ kind: "reply", event, data, id }),
    error: (_connection: Connection, failure, id) => recorded.push({ kind: "error", failure, id }),
  };
  const handlers: HandlerTable<typeof schemas> = {
    greet(context, data) {
      calls.push(`greet:${data.player_name}`);
      context.reply("greeted", { player_name: data.player_name, at: context.now });
    },
    echo(context, data) {
      calls.push("echo");
      context.reply("echoed", data);
    },
    refuse() {
      calls.push("refuse");
      return { code: ErrorCode.NOT_HOST, message: "Only the host can do that" };
    },
    crash() {
      calls.push("crash");
      throw new Error("handler bug");
    },
  };
  const router = new Router(schemas, handlers, replies);
  const { connection } = makeConnection({ channel: "r" });
  return { router, connection, recorded, calls };
}

const cases: readonly MalformedFrame[] = [
  ...MALFORMED_FRAMES,
  {
    name: "a wrong data type",
    text: '{"event":"greet","data":{"player_name":1}}',
    code: ErrorCode.INVALID_DATA,
  },
];

for (const { name, text: frame, code } of cases) {
  Deno.test(`route() answers ${name} with ${code} and calls no handler`, () => {
    const { router, connection, recorded, calls } = setup();
    router.route(connection, frame, 0);
    assert.deepEqual(calls, []);
    assert.equal(recorded.length, 1);
    assert.equal(recorded[0]?.kind, "error");
    assert.equal(recorded[0]?.failure?.code, code);
  });
}

Deno.test("route() answers a wrong type with INVALID_DATA naming the failing path", () => {
  const { router, connection, recorded } = setup();
  router.route(connection, '{"event":"greet","data":{"player_name":1}}', 0);
  const details = recorded[0]?.failure?.details as { issues: { path: string }[] } | undefined;
  assert.deepEqual(details?.issues.map((issue) => issue.path), ["data.player_name"]);
});

Deno.test("route() hands the typed data to the handler, whose reply echoes a string id", () => {
  const { router, connection, recorded, calls } = setup();
  router.route(connection, '{"event":"greet","data":{"player_name":"Ann"},"id":"c-1"}', 77);
  assert.deepEqual(calls, ["greet:Ann"]);
  assert.deepEqual(recorded, [{
    kind: "reply",
    event: "greeted",
    data: { player_name: "Ann", at: 77 },
    id: "c-1",
  }]);
});

Deno.test("route() echoes an integer id on the reply", () => {
  const { router, connection, recorded } = setup();
  router.route(connection, '{"event":"echo","data":{"n":1},"id":9}', 0);
  assert.deepEqual(recorded, [{ kind: "reply", event: "echoed", data: { n: 1 }, id: 9 }]);
});

Deno.test("route() leaves the id out of a reply when the client sent none", () => {
  const { router, connection, recorded } = setup();
  router.route(connection, '{"event":"echo"}', 0);
  assert.deepEqual(recorded, [{ kind: "reply", event: "echoed", data: {}, id: undefined }]);
});

Deno.test("route() echoes the id on the errors a message causes", () => {
  for (const id of ['"c-2"', "12"]) {
    const expected = JSON.parse(id) as RequestId;
    for (
      const frame of [
        `{"event":"teleport","id":${id}}`,
        `{"event":"","id":${id}}`,
        `{"event":"greet","data":{},"id":${id}}`,
        `{"event":"refuse","id":${id}}`,
      ]
    ) {
      const { router, connection, recorded } = setup();
      router.route(connection, frame, 0);
      assert.equal(recorded[0]?.kind, "error", frame);
      assert.equal(recorded[0]?.id, expected, frame);
    }
  }
});

Deno.test("route() turns a handler's returned failure into an error reply", () => {
  const { router, connection, recorded } = setup();
  router.route(connection, '{"event":"refuse","id":"r"}', 0);
  assert.deepEqual(recorded, [{
    kind: "error",
    failure: { code: ErrorCode.NOT_HOST, message: "Only the host can do that" },
    id: "r",
  }]);
});

Deno.test("route() answers a handler that throws with SERVER_ERROR and a correlation id, then routes on", () => {
  const { router, connection, recorded, calls } = setup();
  const logged: unknown[][] = [];
  const error = console.error;
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    router.route(connection, '{"event":"crash","id":"boom"}', 0);
  } finally {
    console.error = error;
  }

  const failure = recorded[0]?.failure;
  assert.equal(failure?.code, ErrorCode.SERVER_ERROR);
  assert.equal(recorded[0]?.id, "boom");
  const correlationId = failure?.details?.correlation_id;
  assert.equal(typeof correlationId, "string");
  assert.ok(String(correlationId).length > 0);
  assert.ok(failure?.message.includes(String(correlationId)));
  assert.ok(!failure?.message.includes("handler bug"), "the message says nothing internal");
  assert.equal(logged.length, 1);
  assert.ok(String(logged[0]?.[0]).includes(String(correlationId)), "the log carries the same id");
  assert.ok(String(logged[0]?.[0]).includes(connection.id), "the log names the connection");

  router.route(connection, '{"event":"echo","id":"next"}', 0);
  assert.deepEqual(calls, ["crash", "echo"]);
  assert.deepEqual(recorded[1], { kind: "reply", event: "echoed", data: {}, id: "next" });
});

Deno.test("route() gives each crash its own correlation id", () => {
  const { router, connection, recorded } = setup();
  const error = console.error;
  console.error = () => {};
  try {
    router.route(connection, '{"event":"crash"}', 0);
    router.route(connection, '{"event":"crash"}', 0);
  } finally {
    console.error = error;
  }
  const [first, second] = recorded.map((r) => r.failure?.details?.correlation_id);
  assert.notEqual(first, second);
});
