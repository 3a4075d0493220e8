/**
 * Recovery of two-factor authentication: an admin removes someone's factors
 * (`POST /admin/users/:id/mfa/reset`, which asks Auth's admin API) when they lost their
 * authenticator app. Admins only, and an admin with a factor only at aal2.
 */
import type { Api } from "../../api.ts";
import { t } from "../../i18n/mod.ts";
import { ActionButton } from "./ActionButton.tsx";

export function MfaResetButton(
  { api, user, disabled, act, onDone }: {
    api: Api;
    user: { id: string; username: string };
    disabled: boolean;
    /** Runs the change with the tab's busy state and error (useAdminData's `act`). */
    act: (change: () => Promise<unknown>) => Promise<void>;
    onDone: (text: string) => void;
  },
) {
  const name = `@${user.username}`;
  // The space lets the cell break between this and the button before it, on a narrow screen.
  return (
    <>
      {" "}
      <ActionButton
        disabled={disabled}
        label={t("mfa.admin.resetLabel", { name })}
        onClick={() => {
          if (!confirm(t("mfa.admin.confirm", { name }))) return;
          void act(async () => {
            const r = await api.post<{ removed: number }>(
              `/admin/users/${encodeURIComponent(user.id)}/mfa/reset`,
            );
            onDone(t(r.removed ? "mfa.admin.done" : "mfa.admin.none", { name }));
          });
        }}
      >
        {t("mfa.admin.reset")}
      </ActionButton>
    </>
  );
}
