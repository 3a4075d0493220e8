/**
 * Admins invite people by email (`POST /admin/invites`): Auth mails them a link that lets them
 * choose a password (SetPassword.tsx). What happened is said where screen readers hear it.
 */
import type { JSX } from "preact";
import { useSignal } from "@preact/signals";
import { type Api, ApiError } from "../../api.ts";
import { t } from "../../i18n/mod.ts";
import { errorMessage } from "../../i18n/errors.ts";
import { Field } from "../Field.tsx";

export function InviteForm({ api, onInvited }: { api: Api; onInvited?: () => void }) {
  const email = useSignal("");
  const busy = useSignal(false);
  const result = useSignal<{ ok: boolean; text: string } | null>(null);

  const submit = async (e: JSX.TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const address = email.value.trim();
    if (!address || busy.value) return;
    busy.value = true;
    result.value = null;
    try {
      await api.post("/admin/invites", { email: address });
      email.value = "";
      result.value = { ok: true, text: t("admin.invite.sent", { email: address }) };
      onInvited?.();
    } catch (err) {
      const exists = err instanceof ApiError && err.code === "conflict";
      result.value = {
        ok: false,
        text: exists ? t("admin.invite.exists", { email: address }) : errorMessage(err),
      };
    } finally {
      busy.value = false;
    }
  };

  return (
    <form class="admin-form admin-invite" aria-label={t("admin.invite.title")} onSubmit={submit}>
      <Field
        label={t("admin.invite.email")}
        type="email"
        required
        maxLength={255}
        autoComplete="off"
        spellcheck={false}
        value={email.value}
        onValue={(v) => (email.value = v)}
      />
      <button type="submit" class="btn primary" disabled={busy.value}>
        {t("admin.invite.submit")}
      </button>
      <p class={result.value?.ok === false ? "error" : "muted"} role="status">
        {result.value?.text ?? ""}
      </p>
    </form>
  );
}
