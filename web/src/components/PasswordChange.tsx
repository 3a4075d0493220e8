/**
 * A new password for the signed-in account (`supabase.auth.updateUser({ password })`), typed
 * twice and checked by the product's rules. With Auth's `[auth.email] secure_password_change`
 * on, a session that began more than 24 hours ago is answered `reauthentication_needed`: the
 * form then mails a code at once (`auth.reauthenticate()`), says where it went, asks for it and
 * sends it along (`updateUser({ password, nonce })`); a wrong or expired code
 * (`reauthentication_not_valid`) is said, and the code can be sent again.
 */
import { useState } from "preact/hooks";
import type { AuthError } from "@supabase/supabase-js";
import { useApp } from "../context.ts";
import { t } from "../i18n/mod.ts";
import { errorCode, errorMessage } from "../i18n/errors.ts";
import { passwordProblem } from "../lib/password.ts";
import { Field } from "./Field.tsx";
import { NewPasswordField } from "./NewPasswordField.tsx";
import { type CodeDigits, CodeField, isCode } from "./AuthStep.tsx";

/** The mailed code has `[auth.email] otp_length` digits: 6 to 10. */
const DIGITS: CodeDigits = [6, 10];

export function PasswordChange() {
  const { sb, session } = useApp();
  const email = session.session.value?.user?.email ?? "";
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  /** Whether Auth asked for a code: the code field shows, and the code goes with the password. */
  const [asked, setAsked] = useState(false);
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const problem = password ? passwordProblem(password) : null;
  const mismatch = !!repeat && repeat !== password;

  /** Mails a code; the error to show, if it was not sent. */
  const sendCode = async (): Promise<AuthError | null> => {
    const { error: err } = await sb.auth.reauthenticate();
    return err;
  };

  const submit = async () => {
    setError(null);
    setInfo(null);
    setDone(false);
    const nonce = asked ? code.trim() : undefined;
    const { error: err } = await sb.auth.updateUser(nonce ? { password, nonce } : { password });
    if (!err) {
      setPassword("");
      setRepeat("");
      setAsked(false);
      setCode("");
      setDone(true);
      return;
    }
    if (errorCode(err) !== "reauthentication_needed") throw err;
    // An old session: mail the code right away. A code mailed within `max_frequency` is still
    // good, so a refused resend shows the field too, with the reason.
    const sent = await sendCode();
    if (sent && errorCode(sent) !== "over_email_send_rate_limit") throw sent;
    setAsked(true);
    setCode("");
    if (sent) setError(errorMessage(sent));
    else setInfo(t("profile.password.code_sent", { email }));
  };

  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    try {
      await f();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const resend = () =>
    run(async () => {
      setError(null);
      setInfo(null);
      const sent = await sendCode();
      if (sent) throw sent;
      setCode("");
      setInfo(t("profile.password.code_resent", { email }));
    });

  return (
    <form
      class="password-change"
      onSubmit={(e) => {
        e.preventDefault();
        if (problem || mismatch || !password) return;
        if (asked && !isCode(code, DIGITS)) return;
        run(submit);
      }}
    >
      <h3>{t("profile.password")}</h3>
      <NewPasswordField
        label={t("profile.password.new")}
        value={password}
        onValue={(v) => {
          setPassword(v);
          setDone(false);
        }}
      />
      <Field
        label={t("profile.password.repeat")}
        type="password"
        autocomplete="new-password"
        required
        value={repeat}
        onValue={setRepeat}
        hint={mismatch ? t("profile.password.mismatch") : undefined}
        hintIsError={mismatch}
        aria-invalid={mismatch ? "true" : undefined}
      />
      {info && <p class="info" role="status">{info}</p>}
      {asked && (
        <CodeField
          label={t("profile.password.code")}
          digits={DIGITS}
          autoFocus
          value={code}
          onValue={setCode}
        />
      )}
      {error && <p class="error" role="alert">{error}</p>}
      {done && <p class="info" role="status">{t("profile.password.saved")}</p>}
      <button
        type="submit"
        class="btn"
        disabled={busy || !password || !!problem || repeat !== password ||
          (asked && !isCode(code, DIGITS))}
      >
        {t("profile.password.save")}
      </button>
      {asked && (
        <p>
          <button type="button" class="link" disabled={busy} onClick={resend}>
            {t("profile.password.resend")}
          </button>
        </p>
      )}
    </form>
  );
}
