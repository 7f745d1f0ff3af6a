// The memory store against the port contract.

import { memoryStore } from "../../src/store/memory_store.ts";
import { runStoreConformance } from "./conformance.ts";

runStoreConformance("memoryStore", () => {
  const store = memoryStore();
  return Promise.resolve({ store, dispose: () => store.close() });
});
