/**
 * The composer: a textbox named "Message" and a "Send" button; Enter sends, Shift+Enter breaks
 * the line, ↑ edits my last message, Escape drops the reply. Emoji picker, @mention
 * suggestions from the members, attachments by button, drop or paste, each uploaded straight to
 * Storage with a progress bar (a video's poster frame taken here), then checked by the API.
 * A file that is refused (here, by Storage or by the API) leaves the tray at once; a notice
 * says which and why, in the reader's language, until it is dismissed or the next send.
 */
import { useRef, useState } from "preact/hooks";
import { uuid } from "../lib/uuid.ts";
import { signal } from "@preact/signals";
import { useApp } from "../context.ts";
import { lang, t } from "../i18n/mod.ts";
import { errorMessage } from "../i18n/errors.ts";
import { storageName, videoPoster } from "../lib/media.ts";
import { uploadWithProgress } from "../lib/upload.ts";
import { formatBytes } from "../lib/text.ts";
import { FormatBar } from "./FormatBar.tsx";
import { applyFormat, type Format, formatOfKey } from "../lib/format_selection.ts";
import type { ChatState } from "../state/chat.ts";
import type { MessagesState } from "../state/messages.ts";
import type { Attachment } from "../types.ts";
import { EmojiPicker } from "./EmojiPicker.tsx";
import { Icon } from "./Icon.tsx";
import {
  ATTACHMENT_MAX_BYTES as MAX_BYTES,
  ATTACHMENT_MIME_TYPES as ACCEPT,
  MESSAGE_MAX_CHARS,
} from "../../../functions/_shared/limits.ts";

interface Upload {
  key: string;
  name: string;
  size: number;
  progress: number;
  attachment?: Attachment;
  abort: AbortController;
}

/** A file that was not attached, and why. */
interface Refusal {
  key: string;
  text: string;
}

export function Composer({ ms, chat }: { ms: MessagesState; chat: ChatState }) {
  const { sb, cfg } = useApp();
  // The draft of this channel: kept while the reader is elsewhere (state/drafts.ts).
  const [text, setTextState] = useState(() => chat.drafts.get(ms.channelId));
  const setText = (value: string) => {
    setTextState(value);
    chat.drafts.set(ms.channelId, value);
  };
  const [picker, setPicker] = useState(false);
  const [uploads] = useState(() => signal<Upload[]>([]));
  const [refusals] = useState(() => signal<Refusal[]>([]));
  const [mention, setMention] = useState<{ q: string; index: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const reply = ms.replyTo.value;
  const busy = uploads.value.some((u) => !u.attachment);
  const ready = uploads.value.filter((u) => u.attachment).map((u) => u.attachment!);

  const update = (key: string, patch: Partial<Upload>) => {
    uploads.value = uploads.value.map((u) => u.key === key ? { ...u, ...patch } : u);
  };
  /** Out of the tray, with the reason in the notices. */
  const refuse = (key: string, name: string, reason: string) => {
    uploads.value = uploads.value.filter((u) => u.key !== key);
    refusals.value = [...refusals.value, { key, text: t("upload.refused", { name, reason }) }];
  };

  async function addFiles(files: FileList | File[]) {
    setError(null);
    for (const file of [...files]) {
      const key = uuid();
      const abort = new AbortController();
      uploads.value = [...uploads.value, {
        key,
        name: file.name,
        size: file.size,
        progress: 0,
        abort,
      }];
      if (file.size > MAX_BYTES) {
        refuse(key, file.name, t("upload.too_big", { max: formatBytes(MAX_BYTES, lang.value) }));
        continue;
      }
      if (file.type && !ACCEPT.includes(file.type)) {
        refuse(key, file.name, t("upload.bad_type"));
        continue;
      }
      const { data } = await sb.auth.getSession();
      const token = data.session?.access_token;
      if (!token) {
        refuse(key, file.name, t("upload.signed_out"));
        continue;
      }
      try {
        const path = `${ms.channelId}/${chat.myId}/${key}_${storageName(file)}`;
        const target = { supabaseUrl: cfg.supabaseUrl, anonKey: cfg.anonKey, token };
        await uploadWithProgress(
          target,
          "attachments",
          path,
          file,
          (p) => update(key, { progress: p }),
          abort.signal,
        );
        let posterPath: string | undefined;
        if (file.type.startsWith("video/")) {
          try {
            const poster = await videoPoster(file);
            posterPath = `${path}.poster.jpg`;
            await uploadWithProgress(target, "attachments", posterPath, poster, () => {});
          } catch {
            posterPath = undefined; // the video still goes, without a poster
          }
        }
        const { attachment } = await chat.api.post<{ attachment: Attachment }>("/attachments", {
          bucket: "attachments",
          path,
          ...(posterPath ? { poster_path: posterPath } : {}),
        });
        update(key, { attachment, progress: 1 });
      } catch (e) {
        // Removed by the writer while it went up: nothing to tell.
        if (abort.signal.aborted) continue;
        refuse(key, file.name, errorMessage(e));
      }
    }
  }

  function send() {
    const content = text.trim() || uploads.value.filter((u) => u.attachment).map((u) => u.name)
      .join(", ");
    if (!content || busy) return;
    if (content.length > MESSAGE_MAX_CHARS) {
      setError(t("composer.too_long", { max: MESSAGE_MAX_CHARS }));
      return;
    }
    ms.send(content, ready);
    setText("");
    uploads.value = uploads.value.filter((u) => !u.attachment);
    refusals.value = [];
    chat.sendTyping(false);
    area.current?.focus();
  }

  const members = ms.members.value.filter((m) => m.user_id !== chat.myId && !m.deactivated);
  const suggestions = mention
    ? members.filter((m) => m.username.startsWith(mention.q.toLowerCase())).slice(0, 6)
    : [];

  function insertMention(username: string) {
    if (!mention) return;
    const before = text.slice(0, mention.index);
    const after = text.slice(mention.index + 1 + mention.q.length);
    setText(`${before}@${username} ${after}`);
    setMention(null);
    area.current?.focus();
  }

  /** A toolbar button or shortcut: the edit made in place, so the selection stays on it. */
  function format(f: Format) {
    const el = area.current;
    if (!el) return;
    const next = applyFormat(
      { value: el.value, start: el.selectionStart, end: el.selectionEnd },
      f,
    );
    el.value = next.value;
    el.focus();
    el.setSelectionRange(next.start, next.end);
    setText(next.value);
  }

  function onInput(value: string, caret: number) {
    setText(value);
    const m = /(^|\s)@([a-z0-9_.]{0,32})$/i.exec(value.slice(0, caret));
    setMention(m ? { q: m[2]!, index: caret - m[2]!.length - 1 } : null);
    chat.sendTyping(value.trim().length > 0);
  }

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
      onDragOver={(e) => e.preventDefault()}
      onDrop={(e) => {
        e.preventDefault();
        if (e.dataTransfer?.files.length) addFiles(e.dataTransfer.files);
      }}
    >
      {reply && (
        <div class="reply-bar">
          <span>
            {t("composer.replying_to", {
              name: reply.sender?.display_name || reply.sender?.username || "",
            })}
          </span>
          <span class="quote-text">{reply.content.slice(0, 120)}</span>
          <button
            type="button"
            class="icon"
            aria-label={t("composer.cancel_reply")}
            onClick={() => (ms.replyTo.value = null)}
          >
            <Icon name="close" />
          </button>
        </div>
      )}
      {uploads.value.length > 0 && (
        <ul class="uploads" aria-label={t("upload.list")}>
          {uploads.value.map((u) => (
            <li key={u.key} class={u.attachment ? "done" : ""}>
              <span class="name">{u.name}</span>
              <span class="muted">{formatBytes(u.size, lang.value)}</span>
              <progress
                max={1}
                value={u.progress}
                aria-label={t("upload.progress", { name: u.name })}
              />
              <button
                type="button"
                class="icon"
                aria-label={t("upload.remove", { name: u.name })}
                onClick={() => {
                  u.abort.abort();
                  uploads.value = uploads.value.filter((x) => x.key !== u.key);
                }}
              >
                <Icon name="close" size={14} />
              </button>
            </li>
          ))}
        </ul>
      )}
      {refusals.value.length > 0 && (
        <ul class="upload-refusals" role="alert">
          {refusals.value.map((r) => (
            <li key={r.key}>
              <span class="error">{r.text}</span>
              <button
                type="button"
                class="link"
                onClick={() => (refusals.value = refusals.value.filter((x) => x.key !== r.key))}
              >
                {t("upload.dismiss")}
              </button>
            </li>
          ))}
        </ul>
      )}
      {suggestions.length > 0 && (
        <ul class="mentions" role="listbox" aria-label={t("composer.mentions")}>
          {suggestions.map((m, i) => (
            <li key={m.user_id} role="option" aria-selected={i === 0}>
              <button
                type="button"
                onClick={() => insertMention(m.username)}
              >
                @{m.username} <span class="muted">{m.display_name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      <FormatBar onFormat={format} />
      <div class="composer-row">
        <button
          type="button"
          class="icon"
          aria-label={t("composer.attach")}
          onClick={() => fileInput.current?.click()}
        >
          <Icon name="clip" />
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          accept={ACCEPT.join(",")}
          onChange={(e) => {
            const files = e.currentTarget.files;
            if (files?.length) addFiles(files);
            e.currentTarget.value = "";
          }}
        />
        <textarea
          ref={area}
          rows={1}
          aria-label={t("composer.label")}
          placeholder={t("composer.placeholder")}
          value={text}
          maxLength={MESSAGE_MAX_CHARS}
          onInput={(e) => onInput(e.currentTarget.value, e.currentTarget.selectionStart)}
          onPaste={(e) => {
            const files = e.clipboardData?.files;
            if (files?.length) {
              e.preventDefault();
              addFiles(files);
            }
          }}
          onBlur={() => chat.sendTyping(false)}
          onKeyDown={(e) => {
            const f = formatOfKey(e);
            if (f) {
              e.preventDefault();
              format(f);
              return;
            }
            if (suggestions.length && (e.key === "Tab" || e.key === "Enter")) {
              e.preventDefault();
              insertMention(suggestions[0]!.username);
              return;
            }
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              send();
            } else if (e.key === "Escape") {
              setMention(null);
              ms.replyTo.value = null;
            } else if (
              e.key === "ArrowUp" && !text && !e.altKey && !e.ctrlKey && !e.metaKey && !e.shiftKey
            ) {
              const last = [...ms.items.value].reverse().find((m) =>
                m.sender_id === chat.myId && m.id !== null && !m.deleted_at
              );
              if (last) ms.editing.value = last.id;
            }
          }}
        />
        <div class="emoji-anchor">
          <button
            type="button"
            class="icon"
            aria-label={t("composer.emoji")}
            aria-expanded={picker}
            onClick={() => setPicker(!picker)}
          >
            <Icon name="smile" />
          </button>
          {picker && (
            <EmojiPicker
              label={t("composer.emoji")}
              onClose={() => setPicker(false)}
              onPick={(e) => {
                const el = area.current;
                const at = el?.selectionStart ?? text.length;
                setText(text.slice(0, at) + e + text.slice(at));
                setPicker(false);
                el?.focus();
              }}
            />
          )}
        </div>
        <button
          type="submit"
          class="btn primary send"
          disabled={busy || (!text.trim() && !ready.length)}
        >
          {t("composer.send")}
        </button>
      </div>
    </form>
  );
}
