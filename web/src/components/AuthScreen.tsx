/**
 * Signing in: log in (remember me), sign up with the "check your inbox" step (resend, or type
 * the 6-digit code), forgotten password, the new password after a reset link, OAuth buttons
 * for the providers the project has enabled.
 */
import { useEffect, useState } from "preact/hooks";
import type { AuthError } from "@supabase/supabase-js";
import { useApp } from "../context.ts";
import { t } from "../i18n/mod.ts";
import { passwordProblem, USERNAME } from "../lib/password.ts";
import { remember } from "../supabase.ts";
import { Prefs } from "./Prefs.tsx";

function authMessage(e: AuthError): string {
  const code = (e as AuthError & { code?: string }).code;
  const known: Record<string, string> = {
    invalid_credentials: "auth.err.invalid_credentials",
    email_not_confirmed: "auth.err.email_not_confirmed",
    user_already_exists: "auth.err.user_already_exists",
    email_exists: "auth.err.user_already_exists",
    weak_password: "auth.err.weak_password",
    over_email_send_rate_limit: "auth.err.rate_limited",
    over_request_rate_limit: "auth.err.rate_limited",
    otp_expired: "auth.err.otp_expired",
    user_banned: "auth.err.banned",
  };
  return code && known[code] ? t(known[code]!) : e.message;
}

function ErrorLine({ text }: { text: string | null }) {
  return text ? <p class="error" role="alert">{text}</p> : null;
}

function OAuthButtons({ onError }: { onError: (m: string) => void }) {
  const { cfg, session } = useApp();
  const [enabled, setEnabled] = useState<string[]>([]);
  useEffect(() => {
    fetch(`${cfg.supabaseUrl}/auth/v1/settings`, { headers: { apikey: cfg.anonKey } })
      .then((r) => r.json())
      .then((s: { external?: Record<string, boolean> }) =>
        setEnabled(["github", "google"].filter((p) => s.external?.[p]))
      )
      .catch(() => setEnabled([]));
  }, []);
  if (!enabled.length) return null;
  return (
    <div class="oauth">
      <p class="muted">{t("auth.or")}</p>
      {enabled.map((p) => (
        <button
          type="button"
          class="btn"
          key={p}
          onClick={async () => {
            const e = await session.oauth(p as "github" | "google");
            if (e) onError(authMessage(e));
          }}
        >
          {t(`auth.oauth.${p}`)}
        </button>
      ))}
    </div>
  );
}

export function AuthScreen() {
  const { session } = useApp();
  const view = session.view.value;
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [username, setUsername] = useState("");
  const [code, setCode] = useState("");
  const [keep, setKeep] = useState(remember.get());
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const go = (v: typeof view) => {
    setError(null);
    setInfo(null);
    session.view.value = v;
  };
  const run = async (f: () => Promise<AuthError | null | string>) => {
    setBusy(true);
    setError(null);
    setInfo(null);
    try {
      const e = await f();
      if (e) setError(typeof e === "string" ? e : authMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const pwProblem = password ? passwordProblem(password) : null;

  let form;
  switch (view.name) {
    case "login":
      form = (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            run(() => session.signIn(email.trim(), password, keep));
          }}
        >
          <h1>{t("auth.login.title")}</h1>
          <label class="field">
            <span>{t("auth.email")}</span>
            <input
              type="email"
              autocomplete="email"
              required
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
            />
          </label>
          <label class="field">
            <span>{t("auth.password")}</span>
            <input
              type="password"
              autocomplete="current-password"
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={keep}
              onChange={(e) => setKeep(e.currentTarget.checked)}
            />
            {t("auth.remember")}
          </label>
          <ErrorLine text={error} />
          <button type="submit" class="btn primary" disabled={busy}>
            {t("auth.login.submit")}
          </button>
          <p class="links">
            <button type="button" class="link" onClick={() => go({ name: "forgot" })}>
              {t("auth.forgot.link")}
            </button>
            <button type="button" class="link" onClick={() => go({ name: "signup" })}>
              {t("auth.signup.link")}
            </button>
          </p>
          <OAuthButtons onError={setError} />
        </form>
      );
      break;
    case "signup":
      form = (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const u = username.trim().toLowerCase();
            if (!USERNAME.test(u)) return setError(t("auth.err.username"));
            if (pwProblem) return setError(t(`auth.err.password.${pwProblem}`));
            run(() => session.signUp(email.trim(), password, u));
          }}
        >
          <h1>{t("auth.signup.title")}</h1>
          <label class="field">
            <span>{t("auth.email")}</span>
            <input
              type="email"
              autocomplete="email"
              required
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
            />
          </label>
          <label class="field">
            <span>{t("auth.username")}</span>
            <input
              autocomplete="username"
              required
              minLength={3}
              maxLength={32}
              pattern="[A-Za-z0-9_.]{3,32}"
              value={username}
              aria-describedby="username-hint"
              onInput={(e) => setUsername(e.currentTarget.value)}
            />
          </label>
          <small id="username-hint" class="muted hint">{t("auth.username.hint")}</small>
          <label class="field">
            <span>{t("auth.password")}</span>
            <input
              type="password"
              autocomplete="new-password"
              required
              minLength={8}
              value={password}
              aria-describedby="password-hint"
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </label>
          <small id="password-hint" class={`hint ${pwProblem ? "error" : "muted"}`}>
            {pwProblem ? t(`auth.err.password.${pwProblem}`) : t("auth.password.hint")}
          </small>
          <ErrorLine text={error} />
          <button type="submit" class="btn primary" disabled={busy}>
            {t("auth.signup.submit")}
          </button>
          <p class="links">
            <button type="button" class="link" onClick={() => go({ name: "login" })}>
              {t("auth.login.link")}
            </button>
          </p>
          <OAuthButtons onError={setError} />
        </form>
      );
      break;
    case "check-inbox":
      form = (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            run(() => session.verifyCode(view.email, code.trim()));
          }}
        >
          <h1>{t("auth.inbox.title")}</h1>
          <p>{t("auth.inbox.body", { email: view.email })}</p>
          <label class="field">
            <span>{t("auth.inbox.code")}</span>
            <input
              inputMode="numeric"
              autocomplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              value={code}
              onInput={(e) => setCode(e.currentTarget.value)}
            />
          </label>
          <ErrorLine text={error} />
          {info && <p class="info" role="status">{info}</p>}
          <button type="submit" class="btn primary" disabled={busy || code.trim().length !== 6}>
            {t("auth.inbox.verify")}
          </button>
          <p class="links">
            <button
              type="button"
              class="link"
              disabled={busy}
              onClick={() =>
                run(async () => {
                  const e = await session.resend(view.email);
                  if (!e) setInfo(t("auth.inbox.resent"));
                  return e;
                })}
            >
              {t("auth.inbox.resend")}
            </button>
            <button type="button" class="link" onClick={() => go({ name: "login" })}>
              {t("auth.login.link")}
            </button>
          </p>
        </form>
      );
      break;
    case "forgot":
      form = (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            run(() => session.sendReset(email.trim()));
          }}
        >
          <h1>{t("auth.forgot.title")}</h1>
          <p>{t("auth.forgot.body")}</p>
          <label class="field">
            <span>{t("auth.email")}</span>
            <input
              type="email"
              autocomplete="email"
              required
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
            />
          </label>
          <ErrorLine text={error} />
          <button type="submit" class="btn primary" disabled={busy}>
            {t("auth.forgot.submit")}
          </button>
          <p class="links">
            <button type="button" class="link" onClick={() => go({ name: "login" })}>
              {t("auth.login.link")}
            </button>
          </p>
        </form>
      );
      break;
    case "reset-sent":
      form = (
        <div>
          <h1>{t("auth.inbox.title")}</h1>
          <p>{t("auth.reset.sent", { email: view.email })}</p>
          <button type="button" class="btn" onClick={() => go({ name: "login" })}>
            {t("auth.login.link")}
          </button>
        </div>
      );
      break;
    case "new-password":
      form = (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (pwProblem) return setError(t(`auth.err.password.${pwProblem}`));
            run(() => session.setNewPassword(password));
          }}
        >
          <h1>{t("auth.newpw.title")}</h1>
          <label class="field">
            <span>{t("auth.newpw.password")}</span>
            <input
              type="password"
              autocomplete="new-password"
              required
              minLength={8}
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </label>
          <ErrorLine text={error} />
          <button type="submit" class="btn primary" disabled={busy}>
            {t("auth.newpw.submit")}
          </button>
        </form>
      );
      break;
  }
  return (
    <main class="auth">
      <div class="auth-card">
        <p class="brand" aria-hidden="true">💬 {t("app.name")}</p>
        {form}
        <Prefs />
      </div>
    </main>
  );
}
