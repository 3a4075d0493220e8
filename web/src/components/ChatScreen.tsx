/** The signed-in app: sidebar with my channels, the open conversation, and one side panel. */
import { useEffect, useMemo } from "preact/hooks";
import { useApp } from "../context.ts";
import { t } from "../i18n/mod.ts";
import { createChatState, type Panel } from "../state/chat.ts";
import { AdminView } from "./AdminView.tsx";
import { Avatar } from "./Avatar.tsx";
import { ChannelList } from "./ChannelList.tsx";
import { Conversation } from "./Conversation.tsx";
import { MembersPanel } from "./MembersPanel.tsx";
import { NewChannel } from "./NewChannel.tsx";
import { ProfileEditor } from "./ProfileEditor.tsx";
import { SearchPanel } from "./SearchPanel.tsx";
import { QuickSwitcher } from "./QuickSwitcher.tsx";
import { Icon } from "./Icon.tsx";
import { PinnedPanel } from "./PinnedPanel.tsx";
import { SavedButton, SavedPanel } from "./SavedPanel.tsx";
import { ThreadPanel } from "./ThreadPanel.tsx";
import { ChannelNotify, NotifySettings } from "./NotifySettings.tsx";

export function ChatScreen() {
  const { sb, session } = useApp();
  const chat = useMemo(() => createChatState(sb, session), []);
  useEffect(() => () => chat.dispose(), []);
  const p = session.profile.value;
  const role = session.role.value;
  const panel = chat.panel.value;
  const toggle = (x: Panel) => (chat.panel.value = chat.panel.value === x ? "none" : x);
  const conn = chat.connection.value;
  const wide = panel === "admin";

  return (
    <div
      class={`layout${chat.activeId.value ? " has-active" : ""}${
        panel !== "none" ? " has-panel" : ""
      }${wide ? " wide-panel" : ""}`}
      onKeyDown={(e) => {
        if (e.key === "Escape" && chat.panel.value !== "none") chat.panel.value = "none";
      }}
    >
      {conn !== "online" && (
        <div class={`banner ${conn}`} role="status">
          {conn === "offline" ? t("conn.offline") : t("conn.connecting")}
        </div>
      )}
      <aside class="sidebar" aria-label={t("sidebar.label")}>
        <header class="me">
          <button
            type="button"
            class="me-button"
            aria-label={t("profile.open")}
            onClick={() => toggle("profile")}
          >
            <Avatar
              name={p?.display_name || p?.username || "?"}
              path={p?.avatar_path}
              online={conn === "online"}
            />
            <span class="me-name">{p?.display_name || p?.username || ""}</span>
          </button>
          <button
            type="button"
            class="icon"
            aria-label={t("new.open")}
            onClick={() => toggle("new-channel")}
          >
            <Icon name="plus" />
          </button>
          <button
            type="button"
            class="icon"
            aria-label={t("search.open")}
            onClick={() => toggle("search")}
          >
            <Icon name="search" />
          </button>
          <SavedButton chat={chat} onClick={() => toggle("saved")} />
          {role !== "user" && (
            <button
              type="button"
              class="icon"
              aria-label={t("admin.open")}
              onClick={() => toggle("admin")}
            >
              <Icon name="shield" />
            </button>
          )}
          <button
            type="button"
            class="icon"
            aria-label={t("auth.logout")}
            onClick={() => session.signOut()}
          >
            <Icon name="logout" />
          </button>
        </header>
        {chat.listError.value && <p class="error pad" role="alert">{chat.listError.value}</p>}
        {chat.notifyPermission.value === "default" && (
          <button
            type="button"
            class="notify-ask"
            onClick={() => chat.askNotifications()}
          >
            {t("notify.enable")}
          </button>
        )}
        <ChannelList chat={chat} />
      </aside>
      <QuickSwitcher chat={chat} />
      <main class="main">
        {chat.activeId.value ? <Conversation chat={chat} /> : (
          <div class="empty">
            <p>{t("channels.pick")}</p>
            <button
              type="button"
              class="btn primary"
              onClick={() => (chat.panel.value = "new-channel")}
            >
              {t("new.open")}
            </button>
          </div>
        )}
      </main>
      {panel !== "none" && (
        <aside class={`panel${wide ? " wide" : ""}`} aria-label={t(`panel.${panel}`)}>
          <button
            type="button"
            class="icon close"
            aria-label={t("common.close")}
            onClick={() => (chat.panel.value = "none")}
          >
            <Icon name="close" />
          </button>
          {panel === "members" && <MembersPanel key={chat.activeId.value} chat={chat} />}
          {panel === "members" && <ChannelNotify chat={chat} />}
          {panel === "search" && <SearchPanel chat={chat} />}
          {panel === "pins" && <PinnedPanel chat={chat} />}
          {panel === "saved" && <SavedPanel chat={chat} />}
          {panel === "profile" && <ProfileEditor chat={chat} />}
          {panel === "profile" && <NotifySettings chat={chat} />}
          {panel === "new-channel" && <NewChannel chat={chat} />}
          {panel === "thread" && <ThreadPanel chat={chat} />}
          {panel === "admin" && role !== "user" && <AdminView api={chat.api} role={role} />}
        </aside>
      )}
    </div>
  );
}
