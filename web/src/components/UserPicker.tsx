/** Find people by username or name (GET /users?q=), debounced; picks one at a time. */
import { useEffect, useState } from "preact/hooks";
import { t } from "../i18n/mod.ts";
import type { ChatState } from "../state/chat.ts";
import type { UserRef } from "../types.ts";
import { Avatar } from "./Avatar.tsx";
import { Field } from "./Field.tsx";

export function UserPicker(
  { chat, label, onPick, exclude = [] }: {
    chat: ChatState;
    label: string;
    onPick: (u: UserRef) => void;
    exclude?: string[];
  },
) {
  const [q, setQ] = useState("");
  const [found, setFound] = useState<UserRef[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const term = q.trim();
    if (!term) {
      setFound([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      chat.findUsers(term).then(
        (users) => live && (setFound(users), setError(null)),
        (e) => live && setError(e instanceof Error ? e.message : String(e)),
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [q]);
  const shown = found.filter((u) => u.id !== chat.myId && !exclude.includes(u.id));
  return (
    <div class="user-picker">
      <Field label={label} type="search" value={q} onValue={setQ} />
      {error && <p class="error" role="alert">{error}</p>}
      {q.trim() && (
        <ul class="people" aria-label={t("people.results")}>
          {shown.length === 0 && <li class="muted">{t("people.none")}</li>}
          {shown.map((u) => (
            <li key={u.id}>
              <button type="button" class="person" onClick={() => onPick(u)}>
                <Avatar
                  name={u.display_name || u.username}
                  path={u.avatar_path}
                  online={chat.online.value.has(u.id)}
                />
                <span>
                  <span class="person-name">{u.display_name || u.username}</span>{" "}
                  <span class="muted">@{u.username}</span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
