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
import { Hono } from "hono";
import type postgres from "postgres";
import { AuthError, badRequest, unprocessable } from "./errors.ts";
import { checkPassword } from "./password.ts";
import { requireAdmin } from "./admin.ts";
import {
  actionLink,
  newEmailToken,
  sendTokenMail,
  storeEmailToken,
  storeOneTimeToken,
} from "./email_tokens.ts";
import { assertEmailFree } from "./email_change.ts";
import { redirectTarget } from "./redirects.ts";
import { type AuthCtx, clientIp, readJson, record, sha224Hex, str, validEmail } from "./context.ts";
import {
  createEmailUser,
  findUserByEmail,
  findUserById,
  identitiesOf,
  type Tx,
  userJson,
  type UserRow,
} from "./users.ts";

const DUPLICATE = "A user with this email address has already been registered";

async function currentJson(tx: Tx, userId: string) {
  return userJson((await findUserById(tx, userId))!, await identitiesOf(tx, userId));
}

/** An invitee: the unconfirmed user with `email`, or a new one without a password. */
async function invitee(
  tx: Tx,
  email: string,
  data: Record<string, unknown>,
): Promise<UserRow> {
  const user = await findUserByEmail(tx, email);
  if (user?.email_confirmed_at) throw unprocessable("email_exists", DUPLICATE);
  return user ?? await createEmailUser(tx, { email, password: undefined, data, confirmed: false });
}

const markInvited = (tx: Tx, user: UserRow) =>
  tx`update auth.users set invited_at = now() where id = ${user.id}`;

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
      const user = await invitee(tx, email, record(body.data) ?? {});
      await markInvited(tx, user);
      // No max_frequency for invites (GoTrue's sendInvite has none); the hourly caps apply.
      await sendTokenMail(ctx, tx, user, "invite", { redirect, client: clientIp(c) });
      return await currentJson(tx, user.id);
    });
    return c.json(json);
  });

  app.post("/admin/generate_link", async (c) => {
    await requireAdmin(ctx, c);
    const body = await readJson(c);
    const email = validEmail(str(body.email));
    const redirect = redirectTarget(ctx, c.req.query("redirect_to") ?? str(body.redirect_to));
    let type = str(body.type) ?? "";
    const data = record(body.data) ?? {};
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
          await storeEmailToken(tx, user, "confirmation", t.token);
          await markInvited(tx, user);
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
            user = await createEmailUser(tx, { email, password, data, confirmed: false });
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
          const tokenType = type.replace("email_change_", "email_change_token_");
          await tx`update auth.users set email_change = ${newEmail}, ${
            tx(tokenType)
          } = ${linkToken},
                     email_change_sent_at = now(), email_change_confirm_status = 0,
                     updated_at = now() where id = ${user!.id}`;
          const relatesTo = type === "email_change_new" ? newEmail : email;
          await storeOneTimeToken(tx, user!.id, tokenType, linkToken, relatesTo);
          verifyType = "email_change";
          break;
        }
      }
      return {
        user: await currentJson(tx, user!.id),
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
