/**
 * Who is signed in: the Supabase session (Auth), the profile and role from the API, and the
 * account actions of the sign-in screens and the profile editor.
 */
import { computed, signal } from "@preact/signals";
import type { AuthError, Session, SupabaseClient } from "@supabase/supabase-js";
import { type Api, createApi } from "../api.ts";
import { remember, roleOf } from "../supabase.ts";
import type { Profile } from "../types.ts";
import { hasLangChoice, type Lang, LANGUAGES, setLang } from "../i18n/mod.ts";

export type AuthView =
  | { name: "login" }
  | { name: "signup" }
  | { name: "check-inbox"; email: string }
  | { name: "forgot" }
  | { name: "reset-sent"; email: string }
  | { name: "new-password" };

export function createSessionState(sb: SupabaseClient, supabaseUrl: string) {
  const session = signal<Session | null | undefined>(undefined); // undefined: not known yet
  const profile = signal<Profile | null>(null);
  const view = signal<AuthView>({ name: "login" });
  const recovering = signal(false);
  const userId = computed(() => session.value?.user.id ?? null);
  const role = computed(() => roleOf(session.value?.access_token));
  const api: Api = createApi(supabaseUrl, async () => {
    const { data } = await sb.auth.getSession();
    return data.session?.access_token;
  });

  async function loadProfile() {
    try {
      const { profile: p } = await api.get<{ profile: Profile }>("/me");
      profile.value = p;
      // The language chosen on another device, unless this browser has a choice of its own.
      if (p.locale && !hasLangChoice() && p.locale in LANGUAGES) setLang(p.locale as Lang);
    } catch {
      profile.value = null;
    }
  }

  sb.auth.onAuthStateChange((event, s) => {
    if (event === "PASSWORD_RECOVERY") {
      recovering.value = true;
      view.value = { name: "new-password" };
    }
    const changedUser = s?.user.id !== session.value?.user.id;
    session.value = s;
    if (!s) profile.value = null;
    else if (changedUser) {
      // Not inside the callback: supabase-js holds a lock while it runs.
      setTimeout(loadProfile, 0);
    }
  });

  const emailRedirect = () => `${location.origin}/`;

  return {
    session,
    profile,
    userId,
    role,
    view,
    recovering,
    api,
    loadProfile,
    async signIn(email: string, password: string, keep: boolean): Promise<AuthError | null> {
      remember.set(keep);
      const { error } = await sb.auth.signInWithPassword({ email, password });
      return error;
    },
    async signUp(email: string, password: string, username: string): Promise<AuthError | null> {
      const { data, error } = await sb.auth.signUp({
        email,
        password,
        options: { data: { username }, emailRedirectTo: emailRedirect() },
      });
      if (!error && !data.session) view.value = { name: "check-inbox", email };
      return error;
    },
    async resend(email: string): Promise<AuthError | null> {
      const { error } = await sb.auth.resend({
        type: "signup",
        email,
        options: { emailRedirectTo: emailRedirect() },
      });
      return error;
    },
    async verifyCode(email: string, token: string): Promise<AuthError | null> {
      const { error } = await sb.auth.verifyOtp({ email, token, type: "signup" });
      return error;
    },
    async sendReset(email: string): Promise<AuthError | null> {
      const { error } = await sb.auth.resetPasswordForEmail(email, {
        redirectTo: emailRedirect(),
      });
      if (!error) view.value = { name: "reset-sent", email };
      return error;
    },
    /** The 6-digit code of a reset mail: a recovery session, then the new-password step. */
    async verifyRecoveryCode(email: string, token: string): Promise<AuthError | null> {
      recovering.value = true; // the session that comes is for choosing a password only
      const { error } = await sb.auth.verifyOtp({ email, token, type: "recovery" });
      if (error) recovering.value = false;
      else view.value = { name: "new-password" };
      return error;
    },
    async setNewPassword(password: string): Promise<AuthError | null> {
      const { error } = await sb.auth.updateUser({ password });
      if (!error) {
        recovering.value = false;
        view.value = { name: "login" };
      }
      return error;
    },
    /**
     * Asks Auth to move the account to `email`: confirmation mails go to the new address (and,
     * with `double_confirm_changes`, the current one); the address changes once confirmed.
     */
    async changeEmail(email: string): Promise<AuthError | null> {
      const { error } = await sb.auth.updateUser(
        { email },
        { emailRedirectTo: emailRedirect() },
      );
      return error;
    },
    async oauth(provider: "github" | "google"): Promise<AuthError | null> {
      const { error } = await sb.auth.signInWithOAuth({
        provider,
        options: { redirectTo: emailRedirect() },
      });
      return error;
    },
    async signOut() {
      await sb.auth.signOut({ scope: "local" });
    },
    async deactivate() {
      await api.del("/me");
      await sb.auth.signOut({ scope: "local" });
    },
  };
}

export type SessionState = ReturnType<typeof createSessionState>;
