/**
 * Signing in: log in (remember me), or by a mailed link or code (PasswordlessSignIn.tsx); sign
 * up with the "check your inbox" step (resend, or type the 6-digit code), forgotten password,
 * the new password after a reset link, OAuth buttons for the providers the project has
 * enabled. A password that breaks the rules is said once, under its field (which takes the
 * focus on submit), not again above the button.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { AuthError } from "@supabase/supabase-js";
import { useApp } from "../context.ts";
import { t } from "../i18n/mod.ts";
import { errorMessage } from "../i18n/errors.ts";
import { passwordProblem, USERNAME } from "../lib/password.ts";
import { remember } from "../supabase.ts";
import type { AuthView } from "../state/session.ts";
import { Field } from "./Field.tsx";
import { AuthCard, CodeField, EmailField, isCode, Step, useStepState } from "./AuthStep.tsx";
import { NewPasswordField } from "./NewPasswordField.tsx";
import { PasswordlessSignIn } from "./PasswordlessSignIn.tsx";

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
            if (e) onError(errorMessage(e));
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
  const { common, run, clear, setError } = useStepState();
  /** Signing in by a mailed link or code instead of the password. */
  const [byEmail, setByEmail] = useState(false);
  const go = (v: AuthView) => () => {
    clear();
    setByEmail(false);
    session.view.value = v;
  };
  const pwProblem = password ? passwordProblem(password) : null;
  const card = useRef<HTMLDivElement>(null);
  /** The rule a chosen password breaks is already shown under its field: go there. */
  const toPassword = () => {
    const input = card.current?.querySelector<HTMLInputElement>(
      "input[autocomplete='new-password']",
    );
    input?.focus();
    input?.select();
  };
  const emailField = <EmailField value={email} onValue={setEmail} />;
  const newPasswordField = (label: string) => (
    <NewPasswordField label={label} value={password} onValue={setPassword} />
  );
  const toLogin: [string, () => void] = [t("auth.login.link"), go({ name: "login" })];

  let form;
  /** A mailed code's step: type it (or follow the mail's link), or have the mail sent again. */
  const codeStep = (
    intro: string,
    verify: () => Promise<AuthError | null>,
    again: () => Promise<AuthError | null>,
  ) => (
    <Step
      {...common}
      title={t("auth.inbox.title")}
      intro={intro}
      submit={t("auth.inbox.verify")}
      disabled={!isCode(code)}
      onSubmit={() => run(verify)}
      links={[[t("auth.inbox.resend"), () => run(again, t("auth.inbox.resent"))], toLogin]}
    >
      <CodeField label={t("auth.inbox.code")} value={code} onValue={setCode} />
    </Step>
  );
  switch (view.name) {
    case "login":
      if (byEmail) {
        form = <PasswordlessSignIn email={email.trim()} onPassword={() => setByEmail(false)} />;
        break;
      }
      form = (
        <Step
          {...common}
          title={t("auth.login.title")}
          submit={t("auth.login.submit")}
          onSubmit={() => run(() => session.signIn(email.trim(), password, keep))}
          links={[
            [t("pwless.link"), () => {
              clear();
              setByEmail(true);
            }],
            [t("auth.forgot.link"), go({ name: "forgot" })],
            [t("auth.signup.link"), go({ name: "signup" })],
          ]}
        >
          {emailField}
          <Field
            label={t("auth.password")}
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onValue={setPassword}
          />
          <label class="check">
            <input
              type="checkbox"
              checked={keep}
              onChange={(e) => setKeep(e.currentTarget.checked)}
            />
            {t("auth.remember")}
          </label>
        </Step>
      );
      break;
    case "signup":
      form = (
        <Step
          {...common}
          title={t("auth.signup.title")}
          submit={t("auth.signup.submit")}
          onSubmit={() => {
            const u = username.trim().toLowerCase();
            if (!USERNAME.test(u)) return setError(t("auth.err.username"));
            if (pwProblem) return toPassword();
            run(() => session.signUp(email.trim(), password, u));
          }}
          links={[toLogin]}
        >
          {emailField}
          <Field
            label={t("auth.username")}
            autocomplete="username"
            required
            minLength={3}
            maxLength={32}
            pattern="[A-Za-z0-9_.]{3,32}"
            value={username}
            onValue={setUsername}
            hint={t("auth.username.hint")}
          />
          {newPasswordField(t("auth.password"))}
        </Step>
      );
      break;
    case "check-inbox":
      form = codeStep(
        t("auth.inbox.body", { email: view.email }),
        () => session.verifyCode(view.email, code.trim()),
        () => session.resend(view.email),
      );
      break;
    case "forgot":
      form = (
        <Step
          {...common}
          title={t("auth.forgot.title")}
          intro={t("auth.forgot.body")}
          submit={t("auth.forgot.submit")}
          onSubmit={() => run(() => session.sendReset(email.trim()))}
          links={[toLogin]}
        >
          {emailField}
        </Step>
      );
      break;
    case "reset-sent":
      // By the mail's link (which lands on the new-password step) or by its code, typed here.
      form = codeStep(
        t("auth.reset.sent", { email: view.email }),
        () => session.verifyRecoveryCode(view.email, code.trim()),
        () => session.sendReset(view.email),
      );
      break;
    case "new-password":
      form = (
        <Step
          {...common}
          title={t("auth.newpw.title")}
          submit={t("auth.newpw.submit")}
          onSubmit={() => {
            if (pwProblem) return toPassword();
            run(() => session.setNewPassword(password));
          }}
          links={[]}
        >
          {newPasswordField(t("auth.newpw.password"))}
        </Step>
      );
      break;
  }
  return (
    <AuthCard cardRef={card}>
      {/* A fresh form per step: no input carries over from the one before. */}
      <div key={byEmail ? "by-email" : view.name}>{form}</div>
      {(view.name === "login" || view.name === "signup") && <OAuthButtons onError={setError} />}
    </AuthCard>
  );
}
