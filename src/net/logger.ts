// Log lines with fields (room, connection, code…): one JSON object a line for machines, or a short readable
// line for a person at a terminal. Writes through the function it is given; holds no global state.

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  /** `error` adds the error's message and, in the log only (never in a response), its stack. */
  error(message: string, fields?: LogFields, error?: unknown): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level: LogLevel;
  format: "json" | "text";
  /** Receives each finished line (without a newline) and its level. */
  write(line: string, level: LogLevel): void;
  now(): number;
}

export function createLogger(options: LoggerOptions): Logger {
  const min = RANK[options.level];
  const emit = (level: LogLevel, message: string, fields: LogFields = {}, error?: unknown) => {
    if (RANK[level] < min) return;
    const extra: LogFields = { ...fields };
    if (error !== undefined) {
      extra.error = error instanceof Error ? error.message : String(error);
      if (error instanceof Error && error.stack) extra.stack = error.stack;
    }
    options.write(
      options.format === "json"
        ? JSON.stringify({ time: new Date(options.now()).toISOString(), level, msg: message, ...extra })
        : textLine(level, message, extra),
      level,
    );
  };
  return {
    debug: (message, fields) => emit("debug", message, fields),
    info: (message, fields) => emit("info", message, fields),
    warn: (message, fields) => emit("warn", message, fields),
    error: (message, fields, error) => emit("error", message, fields, error),
  };
}

function textLine(level: LogLevel, message: string, fields: LogFields): string {
  const { stack, ...rest } = fields;
  const pairs = Object.entries(rest)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) =>
      `${key}=${typeof value === "string" && /\s/.test(value) ? JSON.stringify(value) : value}`
    );
  const line = `${level.toUpperCase().padEnd(5)} ${message}${pairs.length ? ` ${pairs.join(" ")}` : ""}`;
  return typeof stack === "string" ? `${line}\n${stack}` : line;
}

/** Writes nothing: for tests and for code built without a logger. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Writes text lines to the console; the default where no logger is passed in. */
export const consoleLogger: Logger = createLogger({
  level: "info",
  format: "text",
  write: (line, level) => (level === "error" || level === "warn" ? console.error(line) : console.log(line)),
  now: () => Date.now(),
});
