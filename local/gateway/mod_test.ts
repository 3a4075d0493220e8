import assert from "node:assert/strict";
import { clientAddress, createGateway } from "./mod.ts";
import { WEB_DIR } from "../paths.ts";

const echo = (req: Request) =>
  Response.json({
    method: req.method,
    path: new URL(req.url).pathname,
    q: new URL(req.url).search,
  });

Deno.test("the gateway hands /functions/v1/<name>/… to the function as /<name>/…", async () => {
  const gw = createGateway({ functions: { api: echo }, webRoot: WEB_DIR });
  const res = await gw.request("/functions/v1/api/health?x=1", { method: "POST" });
  assert.deepEqual(await res.json(), { method: "POST", path: "/api/health", q: "?x=1" });
  const bare = await gw.request("/functions/v1/api");
  assert.deepEqual((await bare.json()).path, "/api");
});

Deno.test("the gateway answers an unknown function as the edge runtime does", async () => {
  const gw = createGateway({ functions: { api: echo }, webRoot: WEB_DIR });
  const res = await gw.request("/functions/v1/other/x");
  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), {
    code: "NOT_FOUND",
    message: "Requested function was not found",
  });
});

Deno.test("the gateway serves the web client at / with its security headers and config, and 404s unknown paths as JSON", async () => {
  const root = await Deno.makeTempDir({ prefix: "webroot-" });
  try {
    await Deno.writeTextFile(`${root}/index.html`, "<!doctype html><title>Chat</title>");
    await Deno.writeTextFile(`${root}/app.0123456789.js`, "console.log(1)");
    const gw = createGateway({
      functions: {},
      webRoot: root,
      webConfig: { supabaseUrl: "http://127.0.0.1:54321", anonKey: "anon" },
    });
    const page = await gw.request("http://127.0.0.1:54321/");
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await page.text(), /<title>Chat<\/title>/);
    const csp = page.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self';/);
    assert.match(csp, /connect-src 'self' ws:\/\/127\.0\.0\.1:54321/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe/);
    assert.equal(page.headers.get("x-content-type-options"), "nosniff");
    assert.equal(page.headers.get("cache-control"), "no-cache");
    const js = await gw.request("/app.0123456789.js");
    assert.match(js.headers.get("cache-control") ?? "", /immutable/);
    await js.body?.cancel();
    assert.deepEqual(await (await gw.request("/config.json")).json(), {
      supabaseUrl: "http://127.0.0.1:54321",
      anonKey: "anon",
    });
    const missing = await gw.request("/no/such/file.js");
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error.code, "not_found");
    const escape = await gw.request("/../deno.json");
    assert.equal(escape.status, 404, "no file outside the web root is served");
    await escape.body?.cancel();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("without a built client the gateway says how to build it", async () => {
  const gw = createGateway({ functions: {}, webRoot: "/nonexistent-web-root" });
  const page = await gw.request("/");
  assert.equal(page.status, 503);
  assert.match(await page.text(), /deno task build/);
});

Deno.test("the gateway tells functions the client's real address, not one the client claims", async () => {
  const gw = createGateway({
    functions: { api: (req) => Response.json({ ip: req.headers.get("x-forwarded-for") }) },
    webRoot: WEB_DIR,
  });
  const res = await gw.fetch(
    new Request("http://x/functions/v1/api/x", { headers: { "x-forwarded-for": "203.0.113.9" } }),
    { remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 5555 } },
  );
  assert.deepEqual(await res.json(), { ip: "127.0.0.1" });
});

Deno.test("behind a trusted proxy the client's address comes from X-Forwarded-For, and only then", async () => {
  const gw = createGateway({
    functions: { api: (req) => Response.json({ ip: req.headers.get("x-forwarded-for") }) },
    webRoot: WEB_DIR,
    trustedProxies: ["127.0.0.1"],
  });
  const via = async (peer: string, xff: string) => {
    const res = await gw.fetch(
      new Request("http://x/functions/v1/api/x", { headers: { "x-forwarded-for": xff } }),
      { remoteAddr: { transport: "tcp", hostname: peer, port: 5555 } },
    );
    return await res.json();
  };
  // Caddy appends the address it saw; what the client wrote before it is not believed.
  assert.deepEqual(await via("127.0.0.1", "6.6.6.6, 198.51.100.7"), { ip: "198.51.100.7" });
  // Anyone else cannot choose their address.
  assert.deepEqual(await via("203.0.113.9", "198.51.100.7"), { ip: "203.0.113.9" });
  assert.equal(clientAddress("127.0.0.1", "127.0.0.1", ["127.0.0.1"]), "127.0.0.1");
  assert.equal(clientAddress("127.0.0.1", undefined, ["127.0.0.1"]), "127.0.0.1");
});
