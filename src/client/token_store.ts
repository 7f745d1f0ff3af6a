// Where a client keeps session tokens between connections, keyed by room id: in memory or in a Storage.

/** A small key-value store for session tokens; the page passes `storageTokenStore(localStorage)`. */
export interface TokenStore {
  get(roomId: string): string | null;
  set(roomId: string, token: string): void;
  delete(roomId: string): void;
}

/** Tokens that live as long as this object: the default, and what tests and bots use. */
export function memoryTokenStore(): TokenStore {
  const tokens = new Map<string, string>();
  return {
    get: (roomId) => tokens.get(roomId) ?? null,
    set: (roomId, token) => void tokens.set(roomId, token),
    delete: (roomId) => void tokens.delete(roomId),
  };
}

/** The part of the Web Storage API a token store needs (`localStorage`, `sessionStorage`, or a fake). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Tokens in a Web Storage under `prefix + roomId`, so a reload or a new tab of the page finds its seat again.
 * Storage can throw (quota, privacy mode); a token that cannot be kept only costs the seat after a reload,
 * so failures are swallowed rather than breaking the connection.
 */
export function storageTokenStore(storage: StorageLike, prefix = "liaptui.token."): TokenStore {
  return {
    get(roomId) {
      try {
        return storage.getItem(prefix + roomId);
      } catch {
        return null; // Unreadable storage: behave as if no token was kept.
      }
    },
    set(roomId, token) {
      try {
        storage.setItem(prefix + roomId, token);
      } catch {
        // Full or disabled storage: the token still works for this page's lifetime through the client itself.
      }
    },
    delete(roomId) {
      try {
        storage.removeItem(prefix + roomId);
      } catch {
        // Nothing to undo: a token we could not remove is refused by the server later and dropped then.
      }
    },
  };
}
