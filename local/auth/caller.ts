/**
 * The signed-in caller of a user route, as supabase/auth's `requireAuthentication` and
 * `maybeLoadUserOrSession` find them (`internal/api/auth.go`): a valid bearer JWT whose user
 * still exists (403 `user_not_found`) and, when the token names a session, whose session still
 * exists (403 `session_not_found`). `requireNotAnonymous` is GoTrue's middleware of that name.
 */
import type { Context } from "hono";
import { AuthError } from "./errors.ts";
import { type AuthCtx, bearerClaims, type JwtClaims } from "./context.ts";
import { findUserById, type UserRow } from "./users.ts";

export interface CallerSession {
  id: string;
  aal: string;
  created_at: Date;
}

export interface Caller {
  claims: JwtClaims;
  user: UserRow;
  /** The session the token names (none for a token without `session_id`). */
  session: CallerSession | undefined;
}

/**
 * The caller of `c`, or GoTrue's 401/403.
 *
 * @example
 * const { user, session } = await signedInUser(ctx, c);
 */
export async function signedInUser(ctx: AuthCtx, c: Context): Promise<Caller> {
  const claims = await bearerClaims(c, ctx.cfg);
  const user = claims.sub ? await findUserById(ctx.sql, claims.sub) : undefined;
  if (!user) {
    throw new AuthError(403, "user_not_found", "User from sub claim in JWT does not exist");
  }
  let session: CallerSession | undefined;
  if (claims.session_id) {
    [session] = await ctx.sql<CallerSession[]>`
      select id, coalesce(aal::text, 'aal1') as aal, created_at from auth.sessions
      where id = ${claims.session_id}`;
    if (!session) {
      throw new AuthError(
        403,
        "session_not_found",
        "Session from session_id claim in JWT does not exist",
      );
    }
  }
  return { claims, user, session };
}

/** 403 `no_authorization` for an anonymous user's token (GoTrue's requireNotAnonymous). */
export function requireNotAnonymous(caller: Caller): void {
  if (caller.claims.is_anonymous === true) {
    throw new AuthError(
      403,
      "no_authorization",
      "Anonymous user not allowed to perform these actions",
    );
  }
}
