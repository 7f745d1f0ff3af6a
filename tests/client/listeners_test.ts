// Listeners: the order of calls, removal during an emit, and additions waiting for the next emit.

import assert from "node:assert/strict";
import { Listeners } from "../../src/client/listeners.ts";

Deno.test("listeners run in the order added; a removed one is not called, even when removed mid-emit", () => {
  const listeners = new Listeners<[number]>();
  const calls: string[] = [];
  let offB: () => void = () => {};
  listeners.add((n) => {
    calls.push(`a${n}`);
    offB();
  });
  offB = listeners.add((n) => calls.push(`b${n}`));
  listeners.emit(1);
  listeners.emit(2);
  assert.deepEqual(calls, ["a1", "a2"]);
  assert.equal(listeners.size, 1);
});

Deno.test("a listener added during an emit hears the next emit, not the current one", () => {
  for (const before of [0, 1]) {
    const listeners = new Listeners<[number]>();
    const calls: string[] = [];
    for (let i = 0; i < before; i++) listeners.add(() => {});
    listeners.add((n) => {
      calls.push(`outer${n}`);
      if (n === 1) listeners.add((m) => calls.push(`inner${m}`));
    });
    listeners.emit(1);
    listeners.emit(2);
    assert.deepEqual(calls, ["outer1", "outer2", "inner2"], `with ${before} other listener(s)`);
  }
});

Deno.test("the same function added twice is called twice and removed one registration at a time", () => {
  const listeners = new Listeners<[]>();
  let count = 0;
  const f = () => void (count += 1);
  const off = listeners.add(f);
  listeners.add(f);
  listeners.emit();
  off();
  listeners.emit();
  assert.equal(count, 3);
});
