// The Hints port on Redis pub/sub: wake-ups between nodes that may be lost. Nothing that must not be lost
// travels here; a listener that misses a hint catches up from a stream or the log.

import type { Redis } from "ioredis";
import type { Hints } from "./ports.ts";
import { guarded } from "./redis_failure.ts";

const PREFIX = "lt:hint:";

export class RedisHints implements Hints {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #listeners = new Map<string, Set<(message: string) => void>>();

  /** `subscriber` is a connection of its own: a subscribed connection can send nothing else. */
  constructor(publisher: Redis, subscriber: Redis) {
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    subscriber.on("message", (channel: string, message: string) => {
      if (!channel.startsWith(PREFIX)) return;
      for (const listener of this.#listeners.get(channel.slice(PREFIX.length)) ?? []) listener(message);
    });
    // After a reconnect (a Redis restart), subscribe again to everything, so no node is left deaf. ioredis
    // resubscribes on its own too; doing it here also covers topics added while the connection was down.
    subscriber.on("ready", () => {
      const channels = [...this.#listeners.keys()].map((topic) => PREFIX + topic);
      if (channels.length > 0) subscriber.subscribe(...channels).catch(() => {}); // Retried on the next ready.
    });
  }

  notify(topic: string, message: string): Promise<void> {
    return guarded("hint", async () => {
      await this.#publisher.publish(PREFIX + topic, message);
    });
  }

  on(topic: string, listener: (message: string) => void): () => void {
    let listeners = this.#listeners.get(topic);
    if (listeners === undefined) {
      listeners = new Set();
      this.#listeners.set(topic, listeners);
      // Lost while disconnected: the 'ready' handler subscribes again.
      this.#subscriber.subscribe(PREFIX + topic).catch(() => {});
    }
    listeners.add(listener);
    return () => {
      const current = this.#listeners.get(topic);
      if (current === undefined || !current.delete(listener) || current.size > 0) return;
      this.#listeners.delete(topic);
      this.#subscriber.unsubscribe(PREFIX + topic).catch(() => {}); // Best effort: an extra message is ignored.
    };
  }
}
