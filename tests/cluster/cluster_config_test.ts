// Cluster mode is opt-in: no setting, no cluster; all four settings (flags or env), a cluster config; anything
// in between, or a bad value, a one-line error.

import assert from "node:assert/strict";
import { type Config, parseConfig } from "../../src/config.ts";

const SECRET = "s".repeat(32);
const FLAGS = [
  "--redis-url",
  "redis://10.0.0.5:6379",
  "--node-id",
  "node-a",
  "--public-url",
  "https://a.example.com/",
  "--cluster-secret",
  SECRET,
];
const ENV = {
  LIAPTUI_REDIS_URL: "redis://redis:6379",
  LIAPTUI_NODE_ID: "b",
  LIAPTUI_PUBLIC_URL: "http://10.0.0.2:8080",
  LIAPTUI_CLUSTER_SECRET: SECRET,
};

function parse(argv: string[], env: Record<string, string> = {}) {
  return parseConfig(argv, (name) => env[name]);
}

function config(argv: string[], env: Record<string, string> = {}): Config {
  const result = parse(argv, env);
  if (result.kind !== "run") throw new Error(JSON.stringify(result));
  return result.config;
}

function problem(argv: string[], env: Record<string, string> = {}): string {
  const result = parse(argv, env);
  if (result.kind !== "error") throw new Error(`expected an error, got ${result.kind}`);
  assert.ok(!result.message.includes("\n"));
  return result.message;
}

Deno.test("without cluster settings there is no cluster: one process, its own store", () => {
  assert.equal(config([]).cluster, null);
});

Deno.test("all four cluster settings from flags make a cluster config (trailing slash dropped)", () => {
  assert.deepEqual(config(FLAGS).cluster, {
    redisUrl: "redis://10.0.0.5:6379",
    nodeId: "node-a",
    publicUrl: "https://a.example.com",
    secret: SECRET,
  });
});

Deno.test("cluster settings come from the environment too, and flags win", () => {
  assert.deepEqual(config([], ENV).cluster, {
    redisUrl: "redis://redis:6379",
    nodeId: "b",
    publicUrl: "http://10.0.0.2:8080",
    secret: SECRET,
  });
  assert.equal(config(["--node-id=c"], ENV).cluster?.nodeId, "c");
});

Deno.test("half a cluster configuration is refused, naming what is missing", () => {
  assert.match(problem(["--redis-url", "redis://r:6379"]), /needs --node-id, --public-url, --cluster-secret/);
  assert.match(problem(["--redis-url", "redis://r:6379", "--node-id", "a"]), /needs --public-url, --cluster/);
  assert.match(problem(["--node-id", "a"]), /need --redis-url/);
  const { LIAPTUI_REDIS_URL: _, ...withoutUrl } = ENV;
  assert.match(problem([], withoutUrl), /need --redis-url/);
});

Deno.test("bad cluster values are one-line errors naming the flag or variable", () => {
  const swap = (flag: string, value: string) => {
    const argv = [...FLAGS];
    argv[argv.indexOf(flag) + 1] = value;
    return problem(argv);
  };
  assert.match(swap("--redis-url", "http://r:6379"), /^--redis-url: expected redis:\/\/host:port/);
  assert.match(swap("--node-id", "a/b"), /^--node-id: expected 1–32 of/);
  assert.match(swap("--node-id", "x".repeat(33)), /^--node-id:/);
  assert.match(swap("--public-url", "a.example.com"), /^--public-url: expected an http\(s\) URL/);
  assert.match(swap("--public-url", "ftp://a.example.com"), /^--public-url:/);
  assert.match(swap("--public-url", "https://a.example.com/?x=1"), /^--public-url:/);
  assert.match(swap("--cluster-secret", "short"), /^--cluster-secret: must be at least 32 characters/);
  assert.match(problem([], { ...ENV, LIAPTUI_NODE_ID: "no way" }), /^LIAPTUI_NODE_ID: expected/);
});

Deno.test("--help lists the cluster settings with their environment variables", () => {
  const help = parse(["--help"]);
  assert.equal(help.kind, "help");
  if (help.kind !== "help") return;
  for (
    const name of ["--redis-url", "LIAPTUI_REDIS_URL", "--node-id", "--public-url", "LIAPTUI_CLUSTER_SECRET"]
  ) {
    assert.ok(help.text.includes(name), name);
  }
});

Deno.test("--print-config masks the cluster secret and shows the other cluster settings", () => {
  const printed = parse([...FLAGS, "--print-config"]);
  assert.equal(printed.kind, "print");
  if (printed.kind !== "print") return;
  assert.ok(!printed.text.includes(SECRET), "the secret is not printed");
  const settings = JSON.parse(printed.text) as Record<string, unknown>;
  assert.equal(settings["cluster-secret"], "********");
  assert.equal(settings["node-id"], "node-a");
  assert.equal(settings["redis-url"], "redis://10.0.0.5:6379");
});
