/**
 * The admin API (service_role key): list, create, read, update and delete users
 * (supabase/auth `admin.go`). `ban_duration` ("24h", "876000h", "none") bans and unbans.
 */
import { type Context, Hono } from "hono";
import type postgres from "postgres";
import { AuthError, badRequest, unprocessable } from "./errors.ts";
import { checkPassword } from "./password.ts";
import { paginate } from "./pagination.ts";
import { type AuthCtx, bearerClaims, readJson, record, str, validEmail } from "./context.ts";
import { goDurationMs } from "./config.ts";
import { adminFactorRoutes } from "./mfa_admin.ts";
import {
  createEmailUser,
  findUserByEmail,
  findUserById,
  identitiesOf,
  userJson,
  type UserRow,
} from "./users.ts";

/** GoTrue's requireAdmin: a service_role (or supabase_admin) token, else 403 `not_admin`. */
export async function requireAdmin(ctx: AuthCtx, c: Context): Promise<void> {
  const claims = await bearerClaims(c, ctx.cfg);
  if (claims.role !== "service_role" && claims.role !== "supabase_admin") {
    throw new AuthError(403, "not_admin", "User not allowed");
  }
}

/** ban_duration as GoTrue accepts it: a Go duration ("24h", "1h30m") or "none" to unban. */
export function parseBanDuration(v: string): number | null {
  if (v === "none") return null;
  try {
    return goDurationMs(v);
  } catch {
    throw badRequest("validation_failed", `invalid format for ban duration: ${v}`);
  }
}

export function adminRoutes(ctx: AuthCtx) {
  const app = new Hono();
  app.use("/admin/*", async (c, next) => {
    await requireAdmin(ctx, c);
    await next();
  });

  app.get("/admin/users", async (c) => {
    const { page, perPage } = paginate({
      page: c.req.query("page"),
      per_page: c.req.query("per_page"),
    });
    const [{ total }] = await ctx.sql<
      [{ total: number }]
    >`select count(*)::int as total from auth.users`;
    const rows = await ctx.sql<UserRow[]>`
      select * from auth.users order by created_at desc, id limit ${perPage} offset ${
      (page - 1) * perPage
    }`;
    const users = [];
    for (const u of rows) users.push(userJson(u, await identitiesOf(ctx.sql, u.id)));
    const last = Math.max(1, Math.ceil(total / perPage));
    const base = new URL(c.req.url);
    const link = (p: number, rel: string) => {
      base.searchParams.set("page", String(p));
      base.searchParams.set("per_page", String(perPage));
      return `<${base.pathname}${base.search}>; rel="${rel}"`;
    };
    const links = [...(page < last ? [link(page + 1, "next")] : []), link(last, "last")];
    c.header("x-total-count", String(total));
    c.header("link", links.join(", "));
    return c.json({ users, aud: "authenticated" });
  });

  app.post("/admin/users", async (c) => {
    const body = await readJson(c);
    const email = validEmail(str(body.email));
    const password = str(body.password);
    if (password) checkPassword(password, ctx.cfg.password);
    const user = await ctx.sql.begin(async (tx) => {
      if (await findUserByEmail(tx, email)) {
        throw unprocessable(
          "email_exists",
          "A user with this email address has already been registered",
        );
      }
      const u = await createEmailUser(tx, {
        email,
        password,
        data: record(body.user_metadata) ?? {},
        appMetadata: record(body.app_metadata) ?? {},
        confirmed: body.email_confirm === true,
        ...(str(body.role) ? { role: str(body.role)! } : {}),
        refusal: "Database error creating new user",
      });
      if (typeof body.ban_duration === "string") {
        const ms = parseBanDuration(body.ban_duration);
        await tx`update auth.users set banned_until = ${
          ms === null ? null : new Date(Date.now() + ms)
        } where id = ${u.id}`;
      }
      const [fresh] = await tx<UserRow[]>`select * from auth.users where id = ${u.id}`;
      return fresh!;
    });
    return c.json(userJson(user, await identitiesOf(ctx.sql, user.id)));
  });

  app.get("/admin/users/:id", async (c) => {
    const user = await findUserById(ctx.sql, c.req.param("id"));
    if (!user) throw new AuthError(404, "user_not_found", "User not found");
    return c.json(userJson(user, await identitiesOf(ctx.sql, user.id)));
  });

  app.put("/admin/users/:id", async (c) => {
    const body = await readJson(c);
    const updated = await ctx.sql.begin(async (tx) => {
      const user = await findUserById(tx, c.req.param("id"));
      if (!user) throw new AuthError(404, "user_not_found", "User not found");
      if (body.email !== undefined) {
        const email = validEmail(str(body.email));
        const other = await findUserByEmail(tx, email);
        if (other && other.id !== user.id) {
          throw unprocessable(
            "email_exists",
            "A user with this email address has already been registered",
          );
        }
        await tx`update auth.users set email = ${email} where id = ${user.id}`;
      }
      const password = str(body.password);
      if (password !== undefined) {
        checkPassword(password, ctx.cfg.password);
        await tx`update auth.users set encrypted_password = extensions.crypt(${password}, extensions.gen_salt('bf', 10)) where id = ${user.id}`;
      }
      if (body.email_confirm === true) {
        await tx`update auth.users set email_confirmed_at = coalesce(email_confirmed_at, now()) where id = ${user.id}`;
      }
      const meta = record(body.user_metadata);
      if (meta) {
        await tx`update auth.users set raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || ${
          tx.json(meta as postgres.JSONValue)
        } where id = ${user.id}`;
      }
      const app = record(body.app_metadata);
      if (app) {
        await tx`update auth.users set raw_app_meta_data = coalesce(raw_app_meta_data, '{}'::jsonb) || ${
          tx.json(app as postgres.JSONValue)
        } where id = ${user.id}`;
      }
      if (typeof body.ban_duration === "string") {
        const ms = parseBanDuration(body.ban_duration);
        await tx`update auth.users set banned_until = ${
          ms === null ? null : new Date(Date.now() + ms)
        } where id = ${user.id}`;
        // A ban ends the user's sessions at once (their refresh tokens stop working).
        if (ms !== null) await tx`delete from auth.sessions where user_id = ${user.id}`;
      }
      const [u] = await tx<
        UserRow[]
      >`update auth.users set updated_at = now() where id = ${user.id} returning *`;
      return u!;
    });
    return c.json(userJson(updated, await identitiesOf(ctx.sql, updated.id)));
  });

  app.delete("/admin/users/:id", async (c) => {
    const body = await readJson(c);
    const user = await findUserById(ctx.sql, c.req.param("id"));
    if (!user) throw new AuthError(404, "user_not_found", "User not found");
    if (body.should_soft_delete === true) {
      await ctx.sql.begin(async (tx) => {
        await tx`delete from auth.sessions where user_id = ${user.id}`;
        await tx`update auth.users set deleted_at = now(), email = null, encrypted_password = '',
                   raw_user_meta_data = '{}', updated_at = now() where id = ${user.id}`;
      });
    } else {
      await ctx.sql`delete from auth.users where id = ${user.id}`;
    }
    return c.json({});
  });

  app.route("/", adminFactorRoutes(ctx));

  return app;
}
