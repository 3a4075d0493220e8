/**
 * The profile's "Two-factor authentication": set it up by scanning a QR code (or typing the
 * key) into an authenticator app and confirming with its code (`mfa.enroll`, then
 * `mfa.challengeAndVerify`, which makes this session aal2), see it is on, turn it off
 * (`mfa.unenroll`, allowed at aal2). There are no recovery codes: whoever loses the app asks an
 * admin, who removes the factor (admin/MfaResetButton.tsx).
 */
import { useEffect, useState } from "preact/hooks";
import type { Factor } from "@supabase/supabase-js";
import { useApp } from "../context.ts";
import { t } from "../i18n/mod.ts";
import { MFA_ERRORS } from "../i18n/mfa.ts";
import { dateTimeOf } from "../lib/time.ts";
import { CodeField, isCode, useStepState } from "./AuthStep.tsx";

interface Pending {
  id: string;
  qr: string;
  secret: string;
}

/** "JBSW Y3DP EHPK 3PXP": a key read aloud or typed by hand, in groups of four. */
const grouped = (secret: string) => secret.match(/.{1,4}/g)?.join(" ") ?? secret;

export function TwoFactor() {
  const { sb } = useApp();
  const [factors, setFactors] = useState<Factor[] | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [code, setCode] = useState("");
  const { common: { busy, error, info }, run } = useStepState(MFA_ERRORS);

  const load = async () => {
    const { data, error: e } = await sb.auth.mfa.listFactors();
    if (e) throw e;
    setFactors(data.totp);
    return data;
  };
  useEffect(() => {
    void run(async () => void await load());
  }, []);

  const start = () =>
    run(async () => {
      // A set-up left unfinished (a closed tab) holds the name: it goes first.
      for (const f of (await load()).all) {
        if (f.status === "unverified") await sb.auth.mfa.unenroll({ factorId: f.id });
      }
      const { data, error: e } = await sb.auth.mfa.enroll({
        factorType: "totp",
        friendlyName: t("mfa.factor"),
        issuer: t("app.name"),
      });
      if (e) throw e;
      setCode("");
      setPending({ id: data.id, qr: data.totp.qr_code, secret: data.totp.secret });
    });

  const turnOn = () =>
    run(async () => {
      const { error: e } = await sb.auth.mfa.challengeAndVerify({
        factorId: pending!.id,
        code: code.trim(),
      });
      setCode("");
      if (e) throw e;
      setPending(null);
      await load();
    }, t("mfa.setup.done"));

  const cancel = () =>
    run(async () => {
      await sb.auth.mfa.unenroll({ factorId: pending!.id });
      setPending(null);
    });

  const remove = (f: Factor) => {
    if (!confirm(t("mfa.remove.confirm"))) return;
    void run(async () => {
      const { error: e } = await sb.auth.mfa.unenroll({ factorId: f.id });
      if (e) throw e;
      // The session the factor raised is aal1 again: a fresh token (and user) says so.
      await sb.auth.refreshSession();
      await load();
    }, t("mfa.removed"));
  };

  let body;
  if (factors === null) body = <p class="muted">{t("app.loading")}</p>;
  else if (factors.length) {
    body = (
      <>
        <p>{t("mfa.on")}</p>
        <ul class="mfa-factors">
          {factors.map((f) => (
            <li key={f.id}>
              <span>{f.friendly_name || t("mfa.factor")}</span>{" "}
              <span class="muted">{t("mfa.factor.added", { date: dateTimeOf(f.created_at) })}</span>
              {" "}
              <button type="button" class="btn" disabled={busy} onClick={() => remove(f)}>
                {t("mfa.remove")}
              </button>
            </li>
          ))}
        </ul>
      </>
    );
  } else if (pending) {
    body = (
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void turnOn();
        }}
      >
        <p>{t("mfa.setup.scan")}</p>
        <img
          class="mfa-qr"
          src={pending.qr}
          alt={t("mfa.setup.qr")}
          width={180}
          height={180}
          style={{ background: "white", padding: "6px", borderRadius: "8px" }}
        />
        <p class="muted">
          {t("mfa.setup.secret")}{" "}
          <code class="mfa-secret" data-secret={pending.secret}>{grouped(pending.secret)}</code>
        </p>
        <CodeField label={t("mfa.code")} value={code} onValue={setCode} />
        <button type="submit" class="btn primary" disabled={busy || !isCode(code)}>
          {t("mfa.setup.confirm")}
        </button>{" "}
        <button type="button" class="btn" disabled={busy} onClick={() => void cancel()}>
          {t("mfa.setup.cancel")}
        </button>
      </form>
    );
  } else {
    body = (
      <>
        <p class="muted">{t("mfa.intro")}</p>
        <button type="button" class="btn" disabled={busy} onClick={() => void start()}>
          {t("mfa.setup")}
        </button>
      </>
    );
  }

  return (
    <section class="two-factor">
      <h3>{t("mfa.title")}</h3>
      {body}
      {error && <p class="error" role="alert">{error}</p>}
      {info && <p class="info" role="status">{info}</p>}
      <p class="muted">{t("mfa.recovery")}</p>
    </section>
  );
}
