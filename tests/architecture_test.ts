// The one-way import rule of conventions.md, checked by reading every import under src/, plus the runtime
// boundary (only src/runtime/ touches Deno or Bun) and no `any` in app code.

import assert from "node:assert/strict";

const SRC = new URL("../src/", import.meta.url);

interface Source {
  /** Path under src/, e.g. `net/gateway.ts`. */
  path: string;
  /** Top folder under src/ (`net`), or "" for a file directly in src/. */
  layer: string;
  text: string;
}

async function collect(dir: URL, prefix: string, out: Source[]): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory) await collect(new URL(`${entry.name}/`, dir), `${path}/`, out);
    else if (entry.isFile && entry.name.endsWith(".ts")) {
      const text = await Deno.readTextFile(new URL(entry.name, dir));
      out.push({ path, layer: path.includes("/") ? path.slice(0, path.indexOf("/")) : "", text });
    }
  }
}

const sources: Source[] = [];
await collect(SRC, "", sources);
sources.sort((a, b) => a.path.localeCompare(b.path));

/**
 * Blanks comments (and, with `strings`, the contents of string and template literals) while keeping every
 * line in place, so what is left is code. Regex literals are kept: they are code, and may contain quotes.
 */
function codeOnly(text: string, options: { strings: boolean }): string {
  let out = "";
  let i = 0;
  let lastSignificant = "";
  const blank = (s: string) => s.replace(/[^\n]/g, " ");
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === "/" && next === "/") {
      const end = text.indexOf("\n", i);
      const stop = end < 0 ? text.length : end;
      out += blank(text.slice(i, stop));
      i = stop;
    } else if (c === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += blank(text.slice(i, stop));
      i = stop;
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === "\\" ? 2 : 1;
      const literal = text.slice(i, j + 1);
      out += options.strings ? c + blank(literal.slice(1, -1)) + c : literal;
      i = j + 1;
      lastSignificant = c;
    } else if (c === "/" && (lastSignificant === "" || "(,=:[!&|?{};+-*%<>~^".includes(lastSignificant))) {
      // A regex literal: copy it through so its quotes and slashes are not read as strings or comments.
      let j = i + 1;
      let inClass = false;
      while (j < text.length && text[j] !== "\n" && (inClass || text[j] !== "/")) {
        if (text[j] === "\\") j += 1;
        else if (text[j] === "[") inClass = true;
        else if (text[j] === "]") inClass = false;
        j += 1;
      }
      out += text.slice(i, j + 1);
      i = j + 1;
      lastSignificant = "/";
    } else {
      out += c;
      if (!/\s/.test(c)) lastSignificant = c;
      i += 1;
    }
  }
  return out;
}

/** Every module specifier a file imports or re-exports, static or dynamic. */
function importsOf(source: Source): string[] {
  const code = codeOnly(source.text, { strings: false });
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']/g,
    /\bimport\s+["']([^"']+)["']/g,
  ];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) found.push(match[1]!);
  }
  return found;
}

/** Where an import points: a layer of ours (`rooms`), or the package (`valibot`, `hono`, `node:sqlite`). */
function targetOf(source: Source, specifier: string): { kind: "layer" | "package"; name: string } {
  if (!specifier.startsWith(".")) {
    const bare = specifier.replace(/^(npm|jsr):/, "").replace(/@[^/]*$/, "");
    const name = bare.startsWith("@") ? bare.split("/").slice(0, 2).join("/") : bare.split("/")[0]!;
    return { kind: "package", name };
  }
  const resolved = new URL(specifier, new URL(source.path, SRC));
  const relative = resolved.href.slice(SRC.href.length);
  assert.ok(resolved.href.startsWith(SRC.href), `${source.path} imports ${specifier}, outside src/`);
  return { kind: "layer", name: relative.includes("/") ? relative.slice(0, relative.indexOf("/")) : "" };
}

function violations(layer: string, allowed: (target: { kind: string; name: string }) => boolean): string[] {
  const found: string[] = [];
  for (const source of sources.filter((s) => s.layer === layer)) {
    for (const specifier of importsOf(source)) {
      if (!allowed(targetOf(source, specifier))) found.push(`${source.path} imports ${specifier}`);
    }
  }
  return found;
}

Deno.test("the import reader sees the imports it must judge", () => {
  const gateway = sources.find((s) => s.path === "net/gateway.ts");
  assert.ok(gateway, "src/net/gateway.ts exists");
  const specifiers = importsOf(gateway);
  assert.ok(specifiers.includes("../rooms/room_directory.ts"));
  assert.ok(specifiers.includes("./router.ts"));
  assert.ok(sources.some((s) => s.layer === "game") && sources.some((s) => s.layer === "protocol"));
  assert.deepEqual(
    importsOf({
      path: "x/y.ts",
      layer: "x",
      text: 'import type {\n  A,\n} from "../a/b.ts";\nexport * from "./c.ts";',
    }),
    ["../a/b.ts", "./c.ts"],
  );
});

Deno.test("codeOnly() blanks comments and strings but keeps regex literals and line numbers", () => {
  const text = 'const a = "Deno." + `Bun`; // Deno.exit\n/* Bun.serve */ const r = /"\\/\\/"/;\n';
  const code = codeOnly(text, { strings: true });
  assert.equal(code.split("\n").length, text.split("\n").length);
  assert.ok(!code.includes("Deno") && !code.includes("Bun"), code);
  assert.ok(code.includes('/"\\/\\/"/'), code);
  assert.ok(codeOnly(text, { strings: false }).includes('"Deno."'));
});

Deno.test("src/game imports nothing outside src/game", () => {
  assert.deepEqual(violations("game", (t) => t.kind === "layer" && t.name === "game"), []);
});

Deno.test("src/rooms imports only src/game, src/rooms and the store's ports (never an implementation)", () => {
  assert.deepEqual(
    violations("rooms", (t) => t.kind === "layer" && ["game", "rooms", "store"].includes(t.name)),
    [],
  );
  const implementations = sources.filter((s) => s.layer === "rooms").flatMap((s) =>
    importsOf(s).filter((i) => i.includes("/store/") && !i.endsWith("/store/ports.ts")).map((i) =>
      `${s.path}: ${i}`
    )
  );
  assert.deepEqual(implementations, []);
});

Deno.test("src/protocol imports only src/rooms, src/game, src/protocol and valibot", () => {
  assert.deepEqual(
    violations(
      "protocol",
      (t) => t.kind === "layer" ? ["rooms", "game", "protocol"].includes(t.name) : t.name === "valibot",
    ),
    [],
  );
});

Deno.test("src/client imports only itself and, type-only, src/protocol: it ships to browsers on its own", () => {
  const client = sources.filter((s) => s.layer === "client");
  assert.ok(client.length > 0, "src/client exists");
  assert.deepEqual(
    violations("client", (t) => t.kind === "layer" && ["client", "protocol"].includes(t.name)),
    [],
  );
  let typeImports = 0;
  const valueImports = client.flatMap((source) => {
    const code = codeOnly(source.text, { strings: false });
    return [...code.matchAll(/\b(?:import|export)\b(\s+type\b)?[^;]*?\bfrom\s*["'](\.\.\/[^"']+)["']/g)]
      .flatMap(
        (match) => {
          if (match[1] !== undefined) typeImports += 1;
          return match[1] === undefined ? [`${source.path} imports ${match[2]} as a value`] : [];
        },
      );
  });
  assert.deepEqual(valueImports, []);
  assert.ok(typeImports > 0, "the check saw the client's type imports of src/protocol");
});

Deno.test("src/net imports neither src/http nor src/runtime", () => {
  assert.deepEqual(
    violations("net", (t) => !(t.kind === "layer" && ["http", "runtime"].includes(t.name))),
    [],
  );
});

Deno.test("src/http does not import src/runtime", () => {
  assert.deepEqual(violations("http", (t) => !(t.kind === "layer" && t.name === "runtime")), []);
});

Deno.test("nothing under src/ imports main.ts", () => {
  const found = sources.flatMap((s) =>
    importsOf(s).filter((i) => i.endsWith("main.ts")).map((i) => `${s.path}: ${i}`)
  );
  assert.deepEqual(found, []);
});

/** A line of code that reads a runtime global. */
function touchesRuntime(line: string): boolean {
  return /\bDeno\s*\.|\bDeno\b\s*\[|\bBun\b/.test(line);
}

/** A line of code that writes the any type (annotation, assertion, generic argument, array). */
function usesAny(line: string): boolean {
  return /(?::|\bas|<|\||,)\s*any\b(?!\s*[:=])|\bany\s*\[\s*\]|<\s*any\s*[,>]/.test(line);
}

/** `path:line: code` for every code line of `files` that `test` flags. */
function flagged(files: Source[], strings: boolean, test: (line: string) => boolean): string[] {
  return files.flatMap((source) =>
    codeOnly(source.text, { strings }).split("\n").flatMap((line, index) =>
      test(line) ? [`${source.path}:${index + 1}: ${line.trim()}`] : []
    )
  );
}

Deno.test("the runtime and any detectors flag what they must and pass what they must", () => {
  for (const line of ["Deno.serve(app)", "const b = Bun.serve", 'Deno ["env"]', 'if ("Bun" in globalThis)']) {
    assert.ok(touchesRuntime(codeOnly(line, { strings: false })), line);
  }
  for (const line of ["const denoted = 1", "Denormal.x", "bunny()"]) assert.ok(!touchesRuntime(line), line);
  for (
    const line of ["let x: any;", "f(a as any)", "Array<any>", "Map<string, any>", "y: any[]", "(a: any) =>"]
  ) {
    assert.ok(usesAny(line), line);
  }
  for (const line of ["const anything = 1", "many: number", "company as Company", "{ any: 1 }"]) {
    assert.ok(!usesAny(line), line);
  }
  assert.ok(flagged(sources.filter((s) => s.layer === "runtime"), false, touchesRuntime).length > 0);
});

Deno.test("only src/runtime touches the Deno or Bun globals", () => {
  assert.deepEqual(flagged(sources.filter((s) => s.layer !== "runtime"), false, touchesRuntime), []);
});

Deno.test("no source file under src/ uses the any type", () => {
  assert.deepEqual(flagged(sources, true, usesAny), []);
});

Deno.test("src/store imports only src/store, node built-ins and ioredis", () => {
  assert.deepEqual(
    violations(
      "store",
      (t) => t.kind === "layer" ? t.name === "store" : t.name.startsWith("node:") || t.name === "ioredis",
    ),
    [],
  );
});

Deno.test("only src/store/redis_* files import ioredis", () => {
  const found = sources.filter((s) => !s.path.startsWith("store/redis_")).flatMap((s) =>
    importsOf(s).filter((i) => i === "ioredis").map((i) => `${s.path}: ${i}`)
  );
  assert.deepEqual(found, []);
  assert.ok(sources.some((s) => s.path.startsWith("store/redis_") && importsOf(s).includes("ioredis")));
});

Deno.test("only src/store imports node:sqlite", () => {
  const found = sources.filter((s) => s.layer !== "store").flatMap((s) =>
    importsOf(s).filter((i) => i === "node:sqlite").map((i) => `${s.path}: ${i}`)
  );
  assert.deepEqual(found, []);
  assert.ok(sources.some((s) => s.layer === "store" && importsOf(s).includes("node:sqlite")));
});
