// The `--help` text as a person reads it: every option line keeps its flag apart from its description.

import assert from "node:assert/strict";
import { helpText } from "../src/config.ts";

Deno.test("--help puts a space between every option and its description, however long the option", () => {
  const optionLines = helpText().split("\n").filter((line) => /^ {2}-/.test(line));
  assert.ok(optionLines.length >= 10, `only ${optionLines.length} option lines`);
  for (const line of optionLines) {
    assert.doesNotMatch(line, /<value>\S/, `flag and description run together: ${line.trim()}`);
    assert.match(line, /^ {2}\S.*? +\S/, `no description after the flag: ${line.trim()}`);
  }
});
