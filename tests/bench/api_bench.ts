/**
 * The API's write path, side by side in one run on one database:
 *   - messages through the full pipeline (JWT, rate limit on Deno KV, zod, moderation, insert as
 *     chat_api with RLS, the message view) vs a bare INSERT of the same row;
 *   - a thumbnail of a 12-megapixel JPEG: imagescript (WASM decode + JS/native encode) vs sharp.
 */
import { join } from "node:path";
import postgres from "postgres";
import { SignJWT } from "jose";
import { Image } from "imagescript";
import { createApp } from "../../functions/api/app.ts";
import { connectDb } from "../../functions/_shared/db.ts";
import { kvRateLimiter } from "../../functions/_shared/rate_limit.ts";
import { thumbnail } from "../../functions/_shared/media.ts";
import { applySeed, databaseUrl } from "../../local/db/mod.ts";
import { SUPABASE_DIR } from "../../local/paths.ts";
import { measure, row } from "./_stats.ts";

const SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
const GENERAL = "c0000000-0000-4000-8000-0000000000a1";
const CAROL = "ca201000-0000-4000-8000-000000000003";
const N = Number(Deno.env.get("BENCH_API_MESSAGES") ?? 300);

export default async function bench(adminUrl: string, template: string): Promise<string[]> {
  const name = "bench_api";
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name} template ${template} owner postgres`);
  await admin.end();
  const url = new URL(databaseUrl(adminUrl, name));
  url.username = "postgres";
  url.password = "postgres";
  const sql = connectDb(url.toString(), 4);
  const kv = await Deno.openKv(":memory:");
  const lines: string[] = [];
  try {
    await applySeed(sql, [join(SUPABASE_DIR, "seed.sql")]);
    // The real limiter on KV, with a budget the benchmark cannot exhaust.
    const kvLimiter = kvRateLimiter(kv);
    const app = createApp({
      sql,
      kv,
      jwtSecret: SECRET,
      log: () => {},
      limiter: {
        backend: "kv",
        take: (buckets, now) =>
          kvLimiter.take(
            buckets.map(({ key }) => ({ key, rule: { capacity: 1e9, refillPerSec: 1e9 } })),
            now,
          ),
      },
    });
    const token = await new SignJWT({ sub: CAROL, role: "authenticated", aud: "authenticated" })
      .setProtectedHeader({ alg: "HS256" }).setExpirationTime("1h").sign(
        new TextEncoder().encode(SECRET),
      );
    const pipeline = await measure(N, async (i) => {
      const res = await app.request(`/api/channels/${GENERAL}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          content: `benchmark message number ${i} with a few words`,
          client_id: `bench-${i}`,
        }),
      });
      if (res.status !== 201) throw new Error(`send ${i}: ${res.status} ${await res.text()}`);
      await res.body?.cancel();
    });
    const bare = await measure(
      N,
      (i) =>
        sql`insert into public.messages (channel_id, sender_id, content, client_id)
          values (${GENERAL}, ${CAROL}, ${`benchmark message number ${i} with a few words`}, ${`bare-${i}`})`,
    );
    const perSec = (s: { mean: number }) => (1000 / s.mean).toFixed(0);
    lines.push(`${N} messages each, one at a time`);
    lines.push(row("bare INSERT of the row (triggers included)", bare));
    lines.push(`${row("full API pipeline (POST /channels/:id/messages)", pipeline, bare)}`);
    lines.push(
      `  messages/s: bare ${perSec(bare)}, pipeline ${perSec(pipeline)}; p99 bare ${
        bare.p99.toFixed(2)
      } ms, pipeline ${pipeline.p99.toFixed(2)} ms`,
    );

    const big = new Image(4000, 3000);
    big.fill((x: number, y: number) =>
      ((x * 7 + y * 3) & 0xff) << 24 | ((x ^ y) & 0xff) << 16 | (y & 0xff) << 8 | 0xff
    );
    const jpeg = await big.encodeJPEG(85);
    const wasm = await measure(3, () => thumbnail(jpeg, "image/jpeg", { native: false }));
    const native = await measure(3, () => thumbnail(jpeg, "image/jpeg"));
    lines.push("", `thumbnail of a 12 MP JPEG (${(jpeg.length / 1e6).toFixed(1)} MB) to 320 px`);
    lines.push(row("imagescript, WASM decode + JS PNG encode", wasm));
    lines.push(row("imagescript, WASM decode + native JPEG encode", native, wasm));
    try {
      const sharp = (await import("sharp")).default;
      sharp.concurrency(1);
      const s = await measure(
        3,
        () =>
          sharp(jpeg).rotate().resize(320, 320, { fit: "inside" }).jpeg({ quality: 80 }).toBuffer(),
      );
      lines.push(row("sharp (libvips), for comparison", s, wasm));
    } catch (e) {
      lines.push(`sharp did not load here: ${(e as Error).message}`);
    }
  } finally {
    kv.close();
    await sql.end();
    const c = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await c.unsafe(`drop database if exists ${name} with (force)`);
    await c.end();
  }
  return lines;
}
