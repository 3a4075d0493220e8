/**
 * The chat's rule for the local stack's Realtime, which asks RLS again for some users' private
 * subscriptions after a database broadcast (`reauthorizeAfter` of `local/realtime`): after a
 * `member.changed` on `channel:<id>` (supabase/migrations), the member it names. So someone
 * removed from a channel stops hearing it at once, not when their token is next refreshed.
 *
 * Hosted Supabase has no such hook: there Realtime checks a private topic's policies when a
 * client joins and when it sends a new token. `local/stack.ts` passes this rule to Realtime, as
 * it hosts this function; `local/` itself knows no event names.
 */
export function reauthorizeAfter(
  m: { event: string; payload: Record<string, unknown> },
): string[] | undefined {
  return m.event === "member.changed" && typeof m.payload.user_id === "string"
    ? [m.payload.user_id]
    : undefined;
}
