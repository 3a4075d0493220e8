/** A small emoji picker: search by keyword, categories, keyboard and screen-reader usable. */
import { useEffect, useRef, useState } from "preact/hooks";
import { EMOJI, searchEmoji } from "../lib/emoji.ts";
import { t } from "../i18n/mod.ts";

export function EmojiPicker(
  { onPick, onClose, label }: { onPick: (e: string) => void; onClose: () => void; label: string },
) {
  const [q, setQ] = useState("");
  const [cat, setCat] = useState(EMOJI[0]!.id);
  const ref = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // Focus goes back where it came from when the picker closes.
    const opener = document.activeElement as HTMLElement | null;
    input.current?.focus();
    const away = (e: Event) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onClose();
    };
    const timer = setTimeout(() => {
      document.addEventListener("mousedown", away);
      document.addEventListener("focusin", away);
    }, 0);
    return () => {
      clearTimeout(timer);
      document.removeEventListener("mousedown", away);
      document.removeEventListener("focusin", away);
      // Only if focus is still in the picker (or lost): a pick may have moved it on purpose.
      const now = document.activeElement;
      const lost = !now || now === document.body || !!ref.current?.contains(now);
      if (lost && opener?.isConnected) opener.focus({ preventScroll: true });
    };
  }, []);
  const list = q.trim()
    ? searchEmoji(q)
    : (EMOJI.find((c) => c.id === cat)?.emoji ?? []).map(([e]) => e);
  return (
    <div
      class="emoji-picker"
      role="dialog"
      aria-label={label}
      ref={ref}
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <input
        ref={input}
        type="search"
        class="emoji-search"
        placeholder={t("emoji.search")}
        aria-label={t("emoji.search")}
        value={q}
        onInput={(e) => setQ(e.currentTarget.value)}
      />
      {!q.trim() && (
        <div class="emoji-cats" role="tablist" aria-label={t("emoji.categories")}>
          {EMOJI.map((c) => (
            <button
              type="button"
              role="tab"
              key={c.id}
              aria-selected={c.id === cat}
              class={c.id === cat ? "active" : ""}
              title={t(`emoji.cat.${c.id}`)}
              aria-label={t(`emoji.cat.${c.id}`)}
              onClick={() => setCat(c.id)}
            >
              {c.emoji[0]![0]}
            </button>
          ))}
        </div>
      )}
      <div class="emoji-grid">
        {list.length
          ? list.map((e) => (
            <button
              type="button"
              key={e}
              class="emoji"
              aria-label={e}
              onClick={() => onPick(e)}
            >
              {e}
            </button>
          ))
          : <p class="muted">{t("emoji.none")}</p>}
      </div>
    </div>
  );
}
