// src/game stays pure: no imports from outside the folder, no clock, no Math.random, no I/O.

import assert from "node:assert/strict";

const DIR = new URL("../../src/game/", import.meta.url);

async function sources(): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for await (const entry of Deno.readDir(DIR)) {
    if (entry.isFile && entry.name.endsWith(".ts")) {
      out.push([entry.name, await Deno.readTextFile(new URL(entry.name, DIR))]);
    }
  }
  return out;
}

Deno.test("src/game imports only files inside src/game", async () => {
  for (const [name, text] of await sources()) {
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
      const target = match[1] ?? "";
      assert.ok(target.startsWith("./") && !target.slice(2).includes("/"), `${name} imports ${target}`);
    }
  }
});

Deno.test("src/game never reads the clock, Math.random or the runtime", async () => {
  for (const [name, text] of await sources()) {
    for (
      const banned of [
        "Math.random",
        "Date.now",
        "new Date",
        "performance.",
        "Deno.",
        "setTimeout",
        "setInterval",
      ]
    ) {
      assert.ok(!text.includes(banned), `${name} uses ${banned}`);
    }
  }
});

Deno.test("every src/game file opens with a one-line comment that says it is pure", async () => {
  for (const [name, text] of await sources()) {
    const first = text.split("\n")[0] ?? "";
    assert.match(first, /^\/\/ .*[Pp]ure/, name);
  }
});
