// The network limits of one server, all configurable; defaults are the contract's.

export interface NetLimits {
  /** Frames above this get MESSAGE_TOO_LARGE and are dropped; the connection stays. */
  maxFrameBytes: number;
  /** Frames above this close the connection with 1009 (the runtime refuses to buffer them). */
  hardFrameBytes: number;
  ratePerSecond: number;
  rateBurst: number;
  /** Messages dropped by the rate limiter in a row before the connection is closed with 1008. */
  abuseStrikes: number;
  maxConnectionsPerRoom: number;
  maxConnectionsPerAddress: number;
  /** Open rooms that sockets from one address may have created (by `create_room` or a first `join_room`). */
  maxRoomsPerAddress: number;
  heartbeatMs: number;
  idleTimeoutMs: number;
  /** How long before the idle close the `timeout_warning` goes out. */
  idleWarningMs: number;
  sendBufferBytes: number;
  /** Frames shorter than this are never compressed. */
  compressMinBytes: number;
  /** Recent broadcasts kept per room for `resume`: at most this many events… */
  resumeBufferEvents: number;
  /** …and at most this many bytes of encoded frames. */
  resumeBufferBytes: number;
}

export const DEFAULT_LIMITS: Readonly<NetLimits> = Object.freeze({
  maxFrameBytes: 16 * 1024,
  hardFrameBytes: 1024 * 1024,
  ratePerSecond: 20,
  rateBurst: 40,
  abuseStrikes: 100,
  maxConnectionsPerRoom: 100,
  maxConnectionsPerAddress: 50,
  maxRoomsPerAddress: 50,
  heartbeatMs: 30_000,
  idleTimeoutMs: 60_000,
  idleWarningMs: 15_000,
  sendBufferBytes: 1024 * 1024,
  compressMinBytes: 1024,
  // A whole game to 50 points is about 1,100 events and 300 KB; a minute of play is well under 100 events.
  // 256 KiB per room bounds the worst case to 256 MiB per 1,000 open rooms, and stays far below the 4008 line.
  resumeBufferEvents: 1_000,
  resumeBufferBytes: 256 * 1024,
});

/** Nothing outside ASCII: one byte per character in UTF-8. */
// deno-lint-ignore no-control-regex -- the range starts at NUL on purpose: every ASCII character.
const ASCII = /^[\x00-\x7f]*$/;

/** UTF-8 length of a string, without encoding it when it is clearly short enough. */
export function utf8Length(text: string, atLeast: number): number {
  if (text.length * 3 <= atLeast) return text.length;
  // The common case (every frame the resume history keeps is measured) by the regex engine: a loop over the
  // characters ran 1-2 us a frame on a cold server and was compiled up to the optimizing JIT for it.
  if (ASCII.test(text)) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
