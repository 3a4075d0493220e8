/**
 * Signing in without a password (`signInWithOtp`): the address, then one mail with a link and
 * a code. The link comes back to this app with `?code=` (PKCE), which supabase-js exchanges at
 * start; the code is typed here (`verifyOtp` type `email`). Only existing accounts sign in
 * this way (`shouldCreateUser: false`): signing up asks for a username first.
 */
import { useState } from "preact/hooks";
import type { AuthError } from "@supabase/supabase-js";
import { useApp } from "../context.ts";
import { t } from "../i18n/mod.ts";
import { errorMessage } from "../i18n/errors.ts";
import { Field } from "./Field.tsx";
import { Step } from "./AuthStep.tsx";

/** Mailed codes have `[auth.email] otp_length` digits: 6 to 10. */
const CODE = /^\d{6,10}$/;

const message = (e: AuthError) =>
  e.code === "otp_disabled" ? t("pwless.err.noAccount") : errorMessage(e);

export function PasswordlessSignIn(
  { email: initial, onPassword }: { email: string; onPassword: () => void },
) {
  const { sb } = useApp();
  const [email, setEmail] = useState(initial);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);

  const run = async (f: () => Promise<AuthError | null>, done?: string) => {
    setBusy(true);
    setError(null);
    setInfo(null);
    try {
      const e = await f();
      if (e) setError(message(e));
      else if (done) setInfo(done);
    } finally {
      setBusy(false);
    }
  };
  const send = async (address: string) => {
    const { error } = await sb.auth.signInWithOtp({
      email: address,
      options: { shouldCreateUser: false, emailRedirectTo: `${location.origin}/` },
    });
    return error;
  };
  const back: [string, () => void] = [t("pwless.password"), onPassword];
  const common = { busy, error, info };

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
        <Field
          label={t("auth.email")}
          type="email"
          autocomplete="email"
          required
          value={email}
          onValue={setEmail}
        />
      </Step>
    );
  }
  return (
    <Step
      {...common}
      title={t("auth.inbox.title")}
      intro={t("pwless.sent.body", { email: sentTo })}
      submit={t("pwless.verify")}
      disabled={!CODE.test(code.trim())}
      onSubmit={() =>
        run(async () => {
          const { error } = await sb.auth.verifyOtp({
            email: sentTo,
            token: code.trim(),
            type: "email",
          });
          return error;
        })}
      links={[[t("pwless.resend"), () => run(() => send(sentTo), t("pwless.resent"))], back]}
    >
      <Field
        label={t("pwless.code")}
        inputMode="numeric"
        autocomplete="one-time-code"
        pattern="[0-9]{6,10}"
        maxLength={10}
        value={code}
        onValue={setCode}
      />
    </Step>
  );
}
