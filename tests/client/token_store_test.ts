// Token stores: the memory default, and a Web Storage that may refuse to work.

import assert from "node:assert/strict";
import { memoryTokenStore, type StorageLike, storageTokenStore } from "../../src/client/token_store.ts";

function fakeStorage(): StorageLike & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

Deno.test("a storage token store keeps one token per room under liaptui.token.{room}", () => {
  const storage = fakeStorage();
  const tokens = storageTokenStore(storage);
  tokens.set("friday", "A");
  tokens.set("AB12CD", "B");
  assert.deepEqual([...storage.items], [["liaptui.token.friday", "A"], ["liaptui.token.AB12CD", "B"]]);
  assert.equal(tokens.get("friday"), "A");
  tokens.delete("friday");
  assert.equal(tokens.get("friday"), null);
  assert.equal(storageTokenStore(storage, "other.").get("AB12CD"), null);
});

Deno.test("a storage that throws (privacy mode, full) reads as empty and never breaks the caller", () => {
  let calls = 0;
  const broken: StorageLike = {
    getItem: () => {
      calls += 1;
      throw new Error("SecurityError");
    },
    setItem: () => {
      calls += 1;
      throw new Error("QuotaExceededError");
    },
    removeItem: () => {
      calls += 1;
      throw new Error("SecurityError");
    },
  };
  const tokens = storageTokenStore(broken);
  tokens.set("friday", "A");
  assert.equal(tokens.get("friday"), null);
  tokens.delete("friday");
  assert.equal(calls, 3, "each call reached the storage");
});

Deno.test("the memory token store forgets nothing until told", () => {
  const tokens = memoryTokenStore();
  assert.equal(tokens.get("x"), null);
  tokens.set("x", "T");
  assert.equal(tokens.get("x"), "T");
  tokens.delete("x");
  assert.equal(tokens.get("x"), null);
});
