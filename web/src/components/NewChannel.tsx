/** Start a conversation: a direct message, a new group (public or private), or join one. */
import { useEffect, useState } from "preact/hooks";
import { t } from "../i18n/mod.ts";
import type { ChatState } from "../state/chat.ts";
import type { PublicChannel, UserRef } from "../types.ts";
import { UserPicker } from "./UserPicker.tsx";
import { Icon } from "./Icon.tsx";
import { Field } from "./Field.tsx";
import { useAction } from "../lib/use_action.ts";

type Tab = "direct" | "group" | "browse";

export function NewChannel({ chat }: { chat: ChatState }) {
  const [tab, setTab] = useState<Tab>("direct");
  const [error, run, setError] = useAction();
  const [name, setName] = useState("");
  const [isPrivate, setPrivate] = useState(false);
  const [picked, setPicked] = useState<UserRef[]>([]);
  const [q, setQ] = useState("");
  const [open, setOpen] = useState<PublicChannel[]>([]);
  /** Runs the action; the panel closes when it worked. */
  const act = async (f: () => Promise<unknown>) => {
    if (await run(f)) chat.panel.value = "none";
  };
  useEffect(() => {
    if (tab !== "browse") return;
    let live = true;
    const timer = setTimeout(() => {
      chat.publicChannels(q.trim()).then(
        (l) => live && setOpen(l),
        (e) => live && setError(e instanceof Error ? e.message : String(e)),
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [tab, q]);
  const tabs: Tab[] = ["direct", "group", "browse"];
  return (
    <div class="new-channel">
      <h2>{t("new.title")}</h2>
      <div class="tabs" role="tablist" aria-label={t("new.title")}>
        {tabs.map((x) => (
          <button
            type="button"
            role="tab"
            key={x}
            class="tab"
            aria-selected={tab === x}
            onClick={() => setTab(x)}
          >
            {t(`new.tab.${x}`)}
          </button>
        ))}
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {tab === "direct" && (
        <UserPicker
          chat={chat}
          label={t("new.direct.find")}
          onPick={(u) => act(() => chat.openDirect(u.id))}
        />
      )}
      {tab === "group" && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            act(() => chat.createGroup(name.trim(), isPrivate, picked.map((u) => u.id)));
          }}
        >
          <Field
            label={t("new.group.name")}
            required
            maxLength={80}
            value={name}
            onValue={setName}
          />
          <label class="check">
            <input
              type="checkbox"
              checked={isPrivate}
              onChange={(e) => setPrivate(e.currentTarget.checked)}
            />
            {t("new.group.private")}
          </label>
          {picked.length > 0 && (
            <ul class="chips" aria-label={t("new.group.members")}>
              {picked.map((u) => (
                <li key={u.id}>
                  {u.display_name || u.username}
                  <button
                    type="button"
                    class="icon"
                    aria-label={t("new.group.unpick", { name: u.username })}
                    onClick={() => setPicked(picked.filter((p) => p.id !== u.id))}
                  >
                    <Icon name="close" size={14} />
                  </button>
                </li>
              ))}
            </ul>
          )}
          <UserPicker
            chat={chat}
            label={t("new.group.add")}
            exclude={picked.map((u) => u.id)}
            onPick={(u) => setPicked([...picked, u])}
          />
          <button type="submit" class="btn primary" disabled={!name.trim()}>
            {t("new.group.create")}
          </button>
        </form>
      )}
      {tab === "browse" && (
        <div>
          <Field label={t("new.browse.find")} type="search" value={q} onValue={setQ} />
          <ul class="people">
            {open.length === 0 && <li class="muted">{t("new.browse.none")}</li>}
            {open.map((c) => (
              <li key={c.id} class="public-channel">
                <span>
                  <strong># {c.name}</strong>{" "}
                  <span class="muted">{t("channel.members_count", { count: c.member_count })}</span>
                  {c.topic && <span class="muted block">{c.topic}</span>}
                </span>
                {c.joined
                  ? (
                    <button
                      type="button"
                      class="btn"
                      onClick={() => act(() => Promise.resolve(chat.select(c.id)))}
                    >
                      {t("new.browse.open")}
                    </button>
                  )
                  : (
                    <button
                      type="button"
                      class="btn primary"
                      onClick={() => act(() => chat.join(c.id))}
                    >
                      {t("new.browse.join")}
                    </button>
                  )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
