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

  /** Calls every listener registered when the emit starts; ones added meanwhile wait for the next emit. */
  emit(...args: A): void {
    if (this.#set.size === 0) return;
    if (this.#set.size === 1) {
      // The common case (one handler per event) without copying the set for every message.
      const [only] = this.#set;
      return this.#call(only!, args);
    }
    for (const listener of [...this.#set]) {
      if (this.#set.has(listener)) this.#call(listener, args);
    }
  }

  #call(listener: (...args: A) => void, args: A): void {
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

  clear(): void {
    this.#set.clear();
  }
}
