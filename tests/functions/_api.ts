/**
 * The API function through `app.request()` for the tests in this folder: a database of its own
 * with the seed, the seed's people, tokens for them, and a caller per person.
 */
import { join } from "node:path";
import { SignJWT } from "jose";
import { createApp } from "../../functions/api/app.ts";
import { Metrics } from "../../functions/_shared/metrics.ts";
import { connectDb } from "../../functions/_shared/db.ts";
import { applySeed } from "../../local/db/mod.ts";
import { SUPABASE_DIR } from "../../local/paths.ts";
import { testDatabase } from "../_helpers/db.ts";

export const SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
export const USERS = {
  alice: "a11ce000-0000-4000-8000-000000000001",
  bob: "b0b00000-0000-4000-8000-000000000002",
  carol: "ca201000-0000-4000-8000-000000000003",
} as const;
export const GENERAL = "c0000000-0000-4000-8000-0000000000a1";
export const MODERATORS = "c0000000-0000-4000-8000-0000000000a3";

export const tokenFor = (sub: string, exp = Math.floor(Date.now() / 1000) + 3600) =>
  new SignJWT({ sub, role: "authenticated", aud: "authenticated", session_id: crypto.randomUUID() })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" }).setExpirationTime(exp).sign(
      new TextEncoder().encode(SECRET),
    );

export async function setup() {
  const db = await testDatabase();
  await applySeed(db.sql, [join(SUPABASE_DIR, "seed.sql")]);
  const kv = await Deno.openKv(":memory:");
  const sql = connectDb(db.url, 4);
  const metrics = new Metrics();
  const app = createApp({
    sql,
    kv,
    jwtSecret: SECRET,
    log: () => {},
    allowedOrigins: ["https://chat.example"],
    metrics,
    metricsToken: "tok",
  });
  const as = async (who: keyof typeof USERS) => {
    const token = await tokenFor(USERS[who]);
    return (path: string, init: RequestInit & { json?: unknown } = {}) =>
      app.request(`/api${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          // Each test user behind an address of their own (documentation range), as the gateway says.
          "x-forwarded-for": `198.51.100.${Object.keys(USERS).indexOf(who) + 1}`,
          ...(init.headers ?? {}),
        },
        ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
      });
  };
  return {
    app,
    db,
    as: async (who: keyof typeof USERS) => {
      const call = await as(who);
      return (path: string, init: RequestInit & { json?: unknown } = {}) =>
        Promise.resolve(call(path, init));
    },
    async [Symbol.asyncDispose]() {
      kv.close();
      await sql.end();
      await db[Symbol.asyncDispose]();
    },
  };
}
