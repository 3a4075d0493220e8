/**
 * GoTrue's User JSON carries the user's MFA factors (`factors`, left out when there are none):
 * auth-js reads them from the session's user for `mfa.getAuthenticatorAssuranceLevel()` (the
 * next level is aal2 once a factor is verified) and from `GET /user` for `mfa.listFactors()`.
 * This middleware adds them to every answer that holds a user: sessions (`/token`, `/verify`,
 * `/signup`, a factor's verify), `/user`, and the admin's user and user list.
 */
import type { MiddlewareHandler } from "hono";
import type { AuthCtx } from "./context.ts";
import { factorJson, type FactorRow } from "./mfa_factors.ts";

const WITH_USER =
  /\/(token|user|verify|signup|factors\/[^/]+\/verify|admin\/users(\/[0-9a-f-]{36})?)$/i;

type Obj = Record<string, unknown>;
const isUser = (v: unknown): v is Obj =>
  !!v && typeof v === "object" && typeof (v as Obj).id === "string" && "aud" in (v as Obj);

/** The user objects in an answer: a session's user, a user, or a list of users. */
function usersIn(body: unknown): Obj[] {
  if (isUser(body)) return [body];
  const b = body as Obj | null;
  if (!b || typeof b !== "object") return [];
  if (isUser(b.user)) return [b.user];
  if (Array.isArray(b.users)) return b.users.filter(isUser);
  return [];
}

export function userFactors(ctx: AuthCtx): MiddlewareHandler {
  return async function addUserFactors(c, next) {
    await next();
    const res = c.res;
    if (res.status !== 200 || !WITH_USER.test(c.req.path)) return;
    if (!res.headers.get("content-type")?.includes("application/json")) return;
    const body = await res.clone().json().catch(() => undefined);
    const users = usersIn(body);
    if (!users.length) return;
    const ids = users.map((u) => u.id as string);
    const rows = await ctx.sql<FactorRow[]>`
      select * from auth.mfa_factors where user_id in ${ctx.sql(ids)} order by created_at, id`;
    if (!rows.length) return;
    for (const u of users) {
      const mine = rows.filter((f) => f.user_id === u.id);
      if (mine.length) u.factors = mine.map(factorJson);
    }
    const headers = new Headers(res.headers);
    headers.delete("content-length");
    c.res = new Response(JSON.stringify(body), { status: res.status, headers });
  };
}
