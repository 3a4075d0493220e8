/**
 * auth.mfa_factors and auth.mfa_challenges as GoTrue reads and writes them
 * (supabase/auth `internal/models/factor.go`, `challenge.go`), and the Factor JSON it sends.
 */
import type { Tx } from "./users.ts";

export interface FactorRow {
  id: string;
  user_id: string;
  friendly_name: string | null;
  factor_type: "totp" | "phone" | "webauthn";
  status: "unverified" | "verified";
  created_at: Date;
  updated_at: Date;
  secret: string | null;
  phone: string | null;
  last_challenged_at: Date | null;
}

export interface ChallengeRow {
  id: string;
  factor_id: string;
  created_at: Date;
  verified_at: Date | null;
  ip_address: string;
  otp_code: string | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** A factor as GoTrue's JSON has it (`friendly_name` left out when empty, as omitempty does). */
export function factorJson(f: FactorRow) {
  return {
    id: f.id,
    created_at: iso(f.created_at),
    updated_at: iso(f.updated_at),
    status: f.status,
    ...(f.friendly_name ? { friendly_name: f.friendly_name } : {}),
    factor_type: f.factor_type,
    phone: f.phone ?? "",
    last_challenged_at: iso(f.last_challenged_at),
  };
}

export type FactorJson = ReturnType<typeof factorJson>;

export async function factorsOf(tx: Tx, userId: string): Promise<FactorRow[]> {
  return await tx<FactorRow[]>`
    select * from auth.mfa_factors where user_id = ${userId} order by created_at, id`;
}

/** The user's factors as GoTrue's user JSON carries them (absent when there are none). */
export async function factorsField(tx: Tx, userId: string): Promise<{ factors?: FactorJson[] }> {
  const rows = await factorsOf(tx, userId);
  return rows.length ? { factors: rows.map(factorJson) } : {};
}

export async function ownedFactor(
  tx: Tx,
  userId: string,
  factorId: string,
): Promise<FactorRow | undefined> {
  const [f] = await tx<FactorRow[]>`
    select * from auth.mfa_factors where id = ${factorId} and user_id = ${userId}`;
  return f;
}

/** Unverified factors older than `seconds` and never challenged go (DeleteExpiredFactors). */
export async function deleteExpiredFactors(tx: Tx, seconds: number): Promise<void> {
  await tx`
    delete from auth.mfa_factors f
    where f.status <> 'verified'
      and not exists (select 1 from auth.mfa_challenges c where c.factor_id = f.id)
      and f.created_at + make_interval(secs => ${seconds}) < now()`;
}

/**
 * After a factor is removed: the sessions it raised to aal2 lose that claim and go back to
 * aal1 (Factor.DowngradeSessionsToAAL1). Their next token says so.
 */
export async function downgradeSessions(tx: Tx, factor: FactorRow): Promise<void> {
  await tx`
    delete from auth.mfa_amr_claims
    where authentication_method = ${factor.factor_type}
      and session_id in (select id from auth.sessions where factor_id = ${factor.id})`;
  await tx`
    update auth.sessions set aal = 'aal1', factor_id = null, updated_at = now()
    where user_id = ${factor.user_id} and factor_id = ${factor.id}`;
}

/** Deletes a factor (its challenges go with it) and downgrades the sessions it raised. */
export async function deleteFactor(tx: Tx, factor: FactorRow): Promise<void> {
  await downgradeSessions(tx, factor);
  await tx`delete from auth.mfa_factors where id = ${factor.id}`;
}

/** The last time step a TOTP code of this factor was accepted for (null: none yet). */
export async function lastUsedStep(tx: Tx, factorId: string): Promise<number | null> {
  // GoTrue leaves otp_code empty for TOTP challenges; here a verified one records its step.
  const [r] = await tx<{ step: string | null }[]>`
    select max(otp_code::bigint)::text as step from auth.mfa_challenges
    where factor_id = ${factorId} and verified_at is not null and otp_code ~ '^[0-9]+$'`;
  return r?.step ? Number(r.step) : null;
}
