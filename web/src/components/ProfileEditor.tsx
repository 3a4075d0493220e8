/**
 * My profile: display name, username, status, language; the avatar (cropped and scaled to
 * 256 px in the browser, uploaded to the avatars bucket); preferences; a new password
 * (`PasswordChange`, with a mailed code when Auth asks to reauthenticate); a new email address,
 * confirmed from the mails Auth sends; deactivating my account. Errors are shown in the
 * reader's language (`i18n/errors.ts`).
 */
import { useState } from "preact/hooks";
import { uuid } from "../lib/uuid.ts";
import { useApp } from "../context.ts";
import { t } from "../i18n/mod.ts";
import { errorMessage } from "../i18n/errors.ts";
import { USERNAME } from "../lib/password.ts";
import { squareThumbnail } from "../lib/media.ts";
import type { Profile } from "../types.ts";
import type { ChatState } from "../state/chat.ts";
import { Avatar } from "./Avatar.tsx";
import { Prefs } from "./Prefs.tsx";
import { Field } from "./Field.tsx";
import { PasswordChange } from "./PasswordChange.tsx";
import { TwoFactor } from "./TwoFactor.tsx";
import { AVATAR_MIME_TYPES } from "../../../functions/_shared/limits.ts";

export function ProfileEditor({ chat }: { chat: ChatState }) {
  const { sb, session } = useApp();
  const p = session.profile.value;
  const [displayName, setDisplayName] = useState(p?.display_name ?? "");
  const [username, setUsername] = useState(p?.username ?? "");
  const [status, setStatus] = useState(p?.status_text ?? "");
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!p) return <p class="muted pad">{t("app.loading")}</p>;

  const save = async (patch: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const r = await session.api.patch<{ profile: Profile }>("/me", patch);
      session.profile.value = r.profile;
      chat.remember([r.profile]);
      setSaved(true);
    } catch (e) {
      setError(errorMessage(e, { conflict: "profile.err.username_taken" }));
    } finally {
      setBusy(false);
    }
  };

  async function uploadAvatar(file: File) {
    setError(null);
    try {
      const small = await squareThumbnail(file, 256);
      const path = `${p!.id}/${uuid()}.jpg`;
      const { error: e } = await sb.storage.from("avatars").upload(path, small, {
        contentType: "image/jpeg",
      });
      if (e) throw e;
      await save({ avatar_path: path });
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <div class="profile-editor">
      <h2>{t("profile.title")}</h2>
      <div class="avatar-row">
        <Avatar name={p.display_name || p.username} path={p.avatar_path} size={64} />
        <label class="btn">
          {t("profile.avatar")}
          <input
            type="file"
            accept={AVATAR_MIME_TYPES.join(",")}
            class="visually-hidden"
            onChange={(e) => {
              const f = e.currentTarget.files?.[0];
              if (f) uploadAvatar(f);
              e.currentTarget.value = "";
            }}
          />
        </label>
        {p.avatar_path && (
          <button
            type="button"
            class="btn"
            onClick={() => save({ avatar_path: null })}
          >
            {t("profile.avatar_remove")}
          </button>
        )}
      </div>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const u = username.trim().toLowerCase();
          if (!USERNAME.test(u)) return setError(t("auth.err.username"));
          save({ display_name: displayName.trim(), username: u, status_text: status });
        }}
      >
        <Field
          label={t("profile.display_name")}
          maxLength={64}
          value={displayName}
          onValue={setDisplayName}
        />
        <Field
          label={t("auth.username")}
          required
          maxLength={32}
          value={username}
          onValue={setUsername}
        />
        <Field label={t("profile.status")} maxLength={140} value={status} onValue={setStatus} />
        {error && <p class="error" role="alert">{error}</p>}
        {saved && <p class="info" role="status">{t("profile.saved")}</p>}
        <button type="submit" class="btn primary" disabled={busy}>{t("common.save")}</button>
      </form>
      <EmailChange />
      <PasswordChange />
      <TwoFactor />
      <h3>{t("profile.prefs")}</h3>
      <Prefs onLang={(l) => save({ locale: l })} />
      {chat.notifyPermission.value === "default" && (
        <button
          type="button"
          class="btn"
          onClick={() => chat.askNotifications()}
        >
          {t("notify.enable")}
        </button>
      )}
      {chat.notifyPermission.value === "denied" && <p class="muted">{t("notify.denied")}</p>}
      <h3>{t("profile.danger")}</h3>
      <button
        type="button"
        class="btn danger"
        onClick={async () => {
          if (!confirm(t("profile.deactivate_confirm"))) return;
          try {
            await session.deactivate();
          } catch (e) {
            setError(errorMessage(e));
          }
        }}
      >
        {t("profile.deactivate")}
      </button>
    </div>
  );
}

/** A new email address: Auth mails links to confirm it (to both addresses when it asks both). */
function EmailChange() {
  const { session } = useApp();
  const user = session.session.value?.user;
  const current = user?.email ?? "";
  const [email, setEmail] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const pending = sent ?? user?.new_email ?? null;
  return (
    <form
      class="email-change"
      onSubmit={async (e) => {
        e.preventDefault();
        const next = email.trim().toLowerCase();
        if (!next) return;
        if (next === current.toLowerCase()) return setError(t("profile.email.same"));
        setBusy(true);
        setError(null);
        setSent(null);
        try {
          const err = await session.changeEmail(next);
          if (err) throw err;
          setSent(next);
          setEmail("");
        } catch (err) {
          setError(errorMessage(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <h3>{t("profile.email")}</h3>
      <p class="muted" data-testid="current-email">
        {t("profile.email.current", { email: current })}
      </p>
      <Field
        label={t("profile.email.new")}
        type="email"
        autocomplete="email"
        required
        maxLength={255}
        value={email}
        onValue={(v) => {
          setEmail(v);
          setError(null);
        }}
      />
      {error && <p class="error" role="alert">{error}</p>}
      {sent && (
        <p class="info" role="status">
          {t("profile.email.check_both", { old: current, new: sent })}
        </p>
      )}
      {!sent && pending && <p class="muted">{t("profile.email.pending", { email: pending })}</p>}
      <button type="submit" class="btn" disabled={busy || !email.trim()}>
        {t("profile.email.save")}
      </button>
    </form>
  );
}
