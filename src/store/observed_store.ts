// Watches a store at its port boundary for /metrics: how each room log append ended and how long it took,
// and which leases were granted for rooms that had a holder before. Changes nothing the store does.

import { type AppendResult, type Grant, knownAnswer, NOT_KNOWN, type Store } from "./ports.ts";

export interface StoreObserver {
  /**
   * An append settled: its result kind, or `error` when the store failed; `seconds` from the call's return to
   * the answer, 0 for an answer the store gave before returning.
   */
  appended(outcome: AppendResult["kind"] | "error", seconds: number): void;
  /** A lease was granted for a room that had a holder before (its epoch is past the first). */
  tookOver(grant: Grant): void;
}

/** The same store, reporting to `observer`; `now` is a monotonic clock in milliseconds. */
export function observedStore(store: Store, observer: StoreObserver, now: () => number): Store {
  const { log, ownership } = store;
  return {
    kind: store.kind,
    archive: store.archive,
    close: () => store.close(),
    log: {
      create: (meta) => log.create(meta),
      // Not an async function: this is every chat and move, and one reaction costs less than a function's
      // promise and its await.
      append(grant, expectSeq, entry) {
        let appended: ReturnType<typeof log.append>;
        try {
          appended = log.append(grant, expectSeq, entry);
        } catch (error) {
          appended = Promise.reject(error);
        }
        // Answered before it returned (a store in memory): observed now, as taking no time (it took well under
        // a microsecond: two clock reads would cost more than it), and the same promise goes on, still readable.
        const known = knownAnswer(appended);
        if (known !== NOT_KNOWN) {
          observer.appended(known.kind, 0);
          return appended;
        }
        // Timed from the call's return: what a store does before returning (queueing, sending) is microseconds
        // against the commit or the round trip it answers after.
        const started = now();
        return appended.then((result) => {
          observer.appended(result.kind, (now() - started) / 1000);
          return result;
        }, (error) => {
          observer.appended("error", (now() - started) / 1000);
          throw error;
        });
      },
      read: (roomId, after, limit) => log.read(roomId, after, limit),
      head: (roomId) => log.head(roomId),
      room: (roomId) => log.room(roomId),
      unfinished: () => log.unfinished(),
      finish: (grant) => log.finish(grant),
    },
    ownership: {
      async acquire(roomId, owner) {
        const result = await ownership.acquire(roomId, owner);
        // Every grant bumps the room's epoch, so only its first grant has epoch 1.
        if (result.kind === "granted" && result.grant.epoch > 1) observer.tookOver(result.grant);
        return result;
      },
      renew: (grant) => ownership.renew(grant),
      release: (grant) => ownership.release(grant),
    },
  };
}
