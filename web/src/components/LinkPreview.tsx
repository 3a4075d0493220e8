/**
 * A message's link preview (issue 14): site, title (the link), description and the cached image
 * (a signed URL, as attachments), all from data as text — never HTML. The sender (or a
 * moderator) hides it; the server's `message.updated` then removes it for everyone.
 */
import { useApp } from "../context.ts";
import { useSignedUrl } from "../lib/signed.ts";
import { t } from "../i18n/mod.ts";
import { translated } from "../i18n/errors.ts";
import type { ChatState } from "../state/chat.ts";
import type { Message } from "../types.ts";

export function LinkPreview(
  { m, chat, canHide, act }: {
    m: Message;
    chat: ChatState;
    canHide: boolean;
    act: (f: () => Promise<unknown>) => Promise<boolean>;
  },
) {
  const { sb } = useApp();
  const p = m.preview;
  const img = useSignedUrl(sb, "attachments", p && !p.hidden ? p.image_path : null);
  if (!p || p.hidden) return null;
  const href = /^https?:\/\//i.test(p.url) ? p.url : undefined;
  return (
    <div class="link-preview" role="group" aria-label={t("preview.label", { site: p.site_name })}>
      {img && (
        <img
          class="link-preview-image"
          src={img}
          alt=""
          loading="lazy"
          {...(p.image_width && p.image_height
            ? { width: p.image_width, height: p.image_height }
            : {})}
        />
      )}
      <div class="link-preview-text">
        <span class="link-preview-site">{p.site_name}</span>
        <a
          class="link-preview-title"
          href={href}
          target="_blank"
          rel="noopener noreferrer nofollow"
        >
          {p.title ?? p.url}
        </a>
        {p.description && <p class="link-preview-description">{p.description}</p>}
      </div>
      {canHide && (
        <button
          type="button"
          class="icon link-preview-hide"
          aria-label={t("preview.hide")}
          title={t("preview.hide")}
          onClick={() =>
            act(() => translated(chat.api.patch(`/messages/${m.id}/preview`, { hidden: true })))}
        >
          ×
        </button>
      )}
    </div>
  );
}
