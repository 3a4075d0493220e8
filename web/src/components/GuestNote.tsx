/**
 * In place of the message box for a guest (an anonymous sign-in: `is_anonymous`): guests read
 * but do not post (the API and RLS refuse it anyway), so the box is not offered; a note says
 * why and leads to signing up.
 */
import { useApp } from "../context.ts";
import { t } from "../i18n/mod.ts";

export function GuestNote() {
  const { session } = useApp();
  return (
    <div class="composer guest-note">
      <p class="muted">
        {t("guest.note")}{" "}
        <button
          type="button"
          class="link"
          onClick={async () => {
            await session.signOut();
            session.view.value = { name: "signup" };
          }}
        >
          {t("guest.signup")}
        </button>
      </p>
    </div>
  );
}
