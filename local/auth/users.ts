/**
 * auth.users and auth.identities as GoTrue reads and writes them, and their JSON shapes
 * (supabase/auth `internal/models/user.go`, `identity.go`).
 */
import type postgres from "postgres";

export type Tx = postgres.TransactionSql | postgres.Sql;

export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
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

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : undefined);

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

/** The User JSON GoTrue returns (undefined fields are left out, as Go's omitempty does). */
export function userJson(u: UserRow, identities: IdentityRow[]) {
  const banned = u.banned_until && new Date(u.banned_until) > new Date()
    ? iso(u.banned_until)
    : undefined;
  return {
    id: u.id,
    aud: u.aud ?? "authenticated",
    role: u.role ?? "authenticated",
    email: u.email ?? "",
    email_confirmed_at: iso(u.email_confirmed_at),
    phone: u.phone ?? "",
    phone_confirmed_at: iso(u.phone_confirmed_at),
    confirmation_sent_at: iso(u.confirmation_sent_at),
    confirmed_at: iso(u.confirmed_at),
    recovery_sent_at: iso(u.recovery_sent_at),
    new_email: u.email_change || undefined,
    email_change_sent_at: iso(u.email_change_sent_at),
    last_sign_in_at: iso(u.last_sign_in_at),
    app_metadata: u.raw_app_meta_data ?? {},
    user_metadata: u.raw_user_meta_data ?? {},
    identities: identities.map(identityJson),
    created_at: iso(u.created_at),
    updated_at: iso(u.updated_at),
    banned_until: banned,
    is_anonymous: u.is_anonymous,
  };
}

export type UserJson = ReturnType<typeof userJson>;

/** Creates a user with an email identity; the chat's sign-up trigger adds the profile. */
export async function createEmailUser(
  tx: Tx,
  opts: {
    email: string;
    password: string | undefined;
    data: Record<string, unknown>;
    appMetadata?: Record<string, unknown>;
    confirmed: boolean;
    role?: string;
  },
): Promise<UserRow> {
  const id = crypto.randomUUID();
  const email = opts.email.toLowerCase();
  const app = { provider: "email", providers: ["email"], ...(opts.appMetadata ?? {}) };
  const [u] = await tx<UserRow[]>`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password,
      email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
      confirmation_token, recovery_token, email_change_token_new, email_change, is_anonymous)
    values (${INSTANCE_ID}, ${id}, 'authenticated', ${opts.role ?? "authenticated"}, ${email},
      ${opts.password ? tx`extensions.crypt(${opts.password}, extensions.gen_salt('bf', 10))` : ""},
      ${opts.confirmed ? tx`now()` : null}, ${tx.json(app as postgres.JSONValue)},
      ${tx.json(opts.data as postgres.JSONValue)}, now(), now(), '', '', '', '', false)
    returning *`;
  await tx`
    insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
    values (${id}, ${id}, ${
    tx.json({ sub: id, email, email_verified: opts.confirmed, phone_verified: false })
  }, 'email', now(), now(), now())`;
  return u!;
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
