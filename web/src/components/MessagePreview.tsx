/**
 * A message in a side panel's list (pinned, saved): where and who, when, its text cut short.
 * The whole row is one button that opens the conversation at the message, as a search hit
 * does (`chat.select(id, { jumpTo })`); on a phone the panel goes so the jump can be seen.
 */
import type { ComponentChildren } from "preact";
import { t } from "../i18n/mod.ts";
import { dateTimeOf } from "../lib/time.ts";
import { channelTitle, type ChatState } from "../state/chat.ts";
import type { Message } from "../types.ts";

/** Opens `channelId` at `messageId`, closing the panel where it covers the conversation. */
export function jumpToMessage(chat: ChatState, channelId: string, messageId: number) {
  const main = document.querySelector(".layout > .main");
  if (main && !main.getClientRects().length) chat.panel.value = "none";
  chat.select(channelId, { jumpTo: messageId });
}

export function MessagePreview(
  { chat, channelId, messageId, m, note, children }: {
    chat: ChatState;
    channelId: string;
    messageId: number;
    m: Message | null;
    note?: string;
    children?: ComponentChildren;
  },
) {
  const c = chat.channels.value.find((x) => x.id === channelId);
  const who = m?.sender?.display_name || m?.sender?.username || "";
  return (
    <li class="preview">
      <button
        type="button"
        class="hit"
        onClick={() => jumpToMessage(chat, channelId, messageId)}
      >
        <span class="hit-meta">
          <strong>{channelTitle(c)}</strong>
          {who && ` · ${who}`}
          {m && (
            <>
              {" · "}
              <time dateTime={m.created_at}>{dateTimeOf(m.created_at)}</time>
            </>
          )}
        </span>
        <span class="snippet">
          {m?.deleted_at ? t("message.deleted") : (m?.content ?? "").slice(0, 300)}
        </span>
        {note && <span class="hit-meta">{note}</span>}
      </button>
      {children}
    </li>
  );
}
