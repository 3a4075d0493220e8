import assert from "node:assert/strict";
import { join } from "node:path";
import { loadConfig } from "../../local/config.ts";
import { startStack } from "../../local/stack.ts";
import { testDatabase } from "../_helpers/db.ts";
import { freePort } from "../_helpers/ports.ts";

Deno.test("with TLS_CERT_FILE and TLS_KEY_FILE the gateway serves https", async () => {
  await using db = await testDatabase();
  const dir = await Deno.makeTempDir({ prefix: "tls-" });
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  // A test CA and a server certificate for 127.0.0.1 signed by it.
  const openssl = async (...args: string[]) => {
    const out = await new Deno.Command("openssl", {
      args,
      cwd: dir,
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await openssl(
    "req",
    "-x509",
    ...ec,
    "-days",
    "1",
    "-subj",
    "/CN=chat test CA",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
  );
  await openssl("req", ...ec, "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", "leaf.csr");
  await Deno.writeTextFile(
    join(dir, "leaf.ext"),
    "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
  );
  await openssl(
    "x509",
    "-req",
    "-in",
    "leaf.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "1",
    "-extfile",
    "leaf.ext",
    "-out",
    cert,
  );
  const env: Record<string, string> = {
    SUPABASE_DB_URL: db.adminUrl,
    LOCAL_API_PORT: String(freePort()),
    LOCAL_DATA_DIR: dir,
    DENO_KV_PATH: ":memory:",
    TLS_CERT_FILE: cert,
    TLS_KEY_FILE: key,
  };
  const stack = await startStack(await loadConfig((n) => env[n]), { log: () => {} });
  const client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(join(dir, "ca.pem"))] });
  try {
    assert.match(stack.url, /^https:\/\//);
    const res = await fetch(`${stack.url}/functions/v1/api/health`, { client });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).status, "ok");
  } finally {
    client.close();
    await stack.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
