/**
 * Invites and admin links, as supabase/auth `invite.go` and `mail.go` (adminGenerateLink) do
 * them, both for the service_role key only:
 * - POST /invite (`auth.admin.inviteUserByEmail`) creates the user without a password (or
 *   takes an unconfirmed one), sets `invited_at` and mails the invite; following its link, or
 *   `verifyOtp({ type: 'invite' })`, confirms and signs in, and the app then asks for a password
 *   (`updateUser({ password })`).
 * - POST /admin/generate_link (`auth.admin.generateLink`) makes the link and code of a signup,
 *   invite, magiclink, recovery or email_change_current/new mail and returns them with the
 *   user instead of sending anything.
 */
import { type Context, Hono } from "hono";
import type postgres from "postgres";
import { AuthError, badRequest, unprocessable } from "./errors.ts";
import { checkPassword } from "./password.ts";
import { renderMail } from "./mail.ts";
import { actionLink, type IssuedToken, newEmailToken, storeEmailToken } from "./email_tokens.ts";
import { assertEmailFree } from "./email_change.ts";
import { redirectTarget } from "./flows.ts";
import {
  type AuthCtx,
  bearerClaims,
  clientIp,
  readJson,
  sha224Hex,
  str,
  validEmail,
} from "./context.ts";
import {
  createEmailUser,
  findUserByEmail,
  identitiesOf,
  type Tx,
  userJson,
  type UserRow,
} from "./users.ts";

const DUPLICATE = "A user with this email address has already been registered";

async function requireAdmin(ctx: AuthCtx, c: Context): Promise<void> {
  const claims = await bearerClaims(c, ctx.cfg);
  if (claims.role !== "service_role" && claims.role !== "supabase_admin") {
    throw new AuthError(403, "not_admin", "User not allowed");
  }
}

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? v as Record<string, unknown> : {};

/** The User JSON with `invited_at`, which invited users carry. */
async function inviteeJson(tx: Tx, userId: string) {
  const [u] = await tx<(UserRow & { invited_at: Date | null })[]>`
    select * from auth.users where id = ${userId}`;
  const json = userJson(u!, await identitiesOf(tx, userId));
  return { ...json, ...(u!.invited_at ? { invited_at: u!.invited_at.toISOString() } : {}) };
}

/** A new user as GoTrue's signupNewUser makes it; a refusing trigger is its 500. */
async function newUser(
  tx: Tx,
  email: string,
  password: string | undefined,
  data: Record<string, unknown>,
): Promise<UserRow> {
  try {
    return await createEmailUser(tx, { email, password, data, confirmed: false });
  } catch (e) {
    const pe = e as { code?: string; message?: string };
    if (pe.code && /^(23|P0)/.test(pe.code)) {
      throw new AuthError(500, "unexpected_failure", "Database error saving new user", {
        ...(pe.message ? { detail: pe.message } : {}),
      });
    }
    throw e;
  }
}

/** An invitee: the unconfirmed user with `email`, or a new one without a password. */
async function invitee(
  tx: Tx,
  email: string,
  data: Record<string, unknown>,
): Promise<UserRow> {
  const user = await findUserByEmail(tx, email);
  if (user?.email_confirmed_at) throw unprocessable("email_exists", DUPLICATE);
  return user ?? await newUser(tx, email, undefined, data);
}

async function markInvited(tx: Tx, user: UserRow, t: IssuedToken): Promise<void> {
  await storeEmailToken(tx, user, "confirmation", t.token);
  await tx`update auth.users set invited_at = now() where id = ${user.id}`;
}

type LinkType =
  | "signup"
  | "invite"
  | "magiclink"
  | "recovery"
  | "email_change_current"
  | "email_change_new";
const LINK_TYPES: readonly string[] = [
  "signup",
  "invite",
  "magiclink",
  "recovery",
  "email_change_current",
  "email_change_new",
];

export function inviteRoutes(ctx: AuthCtx) {
  const app = new Hono();

  app.post("/invite", async (c) => {
    await requireAdmin(ctx, c);
    const body = await readJson(c);
    const email = validEmail(str(body.email));
    const redirect = redirectTarget(ctx, c.req.query("redirect_to") ?? str(body.redirect_to));
    const json = await ctx.sql.begin(async (tx) => {
      const user = await invitee(tx, email, obj(body.data));
      // No max_frequency for invites (GoTrue's sendInvite has none); the hourly caps apply.
      ctx.mail.admit({
        kind: "invite",
        address: email,
        client: clientIp(c),
        lastSentAt: null,
        send: true,
      });
      const t = await newEmailToken(ctx, email);
      await markInvited(tx, user, t);
      const mail = await renderMail(ctx.cfg, "invite", email, {
        ConfirmationURL: actionLink(ctx, t.token, "invite", redirect),
        Token: t.otp,
        TokenHash: t.token,
        RedirectTo: redirect,
        Data: user.raw_user_meta_data ?? {},
      });
      await ctx.mailer.send(mail);
      return await inviteeJson(tx, user.id);
    });
    return c.json(json);
  });

  app.post("/admin/generate_link", async (c) => {
    await requireAdmin(ctx, c);
    const body = await readJson(c);
    const email = validEmail(str(body.email));
    const redirect = redirectTarget(ctx, c.req.query("redirect_to") ?? str(body.redirect_to));
    let type = str(body.type) ?? "";
    const data = obj(body.data);
    const out = await ctx.sql.begin(async (tx) => {
      let user = await findUserByEmail(tx, email);
      let password = str(body.password);
      if (!user) {
        if (type === "magiclink") {
          // A magic link for nobody signs them up (GoTrue: type becomes signup).
          type = "signup";
          password = crypto.randomUUID() + crypto.randomUUID();
        } else if (
          type === "recovery" || type === "email_change_current" || type === "email_change_new"
        ) {
          throw new AuthError(404, "user_not_found", "User with this email not found");
        }
      }
      if (!LINK_TYPES.includes(type)) {
        throw badRequest("validation_failed", `Invalid email action link type requested: ${type}`);
      }
      const t = await newEmailToken(ctx, email);
      let linkToken = t.token;
      let verifyType = type;
      switch (type as LinkType) {
        case "magiclink":
        case "recovery":
          await storeEmailToken(tx, user!, "recovery", t.token);
          break;
        case "invite":
          user = await invitee(tx, email, data);
          await markInvited(tx, user, t);
          break;
        case "signup":
          if (user?.email_confirmed_at) throw unprocessable("email_exists", DUPLICATE);
          if (user) {
            await tx`update auth.users set raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb)
                       || ${tx.json(data as postgres.JSONValue)} where id = ${user.id}`;
          } else {
            if (!password) {
              throw badRequest("validation_failed", "Signup requires a valid password");
            }
            checkPassword(password, ctx.cfg.password);
            user = await newUser(tx, email, password, data);
          }
          await storeEmailToken(tx, user, "confirmation", t.token);
          break;
        case "email_change_current":
        case "email_change_new": {
          if (type === "email_change_current" && !ctx.cfg.doubleConfirmChanges) {
            throw badRequest(
              "validation_failed",
              "Enable secure email change to generate link for current email",
            );
          }
          const newEmail = validEmail(str(body.new_email));
          await assertEmailFree(tx, newEmail, user!.id);
          // The current address's token hashes the current address; the new one's, the new.
          if (type === "email_change_new") linkToken = await sha224Hex(newEmail + t.otp);
          const column = type === "email_change_new"
            ? tx`email_change_token_new`
            : tx`email_change_token_current`;
          await tx`update auth.users set email_change = ${newEmail}, ${column} = ${linkToken},
                     email_change_sent_at = now(), email_change_confirm_status = 0,
                     updated_at = now() where id = ${user!.id}`;
          const tokenType = type === "email_change_new"
            ? "email_change_token_new"
            : "email_change_token_current";
          await tx`delete from auth.one_time_tokens where user_id = ${user!.id}
                     and token_type = ${tokenType}::auth.one_time_token_type`;
          await tx`
            insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to, created_at, updated_at)
            values (${crypto.randomUUID()}, ${user!.id}, ${tokenType}::auth.one_time_token_type,
              ${linkToken}, ${type === "email_change_new" ? newEmail : email}, now(), now())`;
          verifyType = "email_change";
          break;
        }
      }
      return {
        user: await inviteeJson(tx, user!.id),
        // GoTrue returns the hash of the given address and code for every type (for
        // email_change_new, too, though that link carries the new address's hash).
        properties: {
          action_link: actionLink(ctx, linkToken, verifyType, redirect),
          email_otp: t.otp,
          hashed_token: t.hash,
          redirect_to: redirect,
          verification_type: type,
        },
      };
    });
    return c.json({ ...out.user, ...out.properties });
  });

  return app;
}
