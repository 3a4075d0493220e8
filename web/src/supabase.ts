/**
 * The supabase-js client for Auth, Realtime and Storage. "Remember me" decides where the
 * session lives: localStorage (kept across restarts) or sessionStorage (gone with the tab).
 * The PKCE code verifier always goes to localStorage, so a confirmation or reset link opened
 * in another tab of the same browser still completes the sign-in.
 */
import { createClient, type SupabaseClient } from "@supabase/supabase-js";

export interface AppConfig {
  supabaseUrl: string;
  anonKey: string;
}

const REMEMBER = "chat.remember";

export const remember = {
  get: (): boolean => localStorage.getItem(REMEMBER) !== "0",
  set(on: boolean) {
    localStorage.setItem(REMEMBER, on ? "1" : "0");
  },
};

const sessionStore = {
  getItem: (k: string) => sessionStorage.getItem(k) ?? localStorage.getItem(k),
  setItem(k: string, v: string) {
    const keep = k.endsWith("-code-verifier") || remember.get();
    (keep ? localStorage : sessionStorage).setItem(k, v);
    (keep ? sessionStorage : localStorage).removeItem(k);
  },
  removeItem(k: string) {
    localStorage.removeItem(k);
    sessionStorage.removeItem(k);
  },
};

export async function loadConfig(): Promise<AppConfig> {
  const res = await fetch("/config.json", { cache: "no-store" });
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
  const c = await res.json() as Partial<AppConfig>;
  if (!c.supabaseUrl || !c.anonKey) throw new Error("config.json needs supabaseUrl and anonKey");
  return { supabaseUrl: c.supabaseUrl.replace(/\/$/, ""), anonKey: c.anonKey };
}

export function makeClient(cfg: AppConfig): SupabaseClient {
  return createClient(cfg.supabaseUrl, cfg.anonKey, {
    auth: {
      flowType: "pkce",
      storage: sessionStore,
      persistSession: true,
      autoRefreshToken: true,
      detectSessionInUrl: true,
    },
    realtime: { params: { log_level: "warn" } },
  });
}

/** The `user_role` claim the access-token hook adds. */
export function roleOf(accessToken: string | undefined): "user" | "moderator" | "admin" {
  try {
    const part = accessToken?.split(".")[1];
    if (!part) return "user";
    const json = JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/")));
    const r = json.user_role;
    return r === "admin" || r === "moderator" ? r : "user";
  } catch {
    return "user";
  }
}
