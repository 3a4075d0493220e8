import assert from "node:assert/strict";
import { exportJWK, generateKeyPair, type JWK, jwtVerify, SignJWT } from "jose";
import {
  DEFAULT_JWT_SECRET,
  jwtKeys,
  parseSigningKeys,
  publicJwk,
  signApiKey,
  signingKeyOf,
} from "./keys.ts";

async function privateJwk(alg: "ES256" | "RS256", extra: Partial<JWK> = {}) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: crypto.randomUUID(), alg, ...extra };
  return { jwk, privateKey };
}

Deno.test("parseSigningKeys reads ES256 and RS256 keys, skips oct ones, and names what is wrong", async () => {
  const es = await privateJwk("ES256");
  const rs = await privateJwk("RS256");
  const oct = { kty: "oct", k: "c2VjcmV0", alg: "HS256" };
  const keys = parseSigningKeys(JSON.stringify([es.jwk, oct, rs.jwk]), "keys.json");
  assert.deepEqual(keys.map((k) => k.alg), ["ES256", "RS256"]);
  assert.throws(() => parseSigningKeys("{", "k.json"), /signing_keys_path k\.json: not JSON/);
  assert.throws(() => parseSigningKeys("{}", "k.json"), /expected a JSON array/);
  const { d: _d, ...pub } = es.jwk;
  assert.throws(() => parseSigningKeys(JSON.stringify([pub]), "k.json"), /key 0 is not/);
  const { kid: _kid, ...noKid } = es.jwk;
  assert.throws(() => parseSigningKeys(JSON.stringify([noKid]), "k.json"), /key 0 has no "kid"/);
  const mislabelled = { ...rs.jwk, alg: "ES256" };
  assert.throws(() => parseSigningKeys(JSON.stringify([mislabelled]), "k.json"), /key 0 is not/);
});

Deno.test("signingKeyOf takes the key with sign in key_ops, else the first", async () => {
  const a = (await privateJwk("ES256", { key_ops: ["verify"] })).jwk;
  const b = (await privateJwk("ES256", { key_ops: ["sign", "verify"] })).jwk;
  assert.equal(signingKeyOf([a, b]), b);
  const c = (await privateJwk("RS256")).jwk;
  assert.equal(signingKeyOf([c]), c);
  assert.equal(signingKeyOf([a]), undefined, "verify-only keys cannot sign");
  assert.equal(signingKeyOf([]), undefined);
});

Deno.test("publicJwk drops every private part and allows verify only", async () => {
  for (const alg of ["ES256", "RS256"] as const) {
    const pub = publicJwk((await privateJwk(alg, { key_ops: ["sign", "verify"] })).jwk);
    for (const part of ["d", "p", "q", "dp", "dq", "qi"]) assert.equal(part in pub, false);
    assert.deepEqual(pub.key_ops, ["verify"]);
    assert.equal(pub.use, "sig");
  }
});

Deno.test("jwtKeys verifies HS256 with the secret and asymmetric tokens by kid, nothing else", async () => {
  const es = await privateJwk("ES256");
  const rs = await privateJwk("RS256");
  const { getKey, algorithms } = jwtKeys(DEFAULT_JWT_SECRET, [es.jwk, rs.jwk]);
  assert.deepEqual(algorithms, ["HS256", "ES256", "RS256"]);
  const anon = await signApiKey("anon", DEFAULT_JWT_SECRET);
  assert.equal((await jwtVerify(anon, getKey, { algorithms })).payload.role, "anon");
  const claims = { role: "authenticated", sub: crypto.randomUUID() };
  for (const { jwk, privateKey } of [es, rs]) {
    const token = await new SignJWT(claims).setProtectedHeader({ alg: jwk.alg!, kid: jwk.kid! })
      .setExpirationTime("1m").sign(privateKey);
    assert.equal((await jwtVerify(token, getKey, { algorithms })).payload.sub, claims.sub);
  }
  const stranger = await privateJwk("ES256");
  const forged = await new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: stranger.jwk.kid }).sign(stranger.privateKey);
  await assert.rejects(jwtVerify(forged, getKey, { algorithms }), {
    code: "ERR_JWKS_NO_MATCHING_KEY",
  });
  const borrowedKid = await new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: es.jwk.kid }).sign(stranger.privateKey);
  await assert.rejects(jwtVerify(borrowedKid, getKey, { algorithms }));
  // Without signing keys only HS256 is accepted.
  const hsOnly = jwtKeys(DEFAULT_JWT_SECRET);
  assert.deepEqual(hsOnly.algorithms, ["HS256"]);
  assert.equal(jwtKeys(DEFAULT_JWT_SECRET, [es.jwk, rs.jwk]).getKey, getKey, "imported once");
});
