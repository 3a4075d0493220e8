/**
 * An attachment in a message: images as thumbnails that open a viewer, video with the poster
 * the sender's browser took, audio with a player, anything else as a download.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { useApp } from "../context.ts";
import { useSignedUrl } from "../lib/signed.ts";
import { formatBytes } from "../lib/text.ts";
import { displayName, thumbBox } from "../lib/media.ts";
import { lang, t } from "../i18n/mod.ts";
import type { Attachment } from "../types.ts";
import { Icon } from "./Icon.tsx";

const fileName = displayName;

function Viewer({ a, onClose }: { a: Attachment; onClose: () => void }) {
  const { sb } = useApp();
  const url = useSignedUrl(sb, "attachments", a.path);
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={ref} class="viewer" aria-label={t("attachment.viewer")} onClose={onClose}>
      <div class="viewer-bar">
        {url && (
          <a class="btn" href={url} download={fileName(a.path)}>
            {t("attachment.download")}
          </a>
        )}
        <button type="button" class="btn" onClick={() => ref.current?.close()} autofocus>
          {t("common.close")}
        </button>
      </div>
      {url
        ? <img src={url} alt={t("attachment.image")} />
        : <p class="muted">{t("app.loading")}</p>}
    </dialog>
  );
}

export function AttachmentView({ a }: { a: Attachment }) {
  const { sb } = useApp();
  const [open, setOpen] = useState(false);
  const isImage = a.mime_type.startsWith("image/");
  const isVideo = a.mime_type.startsWith("video/");
  const isAudio = a.mime_type.startsWith("audio/");
  const thumb = useSignedUrl(
    sb,
    "attachments",
    isImage || isVideo ? (a.thumb_path ?? (isImage ? a.path : null)) : null,
  );
  const src = useSignedUrl(sb, "attachments", isImage ? null : a.path);
  // A download clicked before its signed address came goes as soon as it comes.
  const link = useRef<HTMLAnchorElement>(null);
  const [wanted, setWanted] = useState(false);
  useEffect(() => {
    if (!wanted || !src) return;
    setWanted(false);
    link.current?.click();
  }, [wanted, src]);
  if (isImage) {
    const { width, height } = thumbBox(a);
    return (
      <>
        <button
          type="button"
          class="attachment image"
          aria-label={t("attachment.open_image", { name: fileName(a.path) })}
          onClick={() => setOpen(true)}
        >
          {thumb
            ? (
              <img
                src={thumb}
                alt={t("attachment.image")}
                width={width}
                height={height}
                loading="lazy"
                class="thumb"
              />
            )
            : (
              // The image's own box while its URL is signed: the message does not grow when
              // the image comes, so a list that follows its end is not thrown off by it.
              <svg
                class="thumb reserved"
                width={width}
                height={height}
                viewBox={`0 0 ${width} ${height}`}
                role="img"
                aria-label={t("app.loading")}
              />
            )}
        </button>
        {open && <Viewer a={a} onClose={() => setOpen(false)} />}
      </>
    );
  }
  if (isVideo) {
    return src
      ? (
        <video
          class="attachment video"
          controls
          preload="none"
          src={src}
          {...(thumb ? { poster: thumb } : {})}
          aria-label={fileName(a.path)}
        />
      )
      : null;
  }
  if (isAudio) {
    return src
      ? (
        // Metadata only (a range request for the header): the player shows the length before
        // it is played, rather than 0:00.
        <audio
          class="attachment audio"
          controls
          preload="metadata"
          src={src}
          aria-label={fileName(a.path)}
        />
      )
      : null;
  }
  return (
    <a
      ref={link}
      class="attachment file"
      href={src ?? undefined}
      download={fileName(a.path)}
      aria-busy={wanted || undefined}
      onClick={(e) => {
        if (src) return;
        e.preventDefault();
        setWanted(true);
      }}
    >
      <Icon name="file" /> {fileName(a.path)}{" "}
      <span class="muted">{formatBytes(a.size_bytes, lang.value)}</span>
    </a>
  );
}
