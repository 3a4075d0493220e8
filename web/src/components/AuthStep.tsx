/**
 * One step of signing in: a heading, fields, the error, the submit button, links below, on
 * the sign-in card (`AuthCard`). The sign-in screen, the email sign-in, the second factor and
 * the invite's password step are all made of these, with `useStepState` for what a step is doing, `EmailField`, and `CodeField`
 * for a code typed from a mail or an authenticator app.
 */
import type { ComponentChildren, Ref } from "preact";
import { useState } from "preact/hooks";
import type { AuthError } from "@supabase/supabase-js";
import { errorMessage } from "../i18n/errors.ts";
import { t } from "../i18n/mod.ts";
import { Field } from "./Field.tsx";
import { Prefs } from "./Prefs.tsx";

/** The card the steps stand on: the app's name, the step, the language and theme. */
export function AuthCard(
  { children, cardRef }: { children: ComponentChildren; cardRef?: Ref<HTMLDivElement> },
) {
  return (
    <main class="auth">
      <div class="auth-card" ref={cardRef ?? null}>
        <p class="brand" aria-hidden="true">💬 {t("app.name")}</p>
        {children}
        <Prefs />
      </div>
    </main>
  );
}

export function Step(
  { title, intro, submit, busy, error, info, onSubmit, links, children, disabled = false }: {
    title: string;
    intro?: string;
    submit: string;
    busy: boolean;
    error: string | null;
    info?: string | null;
    onSubmit: () => void;
    links: [string, () => void][];
    children?: ComponentChildren;
    disabled?: boolean;
  },
) {
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <h1>{title}</h1>
      {intro && <p>{intro}</p>}
      {children}
      {error && <p class="error" role="alert">{error}</p>}
      {info && <p class="info" role="status">{info}</p>}
      <button type="submit" class="btn primary" disabled={busy || disabled}>{submit}</button>
      <p class="links">
        {links.map(([label, go]) => (
          <button type="button" class="link" key={label} disabled={busy} onClick={go}>
            {label}
          </button>
        ))}
      </p>
    </form>
  );
}

/**
 * What a step is doing: `busy`, the error and the note shown (`common`, spread on `Step`), and
 * `run(f, done?)`, which runs an Auth call and shows how it went: the error it answers (as
 * supabase-js does) or throws, in the reader's language (`overrides` as for `errorMessage`),
 * else `done`. Resolves whether it worked.
 *
 * @example
 * const { common, run } = useStepState();
 * <Step {...common} onSubmit={() => run(() => session.sendReset(email))} … />
 */
export function useStepState(overrides?: Record<string, string>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const run = async (f: () => Promise<AuthError | null | void>, done?: string) => {
    setBusy(true);
    setError(null);
    setInfo(null);
    try {
      const e = await f();
      if (e) setError(errorMessage(e, overrides));
      else if (done) setInfo(done);
      return !e;
    } catch (e) {
      setError(errorMessage(e, overrides));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const clear = () => {
    setError(null);
    setInfo(null);
  };
  return { common: { busy, error, info }, busy, run, clear, setError };
}

/** A code's digits: mailed ones are `[auth.email] otp_length` long (6 to 10), TOTP ones 6. */
export type CodeDigits = readonly [min: number, max: number];

/** Whether `code` is a whole code of `digits` (what enables the submit button). */
export const isCode = (code: string, [min, max]: CodeDigits = [6, 6]) =>
  new RegExp(`^\\d{${min},${max}}$`).test(code.trim());

/** A code typed from a mail or an authenticator app (the phone may offer it from a message). */
export function CodeField(
  { label, value, onValue, digits = [6, 6], autoFocus = false }: {
    label: string;
    value: string;
    onValue: (v: string) => void;
    digits?: CodeDigits;
    autoFocus?: boolean;
  },
) {
  const [min, max] = digits;
  return (
    <Field
      label={label}
      inputMode="numeric"
      autocomplete="one-time-code"
      pattern={min === max ? `[0-9]{${min}}` : `[0-9]{${min},${max}}`}
      maxLength={max}
      required
      autoFocus={autoFocus}
      value={value}
      onValue={onValue}
    />
  );
}

/** The address one signs in with. */
export function EmailField({ value, onValue }: { value: string; onValue: (v: string) => void }) {
  return (
    <Field
      label={t("auth.email")}
      type="email"
      autocomplete="email"
      required
      value={value}
      onValue={onValue}
    />
  );
}
