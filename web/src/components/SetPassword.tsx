/**
 * Accepting an invite: the invite mail links to `/?token_hash=…&type=invite`
 * (`supabase/templates/invite.html`; this client uses PKCE, so the app verifies the hash with
 * `verifyOtp` rather than following Auth's implicit-flow link). That signs the invitee in;
 * then they choose a password (`updateUser`) before the chat opens.
 */
import { signal } from "@preact/signals";
import { useEffect, useState } from "preact/hooks";
import { useApp } from "../context.ts";
import { t } from "../i18n/mod.ts";
import { errorMessage } from "../i18n/errors.ts";
import { passwordProblem } from "../lib/password.ts";
import { NewPasswordField } from "./NewPasswordField.tsx";
import { AuthCard, Step, useStepState } from "./AuthStep.tsx";

function inviteHash(): string | null {
  const q = new URLSearchParams(globalThis.location?.search ?? "");
  return q.get("type") === "invite" ? q.get("token_hash") : null;
}

/** The token hash of the invite this page was opened with, until its password is chosen. */
export const inviteLanding = signal<string | null>(inviteHash());

export function SetPassword() {
  const { sb } = useApp();
  const [state, setState] = useState<"checking" | "ready" | "failed">("checking");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { common, run, setError } = useStepState();

  useEffect(() => {
    const hash = inviteLanding.peek();
    if (!hash) return;
    // The link works once: off the address bar (and the history) before it is used.
    const url = new URL(location.href);
    url.searchParams.delete("token_hash");
    url.searchParams.delete("type");
    history.replaceState(history.state, "", url.toString());
    sb.auth.verifyOtp({ token_hash: hash, type: "invite" }).then(({ data, error }) => {
      if (error) {
        setError(errorMessage(error));
        setState("failed");
      } else {
        setEmail(data.user?.email ?? "");
        setState("ready");
      }
    });
  }, []);

  const leave = () => (inviteLanding.value = null);
  let body;
  if (state === "checking") body = <p role="status">{t("invite.checking")}</p>;
  else if (state === "failed") {
    body = (
      <Step
        {...common}
        title={t("invite.failed")}
        submit={t("invite.toLogin")}
        onSubmit={leave}
        links={[]}
      />
    );
  } else {
    body = (
      <Step
        {...common}
        title={t("invite.title")}
        intro={t("invite.body", { email })}
        submit={t("invite.submit")}
        disabled={!!passwordProblem(password)}
        onSubmit={() =>
          run(async () => {
            const { error } = await sb.auth.updateUser({ password });
            if (!error) leave();
            return error;
          })}
        links={[]}
      >
        <NewPasswordField label={t("invite.password")} value={password} onValue={setPassword} />
      </Step>
    );
  }
  return <AuthCard>{body}</AuthCard>;
}
