/**
 * The one-time tokens behind mailed links and codes, as supabase/auth keeps them
 * (`internal/crypto` GenerateOtp/GenerateTokenHash, `internal/models/one_time_token.go`): a
 * code of `otp_length` digits, its token hash (sha224 of address + code, `pkce_`-prefixed for a
 * PKCE flow) in the user's `<kind>_token` column with `<kind>_sent_at`, mirrored in
 * `auth.one_time_tokens`; and the `/verify` link that carries the hash.
 */
import { type AuthCtx, randomOtp, sha224Hex } from "./context.ts";
import { renderMail } from "./mail.ts";
import { createFlowState, type FlowMethod, type Pkce } from "./flow_state.ts";
import type { Tx, UserRow } from "./users.ts";

/** The user columns a mailed token lives in: confirmation (sign-up, invite), recovery (reset,
 * magic link) and reauthentication. */
export type TokenKind = "confirmation" | "recovery" | "reauthentication";

export interface IssuedToken {
  /** The code the mail shows (`{{ .Token }}`). */
  otp: string;
  /** sha224(address + code), what `verifyOtp({ token_hash })` takes. */
  hash: string;
  /** What the link carries and the column stores: the hash, `pkce_`-prefixed for PKCE. */
  token: string;
}

/** A new code and hash for `email`, without storing them (generate_link returns them). */
export async function newEmailToken(
  ctx: AuthCtx,
  email: string,
  pkce = false,
): Promise<IssuedToken> {
  const otp = randomOtp(ctx.cfg.otpLength);
  const hash = await sha224Hex(email + otp);
  return { otp, hash, token: pkce ? `pkce_${hash}` : hash };
}

/** Stores `token` as `user`'s pending token of `kind` (replacing any earlier one). */
export async function storeEmailToken(
  tx: Tx,
  user: UserRow,
  kind: TokenKind,
  token: string,
): Promise<void> {
  const column = tx(`${kind}_token`);
  const sentAt = tx(`${kind}_sent_at`);
  await tx`update auth.users set ${column} = ${token}, ${sentAt} = now(), updated_at = now()
           where id = ${user.id}`;
  await storeOneTimeToken(tx, user.id, `${kind}_token`, token, user.email ?? "");
}

/** The `auth.one_time_tokens` row of a pending token (one per user and type). */
export async function storeOneTimeToken(
  tx: Tx,
  userId: string,
  tokenType: string,
  token: string,
  relatesTo: string,
): Promise<void> {
  await tx`
    insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to, created_at, updated_at)
    values (${crypto.randomUUID()}, ${userId}, ${tokenType}::auth.one_time_token_type, ${token},
      ${relatesTo}, now(), now())
    on conflict (user_id, token_type) do update set token_hash = excluded.token_hash,
      relates_to = excluded.relates_to, created_at = now(), updated_at = now()`;
}

/** Clears `user`'s pending token of `kind` (used, or voided). */
export async function clearEmailToken(tx: Tx, userId: string, kind: TokenKind): Promise<void> {
  const column = tx(`${kind}_token`);
  const sentAt = tx(`${kind}_sent_at`);
  await tx`update auth.users set ${column} = '', ${sentAt} = null where id = ${userId}`;
  await tx`delete from auth.one_time_tokens where user_id = ${userId}
             and token_type = ${`${kind}_token`}::auth.one_time_token_type`;
}

/**
 * The link a mail (or generate_link) offers: `<api>/verify?token=…&type=…&redirect_to=…`, as
 * GoTrue's mailer builds it (GetEmailActionLink).
 *
 * @example
 * actionLink(ctx, "pkce_ab12…", "magiclink", "http://127.0.0.1:3000/");
 */
export function actionLink(ctx: AuthCtx, token: string, type: string, redirect: string): string {
  const url = new URL(`${ctx.cfg.apiUrl}/verify`);
  url.searchParams.set("token", token);
  url.searchParams.set("type", type);
  url.searchParams.set("redirect_to", redirect);
  return url.toString();
}

/**
 * The mails that carry a token in a user column, as GoTrue's mailer sends them: the column,
 * the template, and the flow method a PKCE request records (invites and reauthentication
 * have none; a reauthentication mail carries a code only).
 */
const TOKEN_MAILS = {
  signup: { column: "confirmation", template: "confirmation", flow: "email/signup" },
  invite: { column: "confirmation", template: "invite", flow: undefined },
  recovery: { column: "recovery", template: "recovery", flow: "recovery" },
  magiclink: { column: "recovery", template: "magic_link", flow: "magiclink" },
  reauthentication: { column: "reauthentication", template: "reauthentication", flow: undefined },
} as const satisfies Record<
  string,
  { column: TokenKind; template: string; flow: FlowMethod | undefined }
>;

export type TokenMail = keyof typeof TOKEN_MAILS;

/**
 * Sends `user` the `type` mail: within `max_frequency` of the last one of its column (none
 * for invites, as GoTrue's sendInvite), with a new code of `otp_length` digits and its link
 * (`?code=` flow state first when `pkce` is given).
 *
 * @example
 * await sendTokenMail(ctx, tx, user, "recovery", { redirect, pkce, client: clientIp(c) });
 */
export async function sendTokenMail(
  ctx: AuthCtx,
  tx: Tx,
  user: UserRow,
  type: TokenMail,
  opts: { redirect: string; pkce?: Pkce | undefined; client: string },
): Promise<IssuedToken> {
  const { column, template, flow } = TOKEN_MAILS[type];
  const email = user.email!;
  ctx.mail.admit({
    kind: type,
    address: email,
    client: opts.client,
    lastSentAt: type === "invite" ? null : user[`${column}_sent_at`],
    send: true,
  });
  const pkce = flow ? opts.pkce : undefined;
  if (pkce) await createFlowState(tx, { userId: user.id, pkce, method: flow! });
  const t = await newEmailToken(ctx, email, Boolean(pkce));
  await storeEmailToken(tx, user, column, t.token);
  const mail = await renderMail(ctx.cfg, template, email, {
    ConfirmationURL: type === "reauthentication"
      ? ""
      : actionLink(ctx, t.token, type, opts.redirect),
    Token: t.otp,
    TokenHash: t.token,
    RedirectTo: opts.redirect,
    Data: user.raw_user_meta_data ?? {},
  });
  await ctx.mailer.send(mail);
  return t;
}
