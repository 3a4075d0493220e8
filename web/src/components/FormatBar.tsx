/**
 * The composer's formatting toolbar: bold, italic, strikethrough, code, code block, quote,
 * list, link (lib/format_selection.ts does the edits). One tab stop, ←/→ (Home/End) between
 * its buttons, as WAI-ARIA's toolbar pattern. A press keeps the focus (and the selection) in
 * the textbox. Each button names its shortcut where it has one.
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { t } from "../i18n/mod.ts";
import { type Format, FORMATS } from "../lib/format_selection.ts";

const GLYPH: Record<Format, JSX.Element | string> = {
  bold: <b>B</b>,
  italic: <i>I</i>,
  strike: <s>S</s>,
  code: "</>",
  codeblock: "{ }",
  quote: "❝",
  list: "•",
  link: "🔗",
};

const KEYS: Partial<Record<Format, string>> = {
  bold: "B",
  italic: "I",
  strike: "Shift+X",
  code: "E",
};

const mod = () => /Mac|iPhone|iPad/.test(navigator.platform) ? "⌘" : "Ctrl+";

export function FormatBar({ onFormat }: { onFormat: (f: Format) => void }) {
  const [current, setCurrent] = useState(0);
  return (
    <div
      class="format-bar"
      role="toolbar"
      aria-label={t("format.toolbar")}
      onKeyDown={(e) => {
        const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
        const to = e.key === "Home"
          ? 0
          : e.key === "End"
          ? FORMATS.length - 1
          : step
          ? (current + step + FORMATS.length) % FORMATS.length
          : null;
        if (to === null) return;
        e.preventDefault();
        setCurrent(to);
        (e.currentTarget.children[to] as HTMLElement | undefined)?.focus();
      }}
    >
      {FORMATS.map((f, i) => {
        const label = t(`format.${f}`);
        const key = KEYS[f];
        return (
          <button
            key={f}
            type="button"
            data-format={f}
            tabIndex={i === current ? 0 : -1}
            aria-label={label}
            title={key ? `${label} (${mod()}${key})` : label}
            aria-keyshortcuts={key ? `Control+${key}` : undefined}
            onMouseDown={(e) => e.preventDefault()}
            onFocus={() => setCurrent(i)}
            onClick={() => onFormat(f)}
          >
            <span aria-hidden="true">{GLYPH[f]}</span>
          </button>
        );
      })}
    </div>
  );
}
