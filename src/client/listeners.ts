// A set of callbacks for one kind of notification. A listener that throws never breaks the client.

export class Listeners<A extends unknown[]> {
  #set = new Set<(...args: A) => void>();

  get size(): number {
    return this.#set.size;
  }

  /** Adds `listener`; the returned function removes it again. */
  add(listener: (...args: A) => void): () => void {
    // Wrapping makes each registration distinct, so adding the same function twice calls it twice.
    const entry = (...args: A) => listener(...args);
    this.#set.add(entry);
    return () => void this.#set.delete(entry);
  }

  emit(...args: A): void {
    for (const listener of [...this.#set]) {
      try {
        listener(...args);
      } catch (error) {
        // A bug in the user's handler must not leave the connection half-updated; rethrown outside this call
        // stack it still reaches the runtime's error reporting (console, test failure) instead of vanishing.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  clear(): void {
    this.#set.clear();
  }
}
