/**
 * Part of `deno task test:deploy`: `deploy/compose.yaml` run for real with docker-compose, the
 * "tls" profile included: the stack behind Caddy (Debian's caddy on the local base, standing in
 * for the official caddy:2 image), answering HTTPS with a certificate from Caddy's own CA for
 * `localhost`, with the restart policy and the named volume the file promises.
 */
import assert from "node:assert/strict";
import { freePort } from "../_helpers/ports.ts";
import { buildImage, run } from "./tools.ts";
import { healthy } from "./container.ts";
import { signApiKey } from "../../local/keys.ts";

const IMAGE = `chat:compose-${Deno.pid}`;
const PROJECT = `chatsmoke${Deno.pid}`;

Deno.test("compose runs the image with its volume, restart policy and TLS in front", async (t) => {
  const httpsPort = freePort();
  const env = {
    CHAT_IMAGE: IMAGE,
    CADDY_IMAGE: Deno.env.get("CADDY_IMAGE") ?? "local/caddy:bookworm",
    LOCAL_API_PORT: String(freePort()),
    LOCAL_DB_PORT: String(freePort()),
    // Behind the proxy the stack listens on loopback only.
    LOCAL_HOST: "127.0.0.1",
    SUPABASE_JWT_SECRET: crypto.randomUUID() + crypto.randomUUID(),
    LOCAL_DB_PASSWORD: crypto.randomUUID(),
    CHAT_DOMAIN: "localhost",
    CHAT_HTTP_PORT: String(freePort()),
    CHAT_HTTPS_PORT: String(httpsPort),
  };
  const compose = (...args: string[]) =>
    run(
      ["docker-compose", "-p", PROJECT, "-f", "deploy/compose.yaml", "--profile", "tls", ...args],
      {
        env,
      },
    );
  try {
    await buildImage(IMAGE);
    await t.step("up: the chat turns healthy, Caddy starts", async () => {
      await compose("up", "-d", "--no-build");
      await healthy(`${PROJECT}_chat_1`);
      const policy = await run([
        "docker",
        "inspect",
        "-f",
        "{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.NetworkMode}}",
        `${PROJECT}_chat_1`,
      ]);
      assert.equal(policy.out.trim(), "unless-stopped host");
      const volumes = await run(["docker", "volume", "ls", "-q"]);
      assert.match(volumes.out, new RegExp(`^${PROJECT}_chat-data$`, "m"));
    });

    await t.step("HTTPS and WSS through Caddy reach the stack", async () => {
      // Caddy makes its local CA when it first serves localhost; trust exactly that CA.
      let ca = "";
      for (let i = 0; i < 60 && !ca; i++) {
        const r = await run([
          "docker",
          "exec",
          `${PROJECT}_caddy_1`,
          "cat",
          "/data/caddy/pki/authorities/local/root.crt",
        ], { allowFail: true });
        if (r.code === 0) ca = r.out;
        else await new Promise((res) => setTimeout(res, 500));
      }
      assert.ok(ca.includes("BEGIN CERTIFICATE"), "Caddy's local CA");
      const client = Deno.createHttpClient({ caCerts: [ca] });
      try {
        let body: { status?: string } = {};
        for (let i = 0; i < 40 && body.status !== "ok"; i++) {
          try {
            const res = await fetch(`https://localhost:${httpsPort}/functions/v1/api/health`, {
              client,
            });
            body = await res.json();
          } catch {
            await new Promise((res) => setTimeout(res, 500));
          }
        }
        assert.equal(body.status, "ok");
      } finally {
        client.close();
      }
      // Realtime's WebSocket upgrade passes through the proxy too.
      const conn = await Deno.connectTls({ hostname: "localhost", port: httpsPort, caCerts: [ca] });
      try {
        const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
        const anon = await signApiKey("anon", env.SUPABASE_JWT_SECRET);
        await conn.write(new TextEncoder().encode(
          `GET /realtime/v1/websocket?apikey=${anon}&vsn=1.0.0 HTTP/1.1\r\nHost: localhost\r\n` +
            `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
            "Sec-WebSocket-Version: 13\r\n\r\n",
        ));
        const buf = new Uint8Array(512);
        const n = await conn.read(buf);
        const head = new TextDecoder().decode(buf.subarray(0, n ?? 0));
        assert.match(head, /^HTTP\/1\.1 101 /, head);
      } finally {
        conn.close();
      }
    });
  } finally {
    const logs = await compose("logs", "--tail", "20").catch(() => undefined);
    await compose("down", "-v", "-t", "30").catch(() => {});
    await run(["docker", "rmi", IMAGE], { allowFail: true });
    if (logs && Deno.env.get("DEPLOY_SMOKE_VERBOSE")) console.log(logs.out);
  }
});
