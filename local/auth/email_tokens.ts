/**
 * The one-time tokens behind mailed links and codes, as supabase/auth keeps them
 * (`internal/crypto` GenerateOtp/GenerateTokenHash, `internal/models/one_time_token.go`): a
 * code of `otp_length` digits, its token hash (sha224 of address + code, `pkce_`-prefixed for a
 * PKCE flow) in the user's `<kind>_token` column with `<kind>_sent_at`, mirrored in
 * `auth.one_time_tokens`; and the `/verify` link that carries the hash.
 */
import { type AuthCtx, randomOtp, sha224Hex } from "./context.ts";
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
  await tx`
    insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to, created_at, updated_at)
    values (${crypto.randomUUID()}, ${user.id}, ${`${kind}_token`}::auth.one_time_token_type, ${token},
      ${user.email ?? ""}, now(), now())
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
