/** Supabase Auth's admin API, as the functions use it: ban and unban users (service key). */
import { DependencyDownError } from "./errors.ts";

/**
 * A function that bans (`ban_duration` ~100 years) or unbans (`none`) a user, or undefined
 * when the URL or key is missing.
 */
export function authBanner(supabaseUrl: string | undefined, serviceKey: string | undefined) {
  if (!supabaseUrl || !serviceKey) return undefined;
  return async (userId: string, banned: boolean) => {
    const res = await fetch(`${supabaseUrl}/auth/v1/admin/users/${userId}`, {
      method: "PUT",
      headers: {
        apikey: serviceKey,
        authorization: `Bearer ${serviceKey}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ ban_duration: banned ? "876000h" : "none" }),
    });
    if (!res.ok) {
      throw new DependencyDownError(
        `Auth refused the ban change: ${res.status} ${await res.text()}`,
      );
    }
    await res.body?.cancel();
  };
}
