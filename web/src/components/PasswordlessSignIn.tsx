/**
 * Signing in without a password (`signInWithOtp`): the address, then one mail with a link and
 * a code. The link comes back to this app with `?code=` (PKCE), which supabase-js exchanges at
 * start; the code is typed here (`verifyOtp` type `email`). Only existing accounts sign in
 * this way (`shouldCreateUser: false`; Auth answers an unknown address `otp_disabled`):
 * signing up asks for a username first.
 */
import { useState } from "preact/hooks";
import { useApp } from "../context.ts";
import { t } from "../i18n/mod.ts";
import { type CodeDigits, CodeField, EmailField, isCode, Step, useStepState } from "./AuthStep.tsx";

/** Mailed codes have `[auth.email] otp_length` digits: 6 to 10. */
const DIGITS: CodeDigits = [6, 10];

export function PasswordlessSignIn(
  { email: initial, onPassword }: { email: string; onPassword: () => void },
) {
  const { sb } = useApp();
  const [email, setEmail] = useState(initial);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [code, setCode] = useState("");
  const { common, run } = useStepState();

  const send = async (address: string) => {
    const { error } = await sb.auth.signInWithOtp({
      email: address,
      options: { shouldCreateUser: false, emailRedirectTo: `${location.origin}/` },
    });
    return error;
  };
  const back: [string, () => void] = [t("pwless.password"), onPassword];

  if (sentTo === null) {
    return (
      <Step
        {...common}
        title={t("pwless.title")}
        intro={t("pwless.body")}
        submit={t("pwless.submit")}
        onSubmit={() =>
          run(async () => {
            const address = email.trim();
            const e = await send(address);
            if (!e) setSentTo(address);
            return e;
          })}
        links={[back]}
      >
        <EmailField value={email} onValue={setEmail} />
      </Step>
    );
  }
  return (
    <Step
      {...common}
      title={t("auth.inbox.title")}
      intro={t("pwless.sent.body", { email: sentTo })}
      submit={t("pwless.verify")}
      disabled={!isCode(code, DIGITS)}
      onSubmit={() =>
        run(async () =>
          (await sb.auth.verifyOtp({ email: sentTo, token: code.trim(), type: "email" })).error
        )}
      links={[[t("pwless.resend"), () => run(() => send(sentTo), t("pwless.resent"))], back]}
    >
      <CodeField label={t("pwless.code")} digits={DIGITS} value={code} onValue={setCode} />
    </Step>
  );
}
