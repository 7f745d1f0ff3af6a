// TextShelf: texts and bytes come back exactly as they were put, with their notes, until removed.

import assert from "node:assert/strict";
import { TextShelf } from "../../src/store/text_shelf.ts";

Deno.test("texts, bytes and notes come back exactly as put, including texts UTF-8 cannot carry", () => {
  const shelf = new TextShelf();
  const texts = ['{"a":1}', "é€😀", "\ud800 lone", "tail \udc00", "nul \u0000 inside", ""];
  const keys = texts.map((text, i) => shelf.putText(text, `note ${i}`));
  const bytes = new Uint8Array([0, 1, 2, 255, 128]);
  const byteKey = shelf.putBytes(bytes.subarray(1, 4), "bytes");
  bytes.fill(9); // the shelf kept a copy
  assert.deepEqual(keys.map((key) => shelf.read(key)), texts);
  assert.deepEqual(keys.map((key) => shelf.note(key)), texts.map((_, i) => `note ${i}`));
  assert.deepEqual([...(shelf.read(byteKey) as Uint8Array)], [1, 2, 255]);
  assert.equal(shelf.note(byteKey), "bytes");
  assert.equal(shelf.size, texts.length + 1);
});

Deno.test("a removed body is gone and the others stay", () => {
  const shelf = new TextShelf();
  const first = shelf.putText("first", "1");
  const second = shelf.putText("second", "2");
  shelf.remove(first);
  assert.throws(() => shelf.read(first), /nothing kept under/);
  assert.throws(() => shelf.note(first), /nothing kept under/);
  assert.equal(shelf.read(second), "second");
  assert.equal(shelf.size, 1);
});
