/**
 * Signed URLs: `createSignedUrl(s)` (a JWT naming `<bucket>/<name>`, at most 7 days) and
 * `createSignedUploadUrl` (the upload then runs as the signer, under the same policies).
 */
import { type Context, Hono } from "hono";
import { jwtVerify, SignJWT } from "jose";
import type { Claims, StorageCtx } from "./context.ts";
import { upload } from "./upload.ts";
import { denied, invalid, notFound, StorageError } from "./errors.ts";

class Rollback extends Error {}

export function signedRoutes(ctx: StorageCtx) {
  const { key, claimsOf, asCaller, bucketOf, objectPath, findAs, findUnchecked, serve } = ctx;
  const app = new Hono();

  app.post("/object/sign/:bucket", async (c) => {
    const claims = await claimsOf(c);
    const body = await c.req.json().catch(() => ({})) as { expiresIn?: number; paths?: string[] };
    const bucket = c.req.param("bucket");
    if (!Array.isArray(body.paths) || !(Number(body.expiresIn) > 0)) {
      throw invalid("paths and expiresIn are required");
    }
    const out = [];
    for (const path of body.paths) {
      const row = await findAs(claims, bucket, path);
      out.push(
        row
          ? { error: null, path, signedURL: await signedUrl(bucket, path, Number(body.expiresIn)) }
          : {
            error: "Either the object does not exist or you do not have access to it",
            path,
            signedURL: null,
          },
      );
    }
    return c.json(out);
  });

  /** At most 7 days: a signed URL must not outlive the signer's access for long. */
  const MAX_EXPIRY = 7 * 24 * 3600;

  async function signedUrl(
    bucket: string,
    name: string,
    expiresIn: number,
    upload?: { role: string; sub: string | undefined; upsert: boolean },
  ) {
    const token = await new SignJWT({
      url: `${bucket}/${name}`,
      // An upload URL carries its signer: the upload runs as them, under the same policies.
      ...(upload
        ? { upload: true, signer: { role: upload.role, sub: upload.sub }, upsert: upload.upsert }
        : {}),
    })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" }).setIssuedAt().setExpirationTime(
        Math.floor(Date.now() / 1000) + Math.min(expiresIn, MAX_EXPIRY),
      )
      .sign(key);
    const encoded = name.split("/").map(encodeURIComponent).join("/");
    return `/object/${upload ? "upload/sign" : "sign"}/${bucket}/${encoded}?token=${token}`;
  }

  async function checkSigned(c: Context, bucket: string, name: string, upload: boolean) {
    try {
      const { payload } = await jwtVerify(c.req.query("token") ?? "", key, {
        algorithms: ["HS256"],
      });
      if (payload.url !== `${bucket}/${name}` || Boolean(payload.upload) !== upload) {
        throw new Error("url");
      }
      return payload;
    } catch (e) {
      const expired = (e as { code?: string }).code === "ERR_JWT_EXPIRED";
      throw new StorageError(
        400,
        "InvalidJWT",
        "InvalidJWT",
        expired ? "jwt expired" : "invalid signature",
      );
    }
  }

  app.post("/object/sign/*", async (c) => {
    const claims = await claimsOf(c);
    const { bucket, name } = objectPath(c, "/object/sign/");
    const body = await c.req.json().catch(() => ({})) as { expiresIn?: number };
    if (!(Number(body.expiresIn) > 0)) throw invalid("expiresIn must be a positive number");
    if (!(await findAs(claims, bucket, name))) throw notFound();
    return c.json({ signedURL: await signedUrl(bucket, name, Number(body.expiresIn)) });
  });
  app.get("/object/sign/*", async (c) => {
    const { bucket, name } = objectPath(c, "/object/sign/");
    await checkSigned(c, bucket, name, false);
    return await serve(c, bucket, name, await findUnchecked(bucket, name));
  });

  app.post("/object/upload/sign/*", async (c) => {
    const claims = await claimsOf(c);
    const { bucket, name } = objectPath(c, "/object/upload/sign/");
    await bucketOf(bucket);
    const upsert = c.req.header("x-upsert") === "true";
    // Only someone who may create the object (under its policies) gets a URL to do it.
    const allowed = await asCaller(claims, async (tx) => {
      try {
        await tx.savepoint((sp) =>
          sp`insert into storage.objects (bucket_id, name, owner_id, metadata) values (${bucket}, ${name}, ${
            claims.sub ?? null
          }, '{}') on conflict (bucket_id, name) do nothing`.then(() => {
            throw new Rollback();
          })
        );
      } catch (e) {
        if (e instanceof Rollback) return true;
        if ((e as { code?: string }).code === "42501") return false;
        throw e;
      }
      return true;
    });
    if (!allowed) throw denied();
    const url = await signedUrl(bucket, name, 2 * 3600, {
      role: claims.role,
      sub: claims.sub,
      upsert,
    });
    return c.json({ url, token: new URL(url, "http://x").searchParams.get("token") });
  });
  app.put("/object/upload/sign/*", async (c) => {
    const { bucket, name } = objectPath(c, "/object/upload/sign/");
    const payload = await checkSigned(c, bucket, name, true);
    const signer = payload.signer as { role?: string; sub?: string } | undefined;
    if (!signer?.role) throw new StorageError(400, "InvalidJWT", "InvalidJWT", "invalid signature");
    const claims: Claims = { role: signer.role, ...(signer.sub ? { sub: signer.sub } : {}) };
    // Written as the signer, so the storage policies judge it exactly as a direct upload;
    // upsert only if it was asked for when signing.
    return await upload(ctx, c, "create", claims, { bucket, name }, payload.upsert === true);
  });

  return app;
}
