/**
 * Reauthentication, as supabase/auth `reauthenticate.go` and `user.go` do it: GET
 * /reauthenticate (`auth.reauthenticate()`) mails a signed-in user a code (the nonce); with
 * `[auth.email] secure_password_change` on, `updateUser({ password })` from a session that
 * began more than 24 hours ago needs that nonce: 400 `reauthentication_needed` without it,
 * 422 `reauthentication_not_valid` with a wrong or expired one. A nonce works once.
 */
import { Hono } from "hono";
import { AuthError, badRequest, unprocessable } from "./errors.ts";
import { clearEmailToken, sendTokenMail } from "./email_tokens.ts";
import { type Caller, signedInUser } from "./caller.ts";
import { type AuthCtx, clientIp, limit, sha224Hex } from "./context.ts";
import type { Tx, UserRow } from "./users.ts";

/** How long after signing in a session may change the password without a nonce (GoTrue's). */
export const RECENT_SIGN_IN_MS = 24 * 60 * 60_000;

/** Wrong nonces in a row after which a user's pending nonce is voided (it is 6 digits). */
const MAX_WRONG_NONCES = 5;

type ReauthRow = UserRow & { reauthentication_token: string | null };

/** The route, and the check PUT /user runs before changing a password. */
export function reauthentication(ctx: AuthCtx) {
  const wrong = new Map<string, number>();
  /** Pending nonces voided by too many wrong ones (userId → token); a new nonce is not. */
  const voided = new Map<string, string>();

  const routes = new Hono();
  routes.get("/reauthenticate", async (c) => {
    limit(ctx.limits.signInSignUps, clientIp(c));
    const { user } = await signedInUser(ctx, c);
    if (!user.email && !user.phone) {
      throw badRequest(
        "validation_failed",
        "Reauthentication requires the user to have an email or a phone number",
      );
    }
    if (!user.email) throw badRequest("phone_provider_disabled", "Unsupported phone provider");
    if (!user.email_confirmed_at) {
      throw unprocessable("email_not_confirmed", "Please verify your email first.");
    }
    await ctx.sql.begin(async (tx) => {
      const [row] = await tx<UserRow[]>`select * from auth.users where id = ${user.id} for update`;
      await sendTokenMail(ctx, tx, row!, "reauthentication", {
        redirect: ctx.cfg.siteUrl,
        client: clientIp(c),
      });
    });
    return c.json({});
  });

  /**
   * Throws GoTrue's errors unless `secure_password_change` is off, the session is recent, or
   * `nonce` is the user's pending one (which is then used up).
   */
  async function checkPasswordChange(
    tx: Tx,
    { user, session }: Caller,
    nonce: string | undefined,
  ): Promise<void> {
    if (!ctx.cfg.securePasswordChange) return;
    if (session && Date.now() - new Date(session.created_at).getTime() <= RECENT_SIGN_IN_MS) {
      return;
    }
    if (!nonce) {
      throw badRequest("reauthentication_needed", "Password update requires reauthentication");
    }
    const [row] = await tx<ReauthRow[]>`select * from auth.users where id = ${user.id}`;
    const sentAt = row?.reauthentication_sent_at;
    const token = row?.reauthentication_token ?? "";
    const valid = Boolean(row?.email) && token !== "" && voided.get(user.id) !== token &&
      sentAt && Date.now() - new Date(sentAt).getTime() <= ctx.cfg.otpExpiry * 1000 &&
      token === await sha224Hex(row!.email! + nonce);
    if (!valid) {
      const n = (wrong.get(user.id) ?? 0) + 1;
      if (wrong.size > 100_000) wrong.clear();
      wrong.set(user.id, n);
      if (n >= MAX_WRONG_NONCES) {
        // Remembered here: the error below rolls the request's transaction back.
        wrong.delete(user.id);
        if (voided.size > 100_000) voided.clear(); // bounded under abuse
        voided.set(user.id, token);
      }
      throw new AuthError(422, "reauthentication_not_valid", "Nonce has expired or is invalid");
    }
    wrong.delete(user.id);
    voided.delete(user.id);
    await clearEmailToken(tx, user.id, "reauthentication");
  }

  return { routes, checkPasswordChange };
}
