import assert from "node:assert/strict";
import { Hono } from "hono";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { type AuthEnv, requireUser } from "./auth.ts";

Deno.test("requireUser accepts ES256 tokens from the project's JWKS and HS256 from the secret; checks aud and role", async () => {
  const { publicKey, privateKey } = await generateKeyPair("ES256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "key-1", alg: "ES256", use: "sig" };
  const jwks = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => Response.json({ keys: [jwk] }),
  );
  const secret = "super-secret-jwt-token-with-at-least-32-characters-long";
  try {
    const app = new Hono<AuthEnv>();
    app.onError((e, c) => c.json({ error: (e as Error).message }, 401));
    app.use(
      "*",
      requireUser({
        jwtSecret: secret,
        jwksUrl: `http://127.0.0.1:${(jwks.addr as Deno.NetAddr).port}/`,
      }),
    );
    app.get("/", (c) => c.json({ sub: c.get("userId") }));
    const claims = { sub: "u1", role: "authenticated", aud: "authenticated" };
    const es = await new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: "key-1" })
      .setExpirationTime("1h").sign(privateKey);
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setExpirationTime(
      "1h",
    ).sign(new TextEncoder().encode(secret));
    const call = (t: string) => app.request("/", { headers: { authorization: `Bearer ${t}` } });
    assert.deepEqual(await (await call(es)).json(), { sub: "u1" });
    assert.deepEqual(await (await call(hs)).json(), { sub: "u1" });
    const anon = await new SignJWT({ role: "anon", aud: "authenticated" }).setProtectedHeader({
      alg: "HS256",
    }).setExpirationTime("1h")
      .sign(new TextEncoder().encode(secret));
    assert.equal((await call(anon)).status, 401, "the anon key is not a user");
    const otherAud = await new SignJWT({ ...claims, aud: "someone-else" }).setProtectedHeader({
      alg: "ES256",
      kid: "key-1",
    })
      .setExpirationTime("1h").sign(privateKey);
    assert.equal((await call(otherAud)).status, 401, "audience checked");
    const { privateKey: stranger } = await generateKeyPair("ES256");
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: "key-1" })
      .setExpirationTime("1h").sign(stranger);
    assert.equal((await call(forged)).status, 401, "a key not in the JWKS is refused");
  } finally {
    await jwks.shutdown();
  }
});
