/**
 * Access ends at once, not when the token expires. The platform layer NOTIFYs
 * `realtime_local_revoke` when Auth takes access back (a session row deleted: sign-out of any
 * scope, a ban, a deleted user; a user banned or soft-deleted), and Realtime closes every
 * subscription joined with a token of that session or user: a system error ("You no longer
 * have permission to read from this Channel topic: X"), then phx_close. Joins and token
 * refreshes ask the same question of the database (cached until the next revocation), and after
 * the database link was down every open subscription's token is asked again, as notices sent
 * meanwhile are lost.
 *
 * Separately, `reauthorize` asks RLS again for some users' private subscriptions on a topic
 * (the local stack calls it after a membership change is broadcast from the database).
 */
import type postgres from "postgres";
import { accessRevoked, canRead, type Claims, identityOf } from "./authz.ts";
import { type Hub, log, type Sub } from "./hub.ts";
import { SYSTEM } from "./protocol.ts";

const CACHE_MAX = 10_000;

export function createRevocations(sql: postgres.Sql, hub: Hub) {
  /** Identities found not revoked since the last revocation notice. */
  const allowed = new Set<string>();
  let revision = 0;
  const keyOf = (w: { userId: string; sessionId: string | null }) => `${w.userId}/${w.sessionId}`;

  const shut = (sub: Sub) => hub.close(sub, SYSTEM.noLongerAllowed(sub.subtopic));

  /** Has this token's access been taken back? */
  async function revoked(claims: Claims): Promise<boolean> {
    const who = identityOf(claims);
    if (!who) return false;
    const key = keyOf(who);
    if (allowed.has(key)) return false;
    const at = revision;
    const out = await accessRevoked(sql, claims);
    if (!out && at === revision) {
      if (allowed.size >= CACHE_MAX) allowed.clear();
      allowed.add(key);
    }
    return out;
  }

  /** A subscription registered after an await: was a revocation noticed meanwhile? */
  function since(at: number, sub: Sub) {
    if (at === revision) return;
    revoked(sub.claims).then((r) => r && shut(sub)).catch((e) => log("revocation check", e));
  }

  function onNotify(text: string) {
    let v: { user_id?: unknown; session_id?: unknown };
    try {
      v = JSON.parse(text);
    } catch {
      return;
    }
    revision++;
    allowed.clear();
    for (const sub of [...hub.allSubs()]) {
      const who = identityOf(sub.claims);
      if (!who) continue;
      if (
        (typeof v.session_id === "string" && who.sessionId === v.session_id) ||
        (typeof v.session_id !== "string" && who.userId === v.user_id)
      ) shut(sub);
    }
  }

  /** After the database link came back: notices may have been lost, so ask for every token. */
  async function recheckAll() {
    revision++;
    allowed.clear();
    const byKey = new Map<string, Sub[]>();
    for (const sub of hub.allSubs()) {
      const who = identityOf(sub.claims);
      if (!who) continue;
      const key = keyOf(who);
      const subs = byKey.get(key);
      if (subs) subs.push(sub);
      else byKey.set(key, [sub]);
    }
    for (const subs of byKey.values()) {
      if (await revoked(subs[0]!.claims)) subs.forEach(shut);
    }
  }

  /** Asks RLS again whether `userIds` may still read `topic`; closes the subscriptions that may not. */
  async function reauthorize(topic: string, userIds: string[]) {
    const ids = new Set(userIds);
    for (const sub of hub.subscribers(topic)) {
      if (!sub.private || !ids.has(String(sub.claims.sub))) continue;
      if (!(await canRead(sql, sub.claims, sub.subtopic, sub.presence))) shut(sub);
      else sub.forgetRights();
    }
  }

  return {
    revoked,
    since,
    get revision() {
      return revision;
    },
    onNotify,
    recheckAll,
    reauthorize,
  };
}
