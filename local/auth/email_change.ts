/**
 * Changing a signed-in user's email address, as supabase/auth does it (`user.go` UserUpdate,
 * `mail.go` sendEmailChange, `verify.go` emailChangeVerify, `resend.go` type email_change):
 * a code and link go to the new address and, with `[auth.email] double_confirm_changes`, to the
 * current one as well; the address changes once every one sent has been confirmed. Confirming
 * gives a user without an email identity (an anonymous one) that identity, and makes them a
 * permanent user (`is_anonymous` false).
 */
import { AuthError, unprocessable } from "./errors.ts";
import { renderMail } from "./mail.ts";
import type { AuthCtx } from "./context.ts";
import { createFlowState, type Pkce } from "./flow_state.ts";
import { actionLink, newEmailToken, storeOneTimeToken } from "./email_tokens.ts";
import {
  clearOneTimeTokens,
  confirmUserEmail,
  insertEmailIdentity,
  isBanned,
  type Tx,
  updateAppMetadataProviders,
  type UserRow,
} from "./users.ts";

/** GoTrue's answer to the first of two confirmations. */
export const SINGLE_CONFIRMATION_ACCEPTED =
  "Confirmation link accepted. Please proceed to confirm link sent to the other email";

type ChangeRow = UserRow & {
  email_change_token_new: string | null;
  email_change_token_current: string | null;
};

/** 422 email_exists when another user has `email`. */
export async function assertEmailFree(tx: Tx, email: string, userId: string): Promise<void> {
  const [taken] = await tx`
    select 1 from auth.users where lower(email) = lower(${email}) and id <> ${userId}
      and not is_sso_user limit 1`;
  if (taken) {
    throw unprocessable(
      "email_exists",
      "A user with this email address has already been registered",
    );
  }
}

/** Starts a change of `user`'s address to `newEmail`: tokens, mails, `email_change_sent_at`. */
export async function sendEmailChange(
  ctx: AuthCtx,
  tx: Tx,
  user: UserRow,
  newEmail: string,
  redirect: string,
  pkce: Pkce | undefined,
  client: string,
): Promise<void> {
  const current = user.email ?? "";
  const both = ctx.cfg.doubleConfirmChanges && current !== "";
  for (const address of both ? [newEmail, current] : [newEmail]) {
    ctx.mail.admit({
      kind: "email_change",
      address,
      client,
      lastSentAt: user.email_change_sent_at,
      send: true,
    });
  }
  if (pkce) await createFlowState(tx, { userId: user.id, pkce, method: "email_change" });
  // Each address gets its own code; each token hashes the address it goes to.
  const toNew = await newEmailToken(ctx, newEmail, Boolean(pkce));
  const toCurrent = both ? await newEmailToken(ctx, current, Boolean(pkce)) : undefined;
  await tx`update auth.users set email_change = ${newEmail}, email_change_token_new = ${toNew.token},
             email_change_token_current = ${
    toCurrent?.token ?? ""
  }, email_change_confirm_status = 0,
             email_change_sent_at = now(), updated_at = now() where id = ${user.id}`;
  await tx`delete from auth.one_time_tokens where user_id = ${user.id}
             and token_type in ('email_change_token_new', 'email_change_token_current')`;
  const sends = [{ to: newEmail, t: toNew, type: "email_change_token_new" }];
  if (toCurrent) sends.push({ to: current, t: toCurrent, type: "email_change_token_current" });
  for (const { to, t, type } of sends) {
    await storeOneTimeToken(tx, user.id, type, t.token, to);
    const mail = await renderMail(ctx.cfg, "email_change", current, {
      ConfirmationURL: actionLink(ctx, t.token, "email_change", redirect),
      Token: t.otp,
      TokenHash: t.token,
      RedirectTo: redirect,
      NewEmail: newEmail,
      Data: user.raw_user_meta_data ?? {},
    });
    await ctx.mailer.send({ ...mail, to });
  }
}

/** Re-sends a pending change's mails (`/resend` type email_change); silent when none. */
export async function resendEmailChange(
  ctx: AuthCtx,
  tx: Tx,
  email: string,
  redirect: string,
  pkce: Pkce | undefined,
  client: string,
): Promise<void> {
  const [user] = await tx<UserRow[]>`
    select * from auth.users where coalesce(email_change, '') <> ''
      and (lower(email) = lower(${email}) or lower(email_change) = lower(${email}))
    order by created_at limit 1`;
  if (user) await sendEmailChange(ctx, tx, user, user.email_change!, redirect, pkce, client);
}

/**
 * Makes `newEmail` the user's address (GoTrue's emailChangeVerify and ConfirmEmailChange):
 * the email identity follows it (or is created, verified), the user stops being anonymous,
 * an unconfirmed user is confirmed, and pending tokens are voided.
 */
export async function confirmEmailChange(tx: Tx, user: UserRow, newEmail: string): Promise<void> {
  await assertEmailFree(tx, newEmail, user.id);
  await tx`update auth.users set email = ${newEmail}, email_change = '', email_change_token_new = '',
             email_change_token_current = '', email_change_confirm_status = 0, is_anonymous = false,
             updated_at = now()
           where id = ${user.id}`;
  await clearOneTimeTokens(tx, user.id);
  if (!user.email_confirmed_at) await confirmUserEmail(tx, user.id);
  const [identity] = await tx`
    update auth.identities set identity_data = identity_data || ${
    tx.json({ email: newEmail, email_verified: true })
  }, updated_at = now() where user_id = ${user.id} and provider = 'email' returning id`;
  if (!identity) await insertEmailIdentity(tx, user.id, newEmail, true);
  await updateAppMetadataProviders(tx, user.id);
}

/**
 * Confirms one email-change token (`hash`, plain or `pkce_`): GoTrue's message after the first
 * of two, otherwise the user whose address changed. `expired` is the error for no match.
 */
export async function verifyEmailChange(
  ctx: AuthCtx,
  tx: Tx,
  hash: string,
  expired: () => AuthError,
): Promise<{ message: string } | { user: UserRow }> {
  if (!hash) throw expired();
  const alt = hash.startsWith("pkce_") ? hash : `pkce_${hash}`;
  const [user] = await tx<ChangeRow[]>`
    select * from auth.users where coalesce(email_change, '') <> '' and (
      (email_change_token_new <> '' and email_change_token_new in (${hash}, ${alt})) or
      (email_change_token_current <> '' and email_change_token_current in (${hash}, ${alt})))
    for update`;
  if (!user) throw expired();
  if (isBanned(user)) {
    throw new AuthError(403, "user_banned", "User is banned");
  }
  const sent = user.email_change_sent_at;
  if (!sent || Date.now() - new Date(sent).getTime() > ctx.cfg.otpExpiry * 1000) throw expired();
  const current = user.email_change_token_current;
  const matchedCurrent = current !== "" && (current === hash || current === alt);
  const otherPending = matchedCurrent
    ? Boolean(user.email_change_token_new)
    : Boolean(user.email_change_token_current);
  if (ctx.cfg.doubleConfirmChanges && user.email && otherPending) {
    const [column, type] = matchedCurrent
      ? [tx`email_change_token_current`, "email_change_token_current"]
      : [tx`email_change_token_new`, "email_change_token_new"];
    await tx`update auth.users set ${column} = '', email_change_confirm_status = 1,
               updated_at = now() where id = ${user.id}`;
    await tx`delete from auth.one_time_tokens where user_id = ${user.id}
               and token_type = ${type}::auth.one_time_token_type`;
    return { message: SINGLE_CONFIRMATION_ACCEPTED };
  }
  await confirmEmailChange(tx, user, user.email_change!);
  return { user };
}
