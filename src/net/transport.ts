// What the net layer needs from a runtime's WebSocket, and from its native pub/sub where there is one.

/** One accepted WebSocket, as a runtime adapter wraps it. Implementations must not throw from `send`. */
export interface Transport {
  /** Queues a text frame; `compress` asks for permessage-deflate where the runtime and client support it. */
  send(frame: string, compress: boolean): void;
  close(code: number, reason: string): void;
  /** Bytes accepted by `send` that have not reached the kernel yet. */
  bufferedAmount(): number;
  /** Joins a native pub/sub topic (Bun); absent where the runtime has none. */
  subscribe?(topic: string): void;
  unsubscribe?(topic: string): void;
}

/** A runtime's native fan-out: one call hands the same bytes to every subscriber of a topic. */
export interface PubSub {
  publish(topic: string, frame: string, compress: boolean): void;
}

export function roomTopic(roomId: string): string {
  return `room:${roomId}`;
}

export const LOBBY_TOPIC = "lobby";

/** The topic a channel's sockets subscribe to: the lobby's, or their room's. */
export function channelTopic(channel: string): string {
  return channel === "lobby" ? LOBBY_TOPIC : roomTopic(channel);
}
