/**
 * Changing a signed-in user's email address, as supabase/auth does it (`user.go` UserUpdate,
 * `mail.go` sendEmailChange, `verify.go` emailChangeVerify, `resend.go` type email_change):
 * a code and link go to the new address and, with `[auth.email] double_confirm_changes`, to the
 * current one as well; the address changes once every one sent has been confirmed.
 */
import { AuthError, flowStateNotFound, unprocessable } from "./errors.ts";
import { renderMail } from "./mail.ts";
import { startSession } from "./sessions.ts";
import { type AuthCtx, randomOtp, sha224Hex } from "./context.ts";
import type { Tx, UserRow } from "./users.ts";

type Pkce = { challenge: string; method: string } | undefined;

/** GoTrue's answer to the first of two confirmations. */
export const SINGLE_CONFIRMATION_ACCEPTED =
  "Confirmation link accepted. Please proceed to confirm link sent to the other email";

type ChangeRow = UserRow & {
  email_change_token_new: string | null;
  email_change_token_current: string | null;
  email_change_confirm_status: number | null;
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
  pkce: Pkce,
  client: string,
  createFlowState: (
    tx: Tx,
    userId: string,
    challenge: string,
    method: string,
    auth: string,
  ) => Promise<void>,
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
  if (pkce) await createFlowState(tx, user.id, pkce.challenge, pkce.method, "email_change");
  const prefix = pkce ? "pkce_" : "";
  const otpNew = randomOtp();
  const tokenNew = prefix + await sha224Hex(newEmail + otpNew);
  const otpCurrent = both ? randomOtp() : "";
  const tokenCurrent = both ? prefix + await sha224Hex(current + otpCurrent) : "";
  await tx`update auth.users set email_change = ${newEmail}, email_change_token_new = ${tokenNew},
             email_change_token_current = ${tokenCurrent}, email_change_confirm_status = 0,
             email_change_sent_at = now(), updated_at = now() where id = ${user.id}`;
  await tx`delete from auth.one_time_tokens where user_id = ${user.id}
             and token_type in ('email_change_token_new', 'email_change_token_current')`;
  const sends: { to: string; token: string; otp: string; type: string }[] = [
    { to: newEmail, token: tokenNew, otp: otpNew, type: "email_change_token_new" },
  ];
  if (both) {
    sends.push({
      to: current,
      token: tokenCurrent,
      otp: otpCurrent,
      type: "email_change_token_current",
    });
  }
  for (const s of sends) {
    await tx`
      insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to, created_at, updated_at)
      values (${crypto.randomUUID()}, ${user.id}, ${s.type}::auth.one_time_token_type, ${s.token}, ${s.to}, now(), now())`;
    const url = new URL(`${ctx.cfg.apiUrl}/verify`);
    url.searchParams.set("token", s.token);
    url.searchParams.set("type", "email_change");
    url.searchParams.set("redirect_to", redirect);
    const mail = await renderMail(ctx.cfg, "email_change", current, {
      ConfirmationURL: url.toString(),
      Token: s.otp,
      TokenHash: s.token,
      RedirectTo: redirect,
      NewEmail: newEmail,
      Data: user.raw_user_meta_data ?? {},
    });
    await ctx.mailer.send({ ...mail, to: s.to });
  }
}

/** Re-sends a pending change's mails (`/resend` type email_change); silent when none. */
export async function resendEmailChange(
  ctx: AuthCtx,
  tx: Tx,
  email: string,
  redirect: string,
  pkce: Pkce,
  client: string,
  createFlowState: Parameters<typeof sendEmailChange>[7],
): Promise<void> {
  const [user] = await tx<UserRow[]>`
    select * from auth.users where coalesce(email_change, '') <> ''
      and (lower(email) = lower(${email}) or lower(email_change) = lower(${email}))
    order by created_at limit 1`;
  if (user) {
    await sendEmailChange(
      ctx,
      tx,
      user,
      user.email_change!,
      redirect,
      pkce,
      client,
      createFlowState,
    );
  }
}

const EXPIRED = () => new AuthError(403, "otp_expired", "Token has expired or is invalid");

/** Confirms one email-change token: a message after the first of two, else a session/code. */
export async function verifyEmailChange(
  ctx: AuthCtx,
  tx: Tx,
  token: string,
  ip: string,
  userAgent: string | undefined,
): Promise<
  { session: Awaited<ReturnType<typeof startSession>> } | { code: string } | { message: string }
> {
  if (!token) throw EXPIRED();
  const alt = token.startsWith("pkce_") ? token : `pkce_${token}`;
  const [user] = await tx<ChangeRow[]>`
    select * from auth.users where coalesce(email_change, '') <> '' and (
      (email_change_token_new <> '' and email_change_token_new in (${token}, ${alt})) or
      (email_change_token_current <> '' and email_change_token_current in (${token}, ${alt})))
    for update`;
  if (!user) throw EXPIRED();
  const sent = user.email_change_sent_at;
  if (!sent || Date.now() - new Date(sent).getTime() > ctx.cfg.otpExpiry * 1000) throw EXPIRED();
  if (user.banned_until && new Date(user.banned_until) > new Date()) {
    throw new AuthError(400, "user_banned", "User is banned");
  }
  const matchedCurrent = user.email_change_token_current !== "" &&
    (user.email_change_token_current === token || user.email_change_token_current === alt);
  const otherPending = matchedCurrent
    ? Boolean(user.email_change_token_new)
    : Boolean(user.email_change_token_current);
  if (ctx.cfg.doubleConfirmChanges && user.email && otherPending) {
    if (matchedCurrent) {
      await tx`update auth.users set email_change_token_current = '', email_change_confirm_status = 1,
                 updated_at = now() where id = ${user.id}`;
      await tx`delete from auth.one_time_tokens where user_id = ${user.id} and token_type = 'email_change_token_current'`;
    } else {
      await tx`update auth.users set email_change_token_new = '', email_change_confirm_status = 1,
                 updated_at = now() where id = ${user.id}`;
      await tx`delete from auth.one_time_tokens where user_id = ${user.id} and token_type = 'email_change_token_new'`;
    }
    return { message: SINGLE_CONFIRMATION_ACCEPTED };
  }
  const newEmail = user.email_change!;
  await assertEmailFree(tx, newEmail, user.id);
  await tx`update auth.users set email = ${newEmail}, email_change = '', email_change_token_new = '',
             email_change_token_current = '', email_change_confirm_status = 0,
             email_confirmed_at = coalesce(email_confirmed_at, now()), updated_at = now()
           where id = ${user.id}`;
  await tx`delete from auth.one_time_tokens where user_id = ${user.id}
             and token_type in ('email_change_token_new', 'email_change_token_current')`;
  await tx`update auth.identities set identity_data = identity_data || ${
    tx.json({ email: newEmail, email_verified: true })
  }, updated_at = now() where user_id = ${user.id} and provider = 'email'`;
  if (token.startsWith("pkce_")) {
    const [flow] = await tx<{ auth_code: string }[]>`
      update auth.flow_state set auth_code_issued_at = now(), updated_at = now()
      where user_id = ${user.id} and authentication_method = 'email_change'
      returning auth_code`;
    if (!flow) throw flowStateNotFound();
    return { code: flow.auth_code };
  }
  const [fresh] = await tx<UserRow[]>`select * from auth.users where id = ${user.id}`;
  return {
    session: await startSession(tx, ctx.cfg, fresh!, "otp", { userAgent, ip }),
  };
}
