// Routes a text frame to its typed handler through an exhaustive table; the single boundary where a
// handler's bug becomes SERVER_ERROR with a correlation id while the connection carries on.

import type * as v from "valibot";
import { ErrorCode } from "../protocol/codes.ts";
import {
  type ClientMessage,
  type EventSchemas,
  isParseFailure,
  parseClientMessage,
  type RequestId,
} from "../protocol/client_messages.ts";
import type { Connection } from "./connection.ts";
import { consoleLogger, type Logger } from "./logger.ts";

/** What a handler may do: answer the sender, or report an expected failure by returning it. */
export interface MessageContext {
  readonly connection: Connection;
  readonly id: RequestId | undefined;
  readonly now: number;
  reply(event: string, data: unknown): void;
}

export interface Failure {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** A failure, nothing, or (for a room action waiting to be stored) a promise of one of those (or null). */
export type HandlerOutcome = Failure | void | Promise<Failure | null | void>;

/** One handler per event; a schema without a handler is a compile error. */
export type HandlerTable<S extends EventSchemas> = {
  [K in keyof S & string]: (context: MessageContext, data: v.InferOutput<S[K]>) => HandlerOutcome;
};

export interface Replies {
  reply(connection: Connection, event: string, data: unknown, id: RequestId | undefined): void;
  error(connection: Connection, failure: Failure, id: RequestId | undefined): void;
}

export class Router<S extends EventSchemas> {
  #schemas: S;
  #handlers: HandlerTable<S>;
  #replies: Replies;
  #log: Logger;

  constructor(schemas: S, handlers: HandlerTable<S>, replies: Replies, log: Logger = consoleLogger) {
    this.#schemas = schemas;
    this.#handlers = handlers;
    this.#replies = replies;
    this.#log = log;
  }

  route(connection: Connection, text: string, now: number): void {
    const message = this.parse(connection, text);
    if (message !== null) this.dispatch(connection, message, now);
  }

  /** Parses a frame once; a failure is answered here and yields null. */
  parse(connection: Connection, text: string): ClientMessage<S> | null {
    const parsed = parseClientMessage(this.#schemas, text);
    if (!isParseFailure(parsed)) return parsed;
    const { id, ...failure } = parsed;
    this.#replies.error(connection, failure, id);
    return null;
  }

  /** Runs the handler of an already parsed message. */
  dispatch(connection: Connection, message: ClientMessage<S>, now: number): void {
    const { event, data, id } = message;
    const context = new Context(this.#replies, connection, id, now);
    const handler = this.#handlers[event] as (context: MessageContext, data: unknown) => HandlerOutcome;
    let outcome: HandlerOutcome;
    try {
      outcome = handler(context, data);
    } catch (error) {
      outcome = this.#bug(event, connection, error);
    }
    // Most messages end here with nothing to answer; the closures below are made only when something is.
    if (!outcome) return;
    answerOutcome(
      outcome,
      (failure) => this.#replies.error(connection, failure, id),
      (error) => this.#bug(event, connection, error),
    );
  }

  #bug(event: string, connection: Connection, error: unknown): Failure {
    return bugFailure(
      this.#log,
      "handler bug",
      { event, room: connection.channel, connection: connection.id },
      error,
    );
  }
}

/** A handler's view of its message: one small object per message, its `reply` a method, not a closure. */
class Context implements MessageContext {
  readonly #replies: Replies;
  readonly connection: Connection;
  readonly id: RequestId | undefined;
  readonly now: number;

  constructor(replies: Replies, connection: Connection, id: RequestId | undefined, now: number) {
    this.#replies = replies;
    this.connection = connection;
    this.id = id;
    this.now = now;
  }

  reply(event: string, data: unknown): void {
    this.#replies.reply(this.connection, event, data, this.id);
  }
}

/** Logs a bug with a fresh correlation id and returns the SERVER_ERROR that tells the client only that id. */
export function bugFailure(
  log: Logger,
  what: string,
  fields: Record<string, string>,
  error: unknown,
): Failure {
  const correlationId = crypto.randomUUID().slice(0, 8);
  log.error(what, { ref: correlationId, ...fields }, error);
  return {
    code: ErrorCode.SERVER_ERROR,
    message: `Something went wrong on our side (ref ${correlationId})`,
    details: { correlation_id: correlationId },
  };
}

/** Hands a handler's failure to `fail`, now or once it settles; a rejected promise is a bug (`bug`). */
export function answerOutcome(
  outcome: HandlerOutcome,
  fail: (failure: Failure) => void,
  bug: (error: unknown) => Failure,
): void {
  if (outcome instanceof Promise) {
    outcome.then((failure) => failure && fail(failure), (error) => fail(bug(error)));
  } else if (outcome) fail(outcome);
}

/** Keep-alive handlers every channel shares: `ping` is echoed with the server time, `pong` is activity. */
export const keepAlive = {
  ping: (context: MessageContext, data: Record<string, unknown>): HandlerOutcome =>
    context.reply("pong", { ...data, server_time: context.now }),
  // Any frame counts as activity; a pong needs nothing more.
  pong: (): HandlerOutcome => {},
};
