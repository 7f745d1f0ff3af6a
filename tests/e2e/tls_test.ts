// End-to-end: with --tls-cert and --tls-key the server speaks https and wss itself, from source (Deno) and
// as the binary (Bun), with a certificate made for the test by openssl.

import assert from "node:assert/strict";
import { ignoreTarget, REPO_ROOT, serverCommand, TARGETS } from "../support/server_process.ts";

function hasOpenssl(): boolean {
  try {
    return new Deno.Command("openssl", { args: ["version"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false; // Not installed: the test is reported as ignored (.ci/run installs it).
  }
}

async function makeCertificate(folder: string): Promise<{ cert: string; key: string }> {
  const cert = `${folder}/cert.pem`;
  const key = `${folder}/key.pem`;
  const made = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      // A server certificate, not a CA: clients refuse a CA certificate presented as the server's own.
      "-addext",
      "basicConstraints=critical,CA:FALSE",
      "-addext",
      "extendedKeyUsage=serverAuth",
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.ok(made.success, new TextDecoder().decode(made.stderr));
  return { cert, key };
}

for (const target of TARGETS) {
  Deno.test({
    name: `[${target}] --tls-cert and --tls-key serve https and wss directly`,
    ignore: ignoreTarget(target) || !hasOpenssl(),
    async fn() {
      const folder = await Deno.makeTempDir({ prefix: "liaptui-tls-" });
      let child: Deno.ChildProcess | null = null;
      let client: Deno.HttpClient | null = null;
      try {
        const { cert, key } = await makeCertificate(folder);
        const [command, args] = serverCommand(target, [
          "--port",
          "0",
          "--host",
          "127.0.0.1",
          "--tls-cert",
          cert,
          "--tls-key",
          key,
        ]);
        child = new Deno.Command(command, {
          args,
          cwd: REPO_ROOT,
          stdin: "null",
          stdout: "piped",
          stderr: "inherit",
        })
          .spawn();
        const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
        let log = "";
        let port: string | undefined;
        while (port === undefined) {
          const { done, value } = await lines.read();
          if (done) throw new Error(`the server exited before listening:\n${log}`);
          log += value;
          port = log.match(/listening on https:\/\/127\.0\.0\.1:(\d+)/)?.[1];
        }
        const caCert = await Deno.readTextFile(cert);
        client = Deno.createHttpClient({ caCerts: [caCert] });
        const health = await fetch(`https://127.0.0.1:${port}/healthz`, { client });
        assert.equal(health.status, 200);
        assert.equal((await health.json()).status, "ok");

        // A WebSocket upgrade over the same TLS listener.
        const conn = await Deno.connectTls({ hostname: "127.0.0.1", port: Number(port), caCerts: [caCert] });
        try {
          const request = [
            "GET /ws/lobby HTTP/1.1",
            `Host: 127.0.0.1:${port}`,
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            "",
            "",
          ].join("\r\n");
          await conn.write(new TextEncoder().encode(request));
          const buffer = new Uint8Array(1024);
          const n = await conn.read(buffer);
          assert.match(new TextDecoder().decode(buffer.subarray(0, n ?? 0)), /^HTTP\/1\.1 101 /);
        } finally {
          conn.close();
        }

        // Plain http on the TLS port is not served.
        const plain = await fetch(`http://127.0.0.1:${port}/healthz`).then(() => "answered", () => "refused");
        assert.equal(plain, "refused");

        child.kill("SIGTERM");
        assert.equal((await child.status).code, 0);
        child = null;
        await lines.cancel();
      } finally {
        client?.close();
        if (child !== null) {
          child.kill("SIGKILL");
          await child.status;
          await child.stdout.cancel().catch(() => {});
        }
        await Deno.remove(folder, { recursive: true });
      }
    },
  });
}
