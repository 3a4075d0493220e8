/**
 * Asymmetric JWT signing keys through supabase-js: `[auth] signing_keys_path` (keys generated
 * here with jose, in the format `supabase gen signing-key` writes), user tokens signed with the
 * first key and its `kid`, `/auth/v1/.well-known/jwks.json` with the public halves only,
 * `getClaims()` verifying locally, and the API, Realtime and Storage accepting the tokens while
 * the legacy HS256 keys keep working. Without the setting, HS256 as before.
 */
import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import { decodeProtectedHeader, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { startTestStack, type TestStack } from "../_helpers/stack.ts";
import { DEMO_PASSWORD } from "../_helpers/signed_in.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1"; // seed: alice, bob, carol, dave
const ALICE = "a11ce000-0000-4000-8000-000000000001";
const PRIVATE_PARTS = ["d", "p", "q", "dp", "dq", "qi", "k"];

/** A private key as `supabase gen signing-key` writes it, and the key to sign with. */
async function signingKey(alg: "ES256" | "RS256", ops = ["sign", "verify"]) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk: JWK = {
    ...(await exportJWK(privateKey)),
    kid: crypto.randomUUID(),
    use: "sig",
    key_ops: ops,
    alg,
    ext: true,
  };
  return { jwk, privateKey };
}

/** A stack whose Auth signs with `keys[0]` (written to a temporary signing_keys_path). */
async function stackWithKeys(keys: JWK[]): Promise<TestStack> {
  const file = await Deno.makeTempFile({ prefix: "signing-keys-", suffix: ".json" });
  await Deno.writeTextFile(file, JSON.stringify(keys));
  try {
    return await startTestStack((toml) => {
      toml.auth!.signing_keys_path = file;
    });
  } finally {
    await Deno.remove(file);
  }
}

/** A supabase-js client whose requests are counted by path. */
function countingClient(stack: TestStack) {
  const calls: string[] = [];
  const client = createClient(stack.url, stack.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: {
      fetch: (input, init) => {
        calls.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
        return fetch(input, init);
      },
    },
  });
  return { client, calls };
}

async function jwks(stack: TestStack): Promise<{ keys: JWK[] }> {
  const res = await fetch(`${stack.url}/auth/v1/.well-known/jwks.json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("cache-control") ?? "", /max-age=600/);
  return await res.json();
}

const apiMe = (stack: TestStack, token: string) =>
  fetch(`${stack.url}/functions/v1/api/me`, { headers: { authorization: `Bearer ${token}` } })
    .then(async (r) => ({ status: r.status, body: await r.json() }));

Deno.test("without signing_keys_path: HS256 user tokens, an empty JWKS, getClaims asks Auth", async () => {
  await using stack = await startTestStack();
  const { client, calls } = countingClient(stack);
  const { data, error } = await client.auth.signInWithPassword({
    email: "alice@example.com",
    password: DEMO_PASSWORD,
  });
  assert.equal(error, null);
  for (const k of (await jwks(stack)).keys) {
    for (const part of PRIVATE_PARTS) assert.equal(part in k, false, "no private part is listed");
  }
  const claims = await client.auth.getClaims();
  assert.equal(claims.error, null);
  assert.equal(claims.data?.claims.sub, data.user!.id);
  if (!stack.local) return;
  assert.deepEqual(await jwks(stack), { keys: [] }, "an HMAC secret is never published");
  const header = decodeProtectedHeader(data.session!.access_token);
  assert.deepEqual(header, { alg: "HS256", typ: "JWT" });
  assert.ok(calls.includes("/auth/v1/user"), "an HS256 token is checked by Auth (GET /user)");
});

Deno.test("ES256 signing key: kid header, public JWKS, local getClaims, API/Realtime/Storage accept it", async () => {
  const es = await signingKey("ES256");
  const older = await signingKey("RS256", ["verify"]); // a previous key, still trusted
  await using stack = await stackWithKeys([es.jwk, older.jwk]);
  if (!stack.local) return;
  const { client, calls } = countingClient(stack);
  const { data, error } = await client.auth.signInWithPassword({
    email: "alice@example.com",
    password: DEMO_PASSWORD,
  });
  assert.equal(error, null);
  const token = data.session!.access_token;
  assert.deepEqual(decodeProtectedHeader(token), { alg: "ES256", kid: es.jwk.kid, typ: "JWT" });

  // The JWKS: both public keys, verify-only, without private parts.
  const { keys } = await jwks(stack);
  assert.deepEqual(keys.map((k) => [k.kid, k.alg, k.kty]), [
    [es.jwk.kid, "ES256", "EC"],
    [older.jwk.kid, "RS256", "RSA"],
  ]);
  for (const k of keys) {
    assert.deepEqual(k.key_ops, ["verify"]);
    assert.equal(k.use, "sig");
    for (const part of PRIVATE_PARTS) assert.equal(part in k, false, `no "${part}" in the JWKS`);
  }

  // getClaims verifies with the JWKS, without asking Auth for the user.
  calls.length = 0;
  const first = await client.auth.getClaims();
  assert.equal(first.error, null);
  assert.equal(first.data?.claims.sub, ALICE);
  assert.equal(first.data?.header.kid, es.jwk.kid);
  assert.deepEqual(calls, ["/auth/v1/.well-known/jwks.json"]);
  calls.length = 0;
  assert.equal((await client.auth.getClaims()).error, null);
  assert.deepEqual(calls, [], "the JWKS is cached");
  const tampered = `${token.slice(0, -6)}AAAAAA`;
  assert.ok((await client.auth.getClaims(tampered)).error, "a bad signature is refused");

  // Auth itself, the API, Storage and Realtime accept the ES256 token.
  assert.equal((await client.auth.getUser()).data.user?.id, ALICE);
  const me = await apiMe(stack, token);
  assert.equal(me.status, 200, JSON.stringify(me.body));
  const up = await client.storage.from("attachments").upload(
    `${GENERAL}/${ALICE}/signed.txt`,
    "signed with ES256",
    { contentType: "text/plain" },
  );
  assert.equal(up.error, null);
  client.realtime.setAuth(token);
  const joined = await new Promise<string>((resolve) => {
    client.channel(`typing:${GENERAL}`, { config: { private: true } }).subscribe((s, err) => {
      if (s !== "SUBSCRIBED" && s !== "CHANNEL_ERROR" && s !== "TIMED_OUT") return;
      resolve(err ? `${s}: ${err.message}` : s);
    });
  });
  assert.equal(joined, "SUBSCRIBED", "RLS authorizes the ES256 token's user");
  await client.removeAllChannels();
  client.realtime.disconnect();

  // A token from the previous (verify-only) key is still accepted; an unknown kid is not.
  const claims = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
  const byOlder = await new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: older.jwk.kid!, typ: "JWT" })
    .sign(older.privateKey);
  assert.equal((await apiMe(stack, byOlder)).status, 200);
  const stranger = await signingKey("ES256");
  const forged = await new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: stranger.jwk.kid!, typ: "JWT" })
    .sign(stranger.privateKey);
  assert.equal((await apiMe(stack, forged)).status, 401);
  const forgedUpload = await fetch(
    `${stack.url}/storage/v1/object/attachments/${GENERAL}/${ALICE}/forged.txt`,
    {
      method: "POST",
      headers: { apikey: stack.anonKey, authorization: `Bearer ${forged}` },
      body: "x",
    },
  );
  assert.equal(forgedUpload.status, 400);
  assert.equal((await forgedUpload.json()).statusCode, "400", "Storage refuses the forged token");
  const user = await fetch(`${stack.url}/auth/v1/user`, {
    headers: { apikey: stack.anonKey, authorization: `Bearer ${forged}` },
  });
  assert.equal(user.status, 403);
  await user.body?.cancel();

  // The legacy HS256 service_role key still works (admin API, Storage).
  const admin = stack.admin();
  assert.equal((await admin.auth.admin.getUserById(ALICE)).data.user?.id, ALICE);
  assert.equal((await admin.storage.from("attachments").list(`${GENERAL}/${ALICE}`)).error, null);
});

Deno.test("RS256 signing key: tokens carry its kid and getClaims verifies them locally", async () => {
  const rs = await signingKey("RS256");
  await using stack = await stackWithKeys([rs.jwk]);
  if (!stack.local) return;
  const { client, calls } = countingClient(stack);
  const { data, error } = await client.auth.signInWithPassword({
    email: "bob@example.com",
    password: DEMO_PASSWORD,
  });
  assert.equal(error, null);
  assert.deepEqual(decodeProtectedHeader(data.session!.access_token), {
    alg: "RS256",
    kid: rs.jwk.kid,
    typ: "JWT",
  });
  calls.length = 0;
  const { data: claims, error: cErr } = await client.auth.getClaims();
  assert.equal(cErr, null);
  assert.equal(claims?.claims.sub, data.user!.id);
  assert.equal(calls.includes("/auth/v1/user"), false, "verified without asking Auth");
  // A refreshed session is signed the same way.
  const refreshed = await client.auth.refreshSession();
  assert.equal(decodeProtectedHeader(refreshed.data.session!.access_token).kid, rs.jwk.kid);
  assert.equal((await apiMe(stack, refreshed.data.session!.access_token)).status, 200);
});
