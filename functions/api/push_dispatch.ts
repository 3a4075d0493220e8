/**
 * Web Push after a message is stored: each recipient whose rules say yes (`notify_rules.ts`)
 * gets a push on each of their subscriptions, in the background, as the sender's query sees
 * them (`public.push_targets`). Subscriptions the push service answers 404/410 are removed.
 */
import { asCaller, type Sql } from "../_shared/db.ts";
import { decide, type NotifyLevel } from "../_shared/notify_rules.ts";
import { sendPush } from "../_shared/web_push.ts";
import type { PushConfig } from "../_shared/push_config.ts";
import type { Metrics } from "../_shared/metrics.ts";
import type { AfterSend } from "./messages.ts";
import { COUNTER_HELP } from "./metrics_route.ts";

import type { Claims } from "./middleware/auth.ts";

export interface PushDeps {
  sql: Sql;
  config: PushConfig;
  now: () => Date;
  metrics?: Metrics;
}

/** What became of one subscription's push: the label of `push_notifications_total`. */
type Outcome = "sent" | "skipped" | "refused" | "gone" | "failed";

/** Whether a subscription's endpoint may be posted to. */
export function endpointAllowed(endpoint: string, allowHttp: string[]): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (allowHttp.includes(url.origin)) return true;
  // Push services have public DNS names: no IP literals or local names (the API would post to
  // its own network otherwise).
  const host = url.hostname.toLowerCase();
  if (/^[\d.]+$|^\[|^localhost$|\.localhost$|\.local$|\.internal$/.test(host)) return false;
  return url.protocol === "https:";
}

interface Target {
  user_id: string;
  mention: boolean;
  level: NotifyLevel;
  dnd_start: string | null;
  dnd_end: string | null;
  time_zone: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  channel_title: string;
  sender_name: string;
  content: string;
  channel_id: string;
  kind: string;
}

const BODY = 140;

/** Sends the pushes of a stored message (as its sender); never throws. */
async function dispatch(
  { sql, config, now, metrics }: PushDeps,
  claims: Claims,
  messageId: number,
) {
  const vapid = config.vapid;
  if (!vapid) return;
  const targets = await asCaller(
    sql,
    claims,
    "write",
    (tx) =>
      tx<Target[]>`select user_id, mention, level, to_char(dnd_start, 'HH24:MI') as dnd_start,
        to_char(dnd_end, 'HH24:MI') as dnd_end, time_zone, endpoint, p256dh, auth,
        channel_title, sender_name, content, channel_id, kind
        from public.push_targets(${messageId})`,
  );
  const count = (result: Outcome) =>
    metrics?.inc("push_notifications_total", COUNTER_HELP.push_notifications_total, { result });
  await Promise.all(targets.map(async (t) => {
    // Only https endpoints (or allow-listed test ones), checked again as stored ones may age.
    if (!endpointAllowed(t.endpoint, config.allowHttp)) return count("refused");
    const v = decide({
      level: t.level,
      mention: t.mention,
      prefs: { ...t, sound: false },
      now: now(),
    });
    if (!v.notify) return count("skipped");
    const payload = {
      title: t.mention ? `@ ${t.channel_title}` : t.channel_title,
      body: `${t.sender_name}: ${t.content}`.slice(0, BODY),
      channel_id: t.channel_id,
      message_id: messageId,
      mention: t.mention,
      // A mention keeps its own notification: later ordinary messages replace only theirs.
      tag: t.mention ? `mention-${messageId}` : `chat-${t.channel_id}`,
    };
    try {
      const status = await sendPush(t, payload, vapid);
      count(status === 404 || status === 410 ? "gone" : status < 300 ? "sent" : "failed");
      if (status === 404 || status === 410) {
        await asCaller(
          sql,
          claims,
          "write",
          (tx) => tx`select public.push_gone(${messageId}, ${t.endpoint})`,
        );
      }
    } catch (e) {
      count("failed");
      console.error(JSON.stringify({ level: "warn", msg: "push failed", error: String(e) }));
    }
  }));
}

/**
 * The send route's hook that pushes a new message; undefined when push is off.
 *
 * @example
 * const hook = pushAfterSend({ sql, config, now: () => new Date() });
 */
export function pushAfterSend(deps: PushDeps): AfterSend | undefined {
  if (!deps.config.vapid) return undefined;
  return (message, claims) => {
    void dispatch(deps, claims, message.id).catch((e) =>
      console.error(JSON.stringify({ level: "error", msg: "push dispatch", error: String(e) }))
    );
  };
}
