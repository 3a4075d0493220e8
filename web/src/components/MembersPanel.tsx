/**
 * The open channel's people: presence (online, or when last seen, kept current as time
 * passes), their status text, roles, invite and remove (channel owners and admins), rename and
 * topic, leave, and a summary of recent messages.
 */
import { useState } from "preact/hooks";
import { t } from "../i18n/mod.ts";
import { channelTitle, type ChatState } from "../state/chat.ts";
import { statusOf } from "../state/members.ts";
import { ago } from "../lib/time.ts";
import { Avatar } from "./Avatar.tsx";
import { ChannelSummary } from "./ChannelSummary.tsx";
import { UserPicker } from "./UserPicker.tsx";
import { Field } from "./Field.tsx";
import { useAction } from "../lib/use_action.ts";

export function MembersPanel({ chat }: { chat: ChatState }) {
  const c = chat.active.value;
  const ms = chat.messages.value;
  const [error, act] = useAction();
  const [summary, setSummary] = useState<readonly string[] | null>(null);
  const [name, setName] = useState(c?.name ?? "");
  const [topic, setTopic] = useState(c?.topic ?? "");
  if (!c || !ms) return null;
  const manage = c.kind === "group" && (c.my_role === "owner" || c.my_role === "admin");
  const members = ms.members.value;
  const now = chat.now.value;
  /** Status text from the member row, else from wherever the person was seen with it. */
  const status = (m: (typeof members)[number]) =>
    statusOf(m) || chat.users.value.get(m.user_id)?.status_text?.trim() || "";
  return (
    <div class="members-panel">
      <h2>{channelTitle(c)}</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {manage && (
        <form
          class="channel-settings"
          onSubmit={(e) => {
            e.preventDefault();
            act(async () => {
              await chat.api.patch(`/channels/${c.id}`, { name: name.trim(), topic });
              await chat.reload();
            });
          }}
        >
          <Field label={t("members.name")} required maxLength={80} value={name} onValue={setName} />
          <Field label={t("members.topic")} maxLength={250} value={topic} onValue={setTopic} />
          <button type="submit" class="btn">{t("common.save")}</button>
        </form>
      )}
      <h3>{t("channel.members_count", { count: members.length })}</h3>
      <ul class="people">
        {members.map((m) => (
          <li key={m.user_id} class="person-row">
            <Avatar
              name={m.display_name || m.username}
              path={m.avatar_path}
              online={chat.online.value.has(m.user_id)}
            />
            <span class="grow">
              <span class="person-name">
                {m.deactivated ? t("user.deactivated") : m.display_name || m.username}
              </span>{" "}
              <span class="muted">@{m.username}</span>
              {m.role !== "member" && <span class="role">{t(`members.role.${m.role}`)}</span>}
              {!m.deactivated && status(m) && <span class="person-status">{status(m)}</span>}
              {!m.deactivated && m.user_id !== chat.myId && (
                <PresenceLine chat={chat} userId={m.user_id} now={now} />
              )}
            </span>
            {manage && m.user_id !== chat.myId && m.role !== "owner" && (
              <button
                type="button"
                class="btn small"
                aria-label={t("members.remove", { name: m.username })}
                onClick={() =>
                  act(async () => {
                    await chat.api.del(`/channels/${c.id}/members/${m.user_id}`);
                    await ms.loadMembers();
                  })}
              >
                {t("members.remove_short")}
              </button>
            )}
          </li>
        ))}
      </ul>
      {manage && (
        <UserPicker
          chat={chat}
          label={t("members.invite")}
          exclude={members.map((m) => m.user_id)}
          onPick={(u) =>
            act(async () => {
              await chat.api.post(`/channels/${c.id}/members`, { user_id: u.id });
              await ms.loadMembers();
            })}
        />
      )}
      <div class="panel-actions">
        <button
          type="button"
          class="btn"
          onClick={() =>
            act(async () => {
              const r = await chat.api.get<{ summary: string[]; message_count: number }>(
                `/channels/${c.id}/summary?limit=50`,
              );
              setSummary(r.summary);
            })}
        >
          {t("members.summary")}
        </button>
        {c.kind === "group" && (
          <button
            type="button"
            class="btn danger"
            onClick={() => {
              if (confirm(t("members.leave_confirm"))) act(() => chat.leave(c.id));
            }}
          >
            {t("members.leave")}
          </button>
        )}
      </div>
      {summary && <ChannelSummary summary={summary} />}
    </div>
  );
}

/** "online", or when the person was last seen relative to now; nothing when unknown. */
function PresenceLine({ chat, userId, now }: { chat: ChatState; userId: string; now: number }) {
  if (chat.online.value.has(userId)) {
    return <span class="person-status presence">{t("presence.online")}</span>;
  }
  const seen = chat.lastSeen(userId);
  if (!seen) return null;
  // `now` moves every few seconds (and renders this again); the time itself is the real one,
  // and never after it ("in 3 seconds").
  const current = Math.max(now, Date.now());
  const at = new Date(Math.min(new Date(seen).getTime(), current)).toISOString();
  return (
    <span class="person-status presence">
      {t("presence.last_seen", { when: ago(at, current) })}
    </span>
  );
}
