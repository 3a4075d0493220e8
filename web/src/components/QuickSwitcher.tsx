/**
 * The keyboard layer of the signed-in app: the quick switcher (Ctrl+K, ⌘+K on a Mac: type part
 * of a conversation's name, ↑/↓, Enter, as Slack's and Discord's), Alt+↑/↓ to the conversation
 * above or below in the list, and Esc closing the side panel wherever the focus is. The rules
 * are `lib/shortcuts.ts`; this is where they meet the page.
 *
 * The switcher is a modal `<dialog>`: the page behind it is inert, Esc closes it (the browser's
 * own `cancel`), and the focus goes back where it was, or to the message box of the
 * conversation it opened.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { t } from "../i18n/mod.ts";
import { type Candidate, neighbour, rank, shortcutOf } from "../lib/shortcuts.ts";
import { channelTitle, type ChatState } from "../state/chat.ts";
import type { Channel } from "../types.ts";

interface Row extends Candidate {
  title: string;
  kind: Channel["kind"];
}

/** The message box of the open conversation, once it has rendered. */
function focusComposer() {
  requestAnimationFrame(() =>
    document.querySelector<HTMLTextAreaElement>(".composer textarea")?.focus()
  );
}

export function QuickSwitcher({ chat }: { chat: ChatState }) {
  const [open, setOpen] = useState(false);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const s = shortcutOf(e);
      if (!s || e.defaultPrevented) return;
      // A modal dialog (a report, the image viewer, the switcher) has the keyboard to itself.
      const modal = document.querySelector("dialog[open]");
      if (s === "switcher") {
        if (modal && !modal.classList.contains("switcher")) return;
        e.preventDefault();
        setOpen((o) => !o);
        return;
      }
      if (modal) return;
      if (s === "escape") {
        if (chat.panel.value !== "none") chat.panel.value = "none";
        return;
      }
      const next = neighbour(
        chat.channels.value.map((c) => c.id),
        chat.activeId.value,
        s === "next-channel" ? 1 : -1,
      );
      e.preventDefault();
      if (next) {
        const inComposer = !!(e.target as Element | null)?.closest?.(".composer");
        chat.select(next);
        if (inComposer) focusComposer();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [chat]);

  return open
    ? (
      <SwitcherDialog
        chat={chat}
        onClose={(picked) => {
          setOpen(false);
          if (picked) {
            chat.select(picked);
            focusComposer();
          }
        }}
      />
    )
    : null;
}

function SwitcherDialog(
  { chat, onClose }: { chat: ChatState; onClose: (picked: string | null) => void },
) {
  const ref = useRef<HTMLDialogElement>(null);
  const picked = useRef<string | null>(null);
  const [q, setQ] = useState("");
  const [active, setActive] = useState(0);
  const rows = useMemo<Row[]>(
    () =>
      chat.channels.value.map((c) => ({
        id: c.id,
        kind: c.kind,
        title: channelTitle(c),
        names: [
          channelTitle(c),
          ...(c.other_user ? [c.other_user.username, c.other_user.display_name ?? ""] : []),
        ].filter(Boolean),
      })),
    [chat.channels.value],
  );
  const hits = rank(rows, q, 12);
  const at = Math.min(active, Math.max(0, hits.length - 1));

  useEffect(() => {
    const d = ref.current;
    const opener = document.activeElement as HTMLElement | null;
    if (d && !d.open) d.showModal();
    return () => {
      d?.close();
      if (!picked.current && opener?.isConnected) opener.focus({ preventScroll: true });
    };
  }, []);

  const choose = (id: string | undefined) => {
    if (!id) return;
    picked.current = id;
    ref.current?.close();
  };

  return (
    <dialog
      ref={ref}
      class="switcher"
      aria-labelledby="switcher-title"
      onClose={() => onClose(picked.current)}
      onKeyDown={(e) => {
        // Esc closes the switcher (the dialog's own cancel), and nothing behind it.
        if (e.key === "Escape") e.stopPropagation();
      }}
    >
      <h2 id="switcher-title" class="visually-hidden">{t("switcher.title")}</h2>
      <input
        type="text"
        role="combobox"
        autofocus
        autocomplete="off"
        spellcheck={false}
        aria-label={t("switcher.input")}
        aria-expanded="true"
        aria-controls="switcher-list"
        aria-autocomplete="list"
        aria-activedescendant={hits[at] ? `switch-${hits[at]!.id}` : undefined}
        aria-describedby="switcher-hint"
        placeholder={t("switcher.title")}
        value={q}
        onInput={(e) => {
          setQ(e.currentTarget.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" || e.key === "ArrowUp") {
            e.preventDefault();
            const n = hits.length;
            if (n) setActive((at + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
          } else if (e.key === "Enter") {
            e.preventDefault();
            choose(hits[at]?.id);
          }
        }}
      />
      <ul id="switcher-list" role="listbox" aria-label={t("switcher.results")}>
        {hits.map((h, i) => (
          <li
            key={h.id}
            id={`switch-${h.id}`}
            role="option"
            aria-selected={i === at}
            class={i === at ? "active" : ""}
            onMouseMove={() => i !== at && setActive(i)}
            onClick={() => choose(h.id)}
          >
            <span class="switcher-name">{h.title}</span>
            <span class="muted">
              {h.kind === "direct" ? t("switcher.direct") : t("switcher.group")}
            </span>
          </li>
        ))}
      </ul>
      {!hits.length && <p class="muted" role="status">{t("switcher.none")}</p>}
      <p id="switcher-hint" class="muted switcher-hint">{t("switcher.hint")}</p>
    </dialog>
  );
}
