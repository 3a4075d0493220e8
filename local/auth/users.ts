/**
 * auth.users and auth.identities as GoTrue reads and writes them, and their JSON shapes
 * (supabase/auth `internal/models/user.go`, `identity.go`).
 */
import type postgres from "postgres";
import { AuthError } from "./errors.ts";

export type Tx = postgres.TransactionSql | postgres.Sql;

export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  invited_at: Date | null;
  confirmation_sent_at: Date | null;
  confirmed_at: Date | null;
  recovery_sent_at: Date | null;
  email_change: string | null;
  email_change_sent_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  phone: string | null;
  phone_confirmed_at: Date | null;
  phone_change: string | null;
  phone_change_sent_at: Date | null;
  reauthentication_sent_at: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
  banned_until: Date | null;
  deleted_at: Date | null;
  is_anonymous: boolean;
  is_sso_user: boolean;
}

export interface IdentityRow {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Record<string, unknown>;
  provider: string;
  last_sign_in_at: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
  email: string | null;
}

export const INSTANCE_ID = "00000000-0000-0000-0000-000000000000";

export async function findUserByEmail(tx: Tx, email: string): Promise<UserRow | undefined> {
  const [u] = await tx<UserRow[]>`
    select * from auth.users where lower(email) = lower(${email}) and not is_sso_user
    order by created_at limit 1`;
  return u;
}

export async function findUserById(tx: Tx, id: string): Promise<UserRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const [u] = await tx<UserRow[]>`select * from auth.users where id = ${id}`;
  return u;
}

export async function identitiesOf(tx: Tx, userId: string): Promise<IdentityRow[]> {
  return await tx<IdentityRow[]>`
    select * from auth.identities where user_id = ${userId} order by created_at`;
}

const valid = (d: Date | null | undefined): d is Date =>
  Boolean(d) && !Number.isNaN(new Date(d!).getTime());
const iso = (d: Date | null | undefined) => (valid(d) ? new Date(d).toISOString() : undefined);

/** Whether the user is banned now (`banned_until` in the future, or Postgres's 'infinity'). */
export function isBanned(u: Pick<UserRow, "banned_until">): boolean {
  if (!u.banned_until) return false;
  return !valid(u.banned_until) || new Date(u.banned_until) > new Date();
}

export function identityJson(i: IdentityRow) {
  return {
    identity_id: i.id,
    id: i.provider_id,
    user_id: i.user_id,
    identity_data: i.identity_data,
    provider: i.provider,
    last_sign_in_at: iso(i.last_sign_in_at),
    created_at: iso(i.created_at),
    updated_at: iso(i.updated_at),
    email: i.email ?? undefined,
  };
}

/**
 * The User JSON GoTrue returns (`models/user.go`'s JSON tags, in their order; undefined
 * fields are left out, as Go's omitempty does). `factors` is added by mfa_user.ts.
 */
export function userJson(u: UserRow, identities: IdentityRow[]) {
  return {
    id: u.id,
    aud: u.aud ?? "authenticated",
    role: u.role ?? "authenticated",
    email: u.email ?? "",
    email_confirmed_at: iso(u.email_confirmed_at),
    invited_at: iso(u.invited_at),
    phone: u.phone ?? "",
    phone_confirmed_at: iso(u.phone_confirmed_at),
    confirmation_sent_at: iso(u.confirmation_sent_at),
    confirmed_at: iso(u.confirmed_at),
    recovery_sent_at: iso(u.recovery_sent_at),
    new_email: u.email_change || undefined,
    email_change_sent_at: iso(u.email_change_sent_at),
    new_phone: u.phone_change || undefined,
    phone_change_sent_at: iso(u.phone_change_sent_at),
    reauthentication_sent_at: iso(u.reauthentication_sent_at),
    last_sign_in_at: iso(u.last_sign_in_at),
    app_metadata: u.raw_app_meta_data ?? {},
    user_metadata: u.raw_user_meta_data ?? {},
    identities: identities.map(identityJson),
    created_at: iso(u.created_at),
    updated_at: iso(u.updated_at),
    banned_until: u.banned_until && !valid(u.banned_until) ? "infinity" : iso(u.banned_until),
    deleted_at: iso(u.deleted_at),
    is_anonymous: u.is_anonymous,
  };
}

export type UserJson = ReturnType<typeof userJson>;

/**
 * Creates a user with an email identity; the project's triggers on `auth.users` run as on
 * Supabase. A trigger or constraint that refuses the user is GoTrue's 500 (`refusal`,
 * "Database error saving new user" by default).
 */
export async function createEmailUser(
  tx: Tx,
  opts: {
    email: string;
    password: string | undefined;
    data: Record<string, unknown>;
    appMetadata?: Record<string, unknown>;
    confirmed: boolean;
    role?: string;
    refusal?: string;
  },
): Promise<UserRow> {
  const id = crypto.randomUUID();
  const email = opts.email.toLowerCase();
  const app = { provider: "email", providers: ["email"], ...(opts.appMetadata ?? {}) };
  try {
    const [u] = await tx<UserRow[]>`
      insert into auth.users (instance_id, id, aud, role, email, encrypted_password,
        email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
        confirmation_token, recovery_token, email_change_token_new, email_change, is_anonymous)
      values (${INSTANCE_ID}, ${id}, 'authenticated', ${opts.role ?? "authenticated"}, ${email},
        ${
      opts.password ? tx`extensions.crypt(${opts.password}, extensions.gen_salt('bf', 10))` : ""
    },
        ${opts.confirmed ? tx`now()` : null}, ${tx.json(app as postgres.JSONValue)},
        ${tx.json(opts.data as postgres.JSONValue)}, now(), now(), '', '', '', '', false)
      returning *`;
    await insertEmailIdentity(tx, id, email, opts.confirmed);
    return u!;
  } catch (e) {
    const pe = e as { code?: string; message?: string };
    if (pe.code && /^(23|P0)/.test(pe.code)) {
      throw new AuthError(
        500,
        "unexpected_failure",
        opts.refusal ?? "Database error saving new user",
        {
          ...(pe.message ? { detail: pe.message } : {}),
        },
      );
    }
    throw e;
  }
}

/** The `email` identity of `userId` (GoTrue's provider id for it is the user's id). */
export async function insertEmailIdentity(
  tx: Tx,
  userId: string,
  email: string,
  verified: boolean,
): Promise<void> {
  await tx`
    insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
    values (${userId}, ${userId}, ${
    tx.json({ sub: userId, email, email_verified: verified, phone_verified: false })
  }, 'email', now(), now(), now())`;
}

/**
 * Confirms the user's address as GoTrue's `User.Confirm` does: `email_confirmed_at`, the
 * pending confirmation token gone, `email_verified` in `user_metadata`, and every pending
 * one-time token voided.
 */
export async function confirmUserEmail(tx: Tx, userId: string): Promise<void> {
  await tx`update auth.users set confirmation_token = '', email_confirmed_at = now(),
             raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || '{"email_verified": true}'::jsonb,
             updated_at = now()
           where id = ${userId}`;
  await clearOneTimeTokens(tx, userId);
}

/** Voids all of a user's one-time tokens (GoTrue's ClearAllOneTimeTokensForUser). */
export async function clearOneTimeTokens(tx: Tx, userId: string): Promise<void> {
  await tx`delete from auth.one_time_tokens where user_id = ${userId}`;
}

/**
 * `app_metadata.providers` (and `provider`, the first) from the user's identities, oldest
 * first, as GoTrue's UpdateAppMetaDataProviders; a user without identities keeps `provider`.
 */
export async function updateAppMetadataProviders(tx: Tx, userId: string): Promise<void> {
  await tx`
    update auth.users set raw_app_meta_data = coalesce(raw_app_meta_data, '{}') ||
        jsonb_build_object('providers', p.list) ||
        case when jsonb_array_length(p.list) > 0 then jsonb_build_object('provider', p.list -> 0)
             else '{}'::jsonb end,
      updated_at = now()
    from (select coalesce(jsonb_agg(provider order by first), '[]') as list from (
      select provider, min(created_at) as first from auth.identities where user_id = ${userId}
      group by provider) x) p
    where id = ${userId}`;
}

/** Checks a password against the bcrypt hash in Postgres (pgcrypto reads GoTrue's $2a$ hashes). */
export async function passwordMatches(
  tx: Tx,
  hash: string | null,
  password: string,
): Promise<boolean> {
  if (!hash) {
    // No user or no password: hash anyway, at the same cost, so the answer takes as long.
    await tx`select extensions.crypt(${password}, extensions.gen_salt('bf', 10))`;
    return false;
  }
  const [r] = await tx<
    { ok: boolean }[]
  >`select extensions.crypt(${password}, ${hash}) = ${hash} as ok`;
  return Boolean(r?.ok);
}
