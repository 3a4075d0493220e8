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
import { MFA_ERRORS } from "../i18n/mfa.ts";
import { AuthCard, CodeField, isCode, Step, useStepState } from "./AuthStep.tsx";

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
  const { common, run, clear } = useStepState(MFA_ERRORS);
  const factor = session.session.value?.user.factors?.find((f) =>
    f.status === "verified" && f.factor_type === "totp"
  );

  // The session's change (MFA_CHALLENGE_VERIFIED) takes the app on to the chat.
  const verify = () =>
    run(async () => {
      if (!factor) return null;
      const { error } = await sb.auth.mfa.challengeAndVerify({
        factorId: factor.id,
        code: code.trim(),
      });
      if (error) setCode("");
      return error;
    });

  return (
    <AuthCard>
      <Step
        {...common}
        title={t("mfa.challenge.title")}
        intro={t("mfa.challenge.intro")}
        submit={t("mfa.challenge.verify")}
        disabled={!isCode(code)}
        onSubmit={verify}
        links={[[t("mfa.challenge.logout"), () => void session.signOut()]]}
      >
        <CodeField
          label={t("mfa.code")}
          autoFocus
          value={code}
          onValue={(v) => {
            setCode(v);
            clear();
          }}
        />
        <p class="muted">{t("mfa.recovery")}</p>
      </Step>
    </AuthCard>
  );
}
