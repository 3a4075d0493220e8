/**
 * Supabase Auth's admin API, as the functions use it with the service key: ban and unban users,
 * invite people (Auth creates the invitee and mails the invite; its refusals become the API's
 * codes), and remove someone's MFA factors. The `auth` schema belongs to Auth
 * (supabase_auth_admin on a hosted project): the functions change it only through this API.
 */
import { AppError, DependencyDownError, NotFoundError } from "./errors.ts";

export type InviteUser = (email: string) => Promise<{ id: string; email: string }>;
/** Removes every MFA factor of a user; answers how many there were. */
export type ResetFactors = (userId: string) => Promise<number>;

/** A request to Auth as the service role. */
function authAdmin(supabaseUrl: string, serviceKey: string) {
  return (method: string, path: string, body?: unknown) =>
    fetch(`${supabaseUrl}/auth/v1${path}`, {
      method,
      headers: {
        apikey: serviceKey,
        authorization: `Bearer ${serviceKey}`,
        "content-type": "application/json",
        "x-supabase-api-version": "2024-01-01",
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
}

/**
 * A function that bans (`ban_duration` ~100 years) or unbans (`none`) a user, or undefined
 * when the URL or key is missing.
 */
export function authBanner(supabaseUrl: string | undefined, serviceKey: string | undefined) {
  if (!supabaseUrl || !serviceKey) return undefined;
  const call = authAdmin(supabaseUrl, serviceKey);
  return async (userId: string, banned: boolean) => {
    const res = await call("PUT", `/admin/users/${userId}`, {
      ban_duration: banned ? "876000h" : "none",
    });
    if (!res.ok) {
      throw new DependencyDownError(
        `Auth refused the ban change: ${res.status} ${await res.text()}`,
      );
    }
    await res.body?.cancel();
  };
}

/**
 * A function that invites `email`, or undefined when the URL or key is missing.
 *
 * @example
 * const invite = authInviter(cfg.supabaseUrl, cfg.serviceRoleKey);
 * await invite?.("new.person@example.com");
 */
export function authInviter(
  supabaseUrl: string | undefined,
  serviceKey: string | undefined,
): InviteUser | undefined {
  if (!supabaseUrl || !serviceKey) return undefined;
  const call = authAdmin(supabaseUrl, serviceKey);
  return async (email) => {
    const res = await call("POST", "/invite", { email });
    const json = await res.json().catch(() => ({})) as {
      id?: string;
      email?: string;
      code?: string;
      message?: string;
    };
    if (res.ok && json.id) return { id: json.id, email: json.email ?? email };
    const why = `Auth refused the invite: ${res.status} ${json.code ?? ""} ${json.message ?? ""}`;
    if (json.code === "email_exists") throw new AppError("conflict", "Already has an account");
    if (res.status === 429) throw new AppError("rate_limited", "Too many invites; try later");
    if (res.status === 400 || res.status === 422) throw new AppError("validation_failed", why);
    throw new DependencyDownError(why);
  };
}

/**
 * A function that removes all of a user's MFA factors (someone who lost their authenticator):
 * `GET /admin/users/:id/factors`, then `DELETE …/factors/:factorId` for each, as
 * `auth.admin.mfa.listFactors` and `deleteFactor` do; Auth takes the sessions the factors
 * raised back to aal1. Undefined when the URL or key is missing.
 *
 * @example
 * const reset = authFactorReset(cfg.supabaseUrl, cfg.serviceRoleKey);
 * const removed = await reset?.(userId); // 1
 */
export function authFactorReset(
  supabaseUrl: string | undefined,
  serviceKey: string | undefined,
): ResetFactors | undefined {
  if (!supabaseUrl || !serviceKey) return undefined;
  const call = authAdmin(supabaseUrl, serviceKey);
  const refused = async (res: Response, what: string) =>
    new DependencyDownError(`Auth refused ${what}: ${res.status} ${await res.text()}`);
  return async (userId) => {
    const user = `/admin/users/${encodeURIComponent(userId)}`;
    const listed = await call("GET", `${user}/factors`);
    if (listed.status === 404) {
      await listed.body?.cancel();
      throw new NotFoundError("No such user");
    }
    if (!listed.ok) throw await refused(listed, "the factor list");
    const factors = await listed.json() as { id: string }[];
    let removed = 0;
    for (const f of factors) {
      const res = await call("DELETE", `${user}/factors/${encodeURIComponent(f.id)}`);
      // 404: gone meanwhile (the person removed it, or another admin was quicker).
      if (!res.ok && res.status !== 404) throw await refused(res, "the factor removal");
      if (res.ok) removed++;
      await res.body?.cancel();
    }
    return removed;
  };
}
