// RoomQueue: one waiting line per room, in arrival order, with 1-based positions.

import assert from "node:assert/strict";
import { RoomQueue } from "../../src/net/room_queue.ts";
import { makeConnection } from "./fakes.ts";

function waiting(channel: string) {
  return makeConnection({ channel, queued: true }).connection;
}

Deno.test("enqueue() answers 1-based positions in arrival order, one line per room", () => {
  const queue = new RoomQueue();
  const [a, b, other] = [waiting("r1"), waiting("r1"), waiting("r2")];
  assert.equal(queue.enqueue(a), 1);
  assert.equal(queue.enqueue(b), 2);
  assert.equal(queue.enqueue(other), 1);
  assert.deepEqual(queue.waiting("r1"), [a, b]);
  assert.deepEqual(queue.waiting("r2"), [other]);
  assert.equal(queue.size, 3);
});

Deno.test("shift() takes the front of a room's line, and nothing from an empty one", () => {
  const queue = new RoomQueue();
  const [a, b] = [waiting("r1"), waiting("r1")];
  queue.enqueue(a);
  queue.enqueue(b);
  assert.equal(queue.shift("r1"), a);
  assert.equal(queue.shift("r1"), b);
  assert.equal(queue.shift("r1"), undefined);
  assert.equal(queue.shift("nowhere"), undefined);
  assert.equal(queue.size, 0);
});

Deno.test("remove() takes a connection out of the middle and the ones behind move up", () => {
  const queue = new RoomQueue();
  const [a, b, c] = [waiting("r1"), waiting("r1"), waiting("r1")];
  for (const connection of [a, b, c]) queue.enqueue(connection);
  assert.equal(queue.remove(b), true);
  assert.equal(queue.remove(b), false);
  assert.deepEqual(queue.waiting("r1"), [a, c]);
  assert.equal(queue.waiting("r1").indexOf(c) + 1, 2);
  assert.equal(queue.enqueue(waiting("r1")), 3);
});

Deno.test("remove() of a connection that never queued changes nothing", () => {
  const queue = new RoomQueue();
  const a = waiting("r1");
  queue.enqueue(a);
  assert.equal(queue.remove(waiting("r1")), false);
  assert.equal(queue.remove(waiting("r9")), false);
  assert.deepEqual(queue.waiting("r1"), [a]);
});

Deno.test("an emptied line starts again at position 1", () => {
  const queue = new RoomQueue();
  const a = waiting("r1");
  queue.enqueue(a);
  queue.remove(a);
  assert.deepEqual(queue.waiting("r1"), []);
  assert.equal(queue.enqueue(waiting("r1")), 1);
});
