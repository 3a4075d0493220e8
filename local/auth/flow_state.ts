/**
 * PKCE flow states (`auth.flow_state`), as supabase/auth keeps them (`internal/models/
 * flow_state.go`, `api/pkce.go`): a request that carries a `code_challenge` stores one with the
 * authentication method it began (GoTrue's `models.AuthenticationMethod` names); the link or
 * callback then issues its auth code, and `POST /token?grant_type=pkce` turns the code into a
 * session whose `amr` is that method.
 */
import { badRequest, flowStateNotFound } from "./errors.ts";
import { str } from "./context.ts";
import type { Tx } from "./users.ts";

export interface Pkce {
  challenge: string;
  method: string;
}

/** The methods a flow state records (GoTrue's AuthenticationMethod.String()). */
export const FLOW_METHODS = [
  "oauth",
  "email/signup",
  "invite",
  "recovery",
  "magiclink",
  "email_change",
] as const;
export type FlowMethod = typeof FLOW_METHODS[number];

/** A body's `code_challenge` and `code_challenge_method` (s256 by default), if any. */
export function pkceOf(body: Record<string, unknown>): Pkce | undefined {
  const challenge = str(body.code_challenge);
  const method = str(body.code_challenge_method);
  return challenge ? { challenge, method: method ?? "s256" } : undefined;
}

/**
 * The flow method of a `/verify` link type (GoTrue's ParseAuthenticationMethod), or undefined
 * for a type that has none (`email`).
 *
 * @example
 * flowMethodOf("signup"); // "email/signup"
 */
export function flowMethodOf(type: string): FlowMethod | undefined {
  const m = type.endsWith("signup") ? "email/signup" : type;
  return (FLOW_METHODS as readonly string[]).includes(m) ? m as FlowMethod : undefined;
}

/**
 * Stores a flow state for `pkce` (400 `validation_failed` for a bad challenge) and returns its
 * id. One per user and method: a newer request replaces the older one.
 */
export async function createFlowState(
  tx: Tx,
  opts: { userId: string | null; pkce: Pkce; method: FlowMethod; providerType?: string },
): Promise<string> {
  const { challenge } = opts.pkce;
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(challenge)) {
    throw badRequest("validation_failed", "code challenge has to be between 43 and 128 characters");
  }
  const m = opts.pkce.method.toLowerCase();
  if (m !== "s256" && m !== "plain") {
    throw badRequest("validation_failed", "code challenge method not supported");
  }
  if (opts.userId) {
    await tx`delete from auth.flow_state
             where user_id = ${opts.userId} and authentication_method = ${opts.method}`;
  }
  const id = crypto.randomUUID();
  await tx`
    insert into auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge,
      provider_type, created_at, updated_at, authentication_method)
    values (${id}, ${opts.userId}, ${crypto.randomUUID()}, ${m}::auth.code_challenge_method,
      ${challenge}, ${opts.providerType ?? "email"}, now(), now(), ${opts.method})`;
  return id;
}

/** Issues the auth code of `userId`'s flow state for `method` (GoTrue's issueAuthCode). */
export async function issueAuthCode(tx: Tx, userId: string, method: FlowMethod): Promise<string> {
  const [flow] = await tx<{ auth_code: string }[]>`
    update auth.flow_state set auth_code_issued_at = now(), updated_at = now()
    where id = (select id from auth.flow_state
                where user_id = ${userId} and authentication_method = ${method}
                order by created_at desc limit 1)
    returning auth_code`;
  if (!flow) throw flowStateNotFound();
  return flow.auth_code;
}
