/**
 * The second step of signing in, for people with two-factor authentication: the password gave
 * an aal1 session, their verified factor asks for aal2 (what
 * `mfa.getAuthenticatorAssuranceLevel()` calls currentLevel and nextLevel). They type the code
 * of their authenticator app (`mfa.challengeAndVerify`); the aal2 session that comes back opens
 * the chat. Someone who lost the app reads how to get back in: an admin removes the factor.
 */
import { useState } from "preact/hooks";
import type { Session } from "@supabase/supabase-js";
import { useApp } from "../context.ts";
import { t } from "../i18n/mod.ts";
import { errorMessage } from "../i18n/errors.ts";
import { MFA_ERRORS } from "../i18n/mfa.ts";
import { Field } from "./Field.tsx";
import { Step } from "./AuthStep.tsx";

/** The token's `aal` claim (auth-js reads it the same way, without verifying). */
function aalOf(accessToken: string): string | undefined {
  try {
    const part = accessToken.split(".")[1] ?? "";
    return JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/"))).aal;
  } catch {
    return undefined;
  }
}

/** Whether this session still owes its second factor: aal1 now, aal2 next. */
export function needsSecondFactor(s: Session): boolean {
  const verified = s.user.factors?.some((f) => f.status === "verified") ?? false;
  return verified && aalOf(s.access_token) !== "aal2";
}

export function MfaChallenge() {
  const { sb, session } = useApp();
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const factor = session.session.value?.user.factors?.find((f) =>
    f.status === "verified" && f.factor_type === "totp"
  );

  async function verify() {
    if (!factor) return;
    setBusy(true);
    setError(null);
    try {
      const { error: e } = await sb.auth.mfa.challengeAndVerify({
        factorId: factor.id,
        code: code.trim(),
      });
      if (e) throw e;
      // The session's change (MFA_CHALLENGE_VERIFIED) takes the app on to the chat.
    } catch (e) {
      setCode("");
      setError(errorMessage(e, MFA_ERRORS));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="auth">
      <div class="auth-card">
        <p class="brand" aria-hidden="true">💬 {t("app.name")}</p>
        <Step
          title={t("mfa.challenge.title")}
          intro={t("mfa.challenge.intro")}
          submit={t("mfa.challenge.verify")}
          busy={busy}
          error={error}
          disabled={!/^\d{6}$/.test(code.trim())}
          onSubmit={verify}
          links={[[t("mfa.challenge.logout"), () => void session.signOut()]]}
        >
          <Field
            label={t("mfa.code")}
            inputMode="numeric"
            autocomplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            required
            autoFocus
            value={code}
            onValue={(v) => {
              setCode(v);
              setError(null);
            }}
          />
          <p class="muted">{t("mfa.recovery")}</p>
        </Step>
      </div>
    </main>
  );
}
