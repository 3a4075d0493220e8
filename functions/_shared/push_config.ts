/**
 * Web Push settings (issue 14): the VAPID key pair and contact (VAPID_PUBLIC_KEY,
 * VAPID_PRIVATE_KEY, VAPID_SUBJECT; push is off unless all three are set) and the origins whose
 * plain-http push endpoints are accepted (PUSH_ENDPOINT_ALLOW, comma-separated; a local test
 * push service only: real push services are https).
 */
import type { Vapid } from "./web_push.ts";

export interface PushConfig {
  vapid: Vapid | null;
  /** Origins whose http:// endpoints are accepted (a local test push service). */
  allowHttp: string[];
}

export const PUSH_OFF: PushConfig = { vapid: null, allowHttp: [] };

export function pushConfigFromEnv(
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): PushConfig {
  const get = (n: string) => env(n)?.trim() || undefined;
  const publicKey = get("VAPID_PUBLIC_KEY");
  const privateKey = get("VAPID_PRIVATE_KEY");
  const subject = get("VAPID_SUBJECT");
  return {
    vapid: publicKey && privateKey && subject ? { publicKey, privateKey, subject } : null,
    allowHttp: (get("PUSH_ENDPOINT_ALLOW") ?? "").split(",").map((s) => s.trim())
      .filter(Boolean),
  };
}
