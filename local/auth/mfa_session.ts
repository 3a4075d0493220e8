/**
 * A verified second factor raises the caller's session to aal2, as GoTrue's
 * `updateMFASessionAndClaims` does: the factor's method joins the session's AMR claims, the
 * refresh token is swapped for a new one, and the access token issued carries `aal: "aal2"`
 * and both methods in `amr` (sessions.ts computes them from the claims, so a refresh keeps
 * them). The user's other sessions still at aal1 end (InvalidateSessionsWithAALLessThan).
 */
import type postgres from "postgres";
import type { AuthConfig } from "./config.ts";
import { newRefreshToken, sessionJson, type SessionResponse } from "./sessions.ts";
import type { FactorRow } from "./mfa_factors.ts";

export async function upgradeSession(
  tx: postgres.TransactionSql,
  cfg: AuthConfig,
  sessionId: string,
  factor: FactorRow,
): Promise<SessionResponse> {
  await tx`
    insert into auth.mfa_amr_claims (session_id, created_at, updated_at, authentication_method, id)
    values (${sessionId}, now(), now(), ${factor.factor_type}, ${crypto.randomUUID()})
    on conflict (session_id, authentication_method) do update set updated_at = now()`;
  await tx`
    update auth.sessions set aal = 'aal2', factor_id = ${factor.id}, updated_at = now()
    where id = ${sessionId}`;
  // GrantRefreshTokenSwap: the session's live token is revoked and a child takes its place.
  const [current] = await tx<{ id: number; token: string }[]>`
    select id, token from auth.refresh_tokens where session_id = ${sessionId} and not revoked
    order by id desc limit 1 for update`;
  if (current) {
    await tx`update auth.refresh_tokens set revoked = true, updated_at = now() where id = ${current.id}`;
  }
  const next = newRefreshToken();
  await tx`
    insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
    values ('00000000-0000-0000-0000-000000000000', ${next}, ${factor.user_id}, false, now(), now(),
      ${current?.token ?? null}, ${sessionId})`;
  await tx`delete from auth.sessions where user_id = ${factor.user_id} and aal < 'aal2'`;
  return await sessionJson(tx, cfg, factor.user_id, sessionId, next, "totp");
}
