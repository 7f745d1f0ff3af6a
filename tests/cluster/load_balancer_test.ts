// The load-balancer recipes of docs/deploy.md (section 7), run as written with only the addresses and the
// listening port replaced: each parses with its own checker, and in front of two real cluster nodes answers
// /readyz, hides /metrics, sends one room to one node whatever the query, carries a player sent to the wrong
// node through the redirect to the owner, and, once that node is killed, sends the room's players to the other
// one instead. Fails, never skips, on CI when a balancer is not installed.

import assert from "node:assert/strict";
import { requireOnCi } from "../support/ci.ts";
import { freePort, REPO_ROOT, type ServerProcess } from "../support/server_process.ts";
import { TestClient } from "../support/ws_client.ts";
import { startNode } from "./cluster_fixture.ts";
import { startRedis } from "./redis_server.ts";

const DEPLOY = await Deno.readTextFile(`${REPO_ROOT}docs/deploy.md`);
const SECTION = DEPLOY.slice(DEPLOY.indexOf("## 7. Several nodes"), DEPLOY.indexOf("## Without a proxy"));

/** The recipe's code block, with the sample nodes and listening address replaced by the test's own. */
function recipe(language: string, nodes: [number, number], port: number): string {
  const block = new RegExp("```" + language + "\\n([\\s\\S]*?)```").exec(SECTION)?.[1];
  assert.ok(block, `docs/deploy.md section 7 has a ${language} block`);
  const replaced = block
    .replaceAll("10.0.0.1:8080", `127.0.0.1:${nodes[0]}`)
    .replaceAll("10.0.0.2:8080", `127.0.0.1:${nodes[1]}`)
    .replace("listen 80;", `listen 127.0.0.1:${port};`)
    .replace("bind :80", `bind 127.0.0.1:${port}`)
    .replace("play.example.org {", `http://127.0.0.1:${port} {`);
  assert.notEqual(replaced, block);
  return replaced;
}

interface Balancer {
  name: string;
  binary: string;
  /** Writes the configuration into `dir`; answers the arguments that check it and those that run it. */
  configure(dir: string, nodes: [number, number], port: number): Promise<{ check: string[]; run: string[] }>;
}

const BALANCERS: Balancer[] = [
  {
    name: "nginx",
    binary: "nginx",
    async configure(dir, nodes, port) {
      // The recipe is a conf.d file (http context); nginx needs a main file around it to run on its own.
      await Deno.writeTextFile(`${dir}/liaptui.conf`, recipe("nginx", nodes, port));
      await Deno.writeTextFile(
        `${dir}/nginx.conf`,
        `pid ${dir}/nginx.pid;\nerror_log stderr;\nevents {}\n` +
          `http {\n  access_log off;\n  include ${dir}/liaptui.conf;\n}\n`,
      );
      const common = ["-p", dir, "-c", `${dir}/nginx.conf`];
      return { check: ["-t", ...common], run: [...common, "-g", "daemon off;"] };
    },
  },
  {
    name: "haproxy",
    binary: "haproxy",
    async configure(dir, nodes, port) {
      await Deno.writeTextFile(`${dir}/haproxy.cfg`, recipe("haproxy", nodes, port));
      return { check: ["-c", "-f", `${dir}/haproxy.cfg`], run: ["-db", "-f", `${dir}/haproxy.cfg`] };
    },
  },
  {
    name: "caddy",
    binary: "caddy",
    async configure(dir, nodes, port) {
      // Test-only global options: no admin endpoint (its fixed port 2019 would clash between runs).
      await Deno.writeTextFile(
        `${dir}/Caddyfile`,
        `{\n\tadmin off\n}\n\n${recipe("caddyfile", nodes, port)}`,
      );
      const file = ["--config", `${dir}/Caddyfile`, "--adapter", "caddyfile"];
      return { check: ["validate", ...file], run: ["run", ...file] };
    },
  },
];

function installed(binary: string): boolean {
  try {
    return new Deno.Command(binary, { args: ["-v"], stdout: "null", stderr: "null" }).outputSync().success ||
      new Deno.Command(binary, { args: ["version"], stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false; // Not on PATH.
  }
}

const available = BALANCERS.filter((b) => {
  const there = installed(b.binary);
  requireOnCi(there, `${b.binary} is not installed (apt-get install -y ${b.binary})`);
  return there;
});

/** Caddy keeps its state under XDG folders; give it the test's directory instead of the user's. */
function envFor(dir: string): Record<string, string> {
  return { XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir, HOME: dir };
}

async function check(balancer: Balancer, dir: string, args: string[]): Promise<void> {
  const result = await new Deno.Command(balancer.binary, {
    args,
    env: envFor(dir),
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = new TextDecoder().decode(result.stdout) + new TextDecoder().decode(result.stderr);
  assert.ok(result.success, `${balancer.name} refuses the recipe:\n${text}`);
}

for (const balancer of BALANCERS) {
  Deno.test({
    name: `[${balancer.name}] the docs/deploy.md recipe parses`,
    ignore: !available.includes(balancer),
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: `liaptui-${balancer.name}-` });
      try {
        const { check: args } = await balancer.configure(dir, [freePort(), freePort()], freePort());
        await check(balancer, dir, args);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

/** Runs a balancer until `stop()`; resolves once `/readyz` answers 200 through it. */
async function runBalancer(balancer: Balancer, dir: string, args: string[], url: string) {
  const child = new Deno.Command(balancer.binary, {
    args,
    env: envFor(dir),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let output = "";
  const drained = (async () => {
    for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) output += text;
  })();
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    await child.status;
    await drained;
  };
  for (let attempt = 0;; attempt++) {
    const status = await fetch(`${url}/readyz`).then(
      async (r) => (await r.body?.cancel(), r.status),
      () => 0,
    );
    if (status === 200) break;
    if (attempt >= 200) {
      await stop();
      throw new Error(`${balancer.name} never answered /readyz with 200 (last ${status}):\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { stop, output: () => output };
}

/** The first event on a room socket opened through the balancer: connected (owner) or redirect. */
async function firstEvent(url: string): Promise<{ client: TestClient; event: string; target?: string }> {
  const client = await TestClient.connect(url);
  const first = await Promise.race([client.next("connected"), client.next("redirect")]);
  return { client, event: first.event, target: first.data?.url as string | undefined };
}

Deno.test({
  name:
    "each balancer before two nodes: /readyz, one room to one node, a redirect followed, a dead node routed around",
  ignore: available.length === 0,
  async fn() {
    const redis = await startRedis();
    const port = freePort();
    const front = `127.0.0.1:${port}`;
    const nodes: ServerProcess[] = [];
    const clients: TestClient[] = [];
    const dir = await Deno.makeTempDir({ prefix: "liaptui-lb-" });
    /** Per balancer, a room it hashed to node B (which then redirected to node A, the owner). */
    const hashedToB = new Map<string, string>();
    try {
      for (const id of ["node-a", "node-b"]) {
        // Every node names the balancer as its public address, as the recipes say.
        nodes.push(
          await startNode(redis.url, id, {
            publicUrl: `http://${front}`,
            args: ["--trusted-proxies", "127.0.0.1"],
          }),
        );
      }
      const [a, b] = nodes as [ServerProcess, ServerProcess];
      const nodePorts: [number, number] = [Number(new URL(a.url).port), Number(new URL(b.url).port)];
      for (const balancer of available) {
        const { run } = await balancer.configure(dir, nodePorts, port);
        const running = await runBalancer(balancer, dir, run, `http://${front}`);
        try {
          const metrics = await fetch(`http://${front}/metrics`);
          await metrics.body?.cancel();
          assert.equal(metrics.status, 404, `${balancer.name} keeps /metrics in`);
          // Rooms owned by node A; the balancer hashes some of them to node B, which must redirect.
          for (let i = 0;; i++) {
            assert.ok(
              i < 16,
              `${balancer.name} sent 16 rooms of node A all to node A: is it hashing at all?`,
            );
            const room = `${balancer.name}${i}`;
            const owner = await TestClient.connect(`${a.wsUrl}/ws/${room}`);
            clients.push(owner);
            await owner.next("connected");
            owner.send("join_room", { player_name: "Ann", as: "player" });
            await owner.next("joined_room");

            const first = await firstEvent(`ws://${front}/ws/${room}?last_seq=1`);
            clients.push(first.client);
            // Four more with other queries: a balancer picking at random would agree all five times 1 in 16.
            for (let q = 2; q <= 5; q++) {
              const again = await firstEvent(`ws://${front}/ws/${room}?last_seq=${q}&v=${q}`);
              clients.push(again.client);
              assert.equal(again.event, first.event, `${balancer.name}: the query moved room ${room}`);
            }
            if (first.event !== "redirect") continue;

            assert.equal(first.target, `ws://${front}/n/node-a/ws/${room}`);
            assert.equal((await first.client.closed).code, 4010);
            const direct = await TestClient.connect(first.target!);
            clients.push(direct);
            await direct.next("connected");
            direct.send("join_room", { player_name: "Bo", as: "player" });
            const joined = await direct.next("joined_room");
            assert.equal(joined.room_id, room, `${balancer.name} carried the redirect to the owner`);
            hashedToB.set(balancer.name, room);
            break;
          }
        } finally {
          await Promise.all(clients.splice(0).map((c) => c.close()));
          await running.stop();
        }
      }
      assert.equal(hashedToB.size, available.length, "every balancer carried a redirect");

      // Node B dies: each balancer must send the room it hashed to B to node A, which owns it, at once.
      await b.stop("SIGKILL");
      for (const balancer of available) {
        const { run } = await balancer.configure(dir, nodePorts, port);
        const running = await runBalancer(balancer, dir, run, `http://${front}`);
        try {
          const room = hashedToB.get(balancer.name)!;
          const around = await firstEvent(`ws://${front}/ws/${room}`);
          clients.push(around.client);
          assert.equal(around.event, "connected", `${balancer.name} routes around the dead node`);
        } finally {
          await Promise.all(clients.splice(0).map((c) => c.close()));
          await running.stop();
        }
      }
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      for (const node of nodes) await node.stop();
      await redis.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
