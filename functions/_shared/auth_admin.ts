/**
 * Supabase Auth's admin API, as the functions use it with the service key: ban and unban users,
 * and invite people (Auth creates the invitee and mails the invite; its refusals become the
 * API's codes).
 */
import { AppError, DependencyDownError } from "./errors.ts";

export type InviteUser = (email: string) => Promise<{ id: string; email: string }>;

/** A request to Auth as the service role. */
function authAdmin(supabaseUrl: string, serviceKey: string) {
  return (method: string, path: string, body: unknown) =>
    fetch(`${supabaseUrl}/auth/v1${path}`, {
      method,
      headers: {
        apikey: serviceKey,
        authorization: `Bearer ${serviceKey}`,
        "content-type": "application/json",
        "x-supabase-api-version": "2024-01-01",
      },
      body: JSON.stringify(body),
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
