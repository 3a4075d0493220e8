/**
 * Search across my channels as I type (`state/search.ts`: debounced, stale answers dropped),
 * with filters typed into the box that turn into removable chips (`state/search_query.ts`).
 * The box is a combobox over the results: ↑/↓ move, Enter opens, Esc closes the panel (the
 * layout's). Opening a hit shows its channel at the message; on a phone, where the panel covers
 * the conversation, the panel closes first.
 */
import { useEffect, useId, useMemo, useRef, useState } from "preact/hooks";
import { qs } from "../api.ts";
import { t } from "../i18n/mod.ts";
import { highlights } from "../lib/text.ts";
import { dateTimeOf } from "../lib/time.ts";
import { channelTitle, type ChatState } from "../state/chat.ts";
import { createSearch, type SearchPage } from "../state/search.ts";
import {
  addChips,
  type Chip,
  MIN_QUERY_CHARS,
  type Resolver,
  splitInput,
  wordsOf,
} from "../state/search_query.ts";
import type { SearchHit } from "../types.ts";
import { Icon } from "./Icon.tsx";

const FILTERS = [
  "from:name",
  "in:channel",
  "after:2025-01-31",
  "before:2025-02-28",
  "has:attachment",
  "in:thread",
  "mentions:me",
  "in:archive",
];

/** The hit the keyboard is on (no stylesheet rule for it yet: set through the CSSOM, CSP-safe). */
/** The channels and people a chip names, from what the client holds or `GET /users?q=`. */
function resolverOf(chat: ChatState): Resolver {
  const known = new Map<string, string | null>();
  return {
    channel(name) {
      const n = name.toLowerCase();
      const c = chat.channels.value.find((c) =>
        channelTitle(c).toLowerCase() === n || c.other_user?.username.toLowerCase() === n
      );
      return c?.id ?? null;
    },
    async user(username) {
      if (username === "me") return chat.myId;
      const held = [...chat.users.value.values()].find((u) =>
        u.username.toLowerCase() === username
      );
      if (held) return held.id;
      if (!known.has(username)) {
        const found = await chat.findUsers(username);
        known.set(username, found.find((u) => u.username.toLowerCase() === username)?.id ?? null);
      }
      return known.get(username) ?? null;
    },
  };
}

function errorText(code: string): string {
  switch (code) {
    case "rate_limited":
      return t("search.err.rate_limited");
    case "network":
      return t("search.err.network");
    case "validation_failed":
      return t("search.err.invalid");
    default:
      return t("search.err.failed");
  }
}

export function SearchPanel({ chat }: { chat: ChatState }) {
  const search = useMemo(() =>
    createSearch({
      fetch: (p) => chat.api.get<SearchPage>(`/search${qs({ ...p, limit: 20 })}`),
      resolve: resolverOf(chat),
      clock: {
        setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms) as unknown as number,
        clearTimeout: (id) => globalThis.clearTimeout(id),
      },
    }), []);
  useEffect(() => () => search.dispose(), []);
  const [text, setText] = useState("");
  const [chips, setChips] = useState<Chip[]>([]);
  const box = useRef<HTMLInputElement>(null);
  const id = useId();
  useEffect(() => box.current?.focus(), []);

  const { status, hits, active, problem, error, cursor } = search;
  const activeHit = hits.value[active.value];
  const optionId = (h: SearchHit) => `${id}-hit-${h.id}`;

  /** What is in the box changed: finished filters become chips; `all` (Enter) finishes all. */
  function typed(value: string, all = false) {
    const { chips: found, rest } = splitInput(value, { all });
    const next = found.length ? addChips(chips, found) : chips;
    if (found.length) setChips(next);
    setText(rest);
    search.set(wordsOf(rest), next, { now: all });
  }

  function removeChip(c: Chip) {
    const next = chips.filter((x) => x !== c);
    setChips(next);
    search.set(wordsOf(text), next);
    box.current?.focus();
  }

  function open(h: SearchHit) {
    if (h.archived) return;
    // On a phone the panel covers the conversation: it goes, so the jump can be seen.
    const main = document.querySelector(".layout > .main");
    if (main && !main.getClientRects().length) chat.panel.value = "none";
    chat.select(h.channel_id, { jumpTo: h.id });
  }

  function onKey(e: KeyboardEvent) {
    const input = e.currentTarget as HTMLInputElement;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      search.move(e.key === "ArrowDown" ? 1 : -1);
      const h = hits.value[active.value];
      if (h) document.getElementById(optionId(h))?.scrollIntoView({ block: "nearest" });
    } else if (e.key === "Enter" && activeHit) {
      e.preventDefault();
      open(activeHit);
    } else if (
      e.key === "Backspace" && chips.length && input.selectionStart === 0 &&
      input.selectionEnd === 0
    ) {
      e.preventDefault();
      removeChip(chips.at(-1)!);
    }
  }

  const st = status.value;
  const bad = problem.value;
  const err = error.value;
  const shown = hits.value;
  const message = st === "short"
    ? t("search.short", { count: MIN_QUERY_CHARS })
    : st === "loading"
    ? t("search.loading")
    : st === "done"
    ? (shown.length ? t("search.count", { count: shown.length }) : t("search.empty"))
    : "";
  return (
    <div class="search-panel">
      <h2>{t("search.title")}</h2>
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          typed(text, true);
        }}
      >
        <label class="field">
          <span>{t("search.query")}</span>
          <input
            ref={box}
            type="text"
            role="combobox"
            autocomplete="off"
            spellcheck={false}
            maxLength={200}
            aria-autocomplete="list"
            aria-expanded={shown.length > 0}
            aria-controls={`${id}-hits`}
            aria-describedby={`${id}-help`}
            {...(activeHit ? { "aria-activedescendant": optionId(activeHit) } : {})}
            value={text}
            onInput={(e) => typed(e.currentTarget.value)}
            onKeyDown={onKey}
          />
        </label>
        <small id={`${id}-help`} class="hint muted">
          {t("search.help")}
          {FILTERS.flatMap((f) => [" ", <code key={f}>{f}</code>])}
        </small>
        {chips.length > 0 && (
          <ul class="chips" aria-label={t("search.filters")}>
            {chips.map((c) => (
              <li key={c.kind} class={c.invalid || bad?.chip === c ? "error" : ""}>
                {c.text}
                <button
                  type="button"
                  class="icon"
                  aria-label={t("search.remove_filter", { filter: c.text })}
                  onClick={() => removeChip(c)}
                >
                  <Icon name="close" size={14} />
                </button>
              </li>
            ))}
          </ul>
        )}
        <button type="submit" class="btn primary" disabled={!text.trim() && !chips.length}>
          {t("search.submit")}
        </button>
      </form>
      <p class="muted" role="status">{message}</p>
      {bad && (
        <p class="error" role="alert">
          {t(bad.reason, { filter: bad.chip.text, value: bad.chip.value })}
        </p>
      )}
      {st === "error" && err && <p class="error" role="alert">{errorText(err.code)}</p>}
      <ol
        id={`${id}-hits`}
        class="hits"
        role="listbox"
        aria-label={t("search.results")}
        aria-busy={st === "loading"}
      >
        {shown.map((h, i) => {
          const c = chat.channels.value.find((x) => x.id === h.channel_id);
          const who = chat.users.value.get(h.sender_id);
          const on = i === active.value;
          return (
            <li key={h.id} role="none">
              <button
                type="button"
                role="option"
                id={optionId(h)}
                class="hit"
                tabIndex={-1}
                aria-selected={on}
                aria-disabled={h.archived}
                onClick={() => open(h)}
              >
                <span class="hit-meta">
                  <strong>{channelTitle(c)}</strong> · {who ? `@${who.username}` : ""} ·{" "}
                  <time dateTime={h.created_at}>{dateTimeOf(h.created_at)}</time>
                  {h.archived && <span class="role">{t("search.archived")}</span>}
                </span>
                <span class="snippet">
                  {highlights(h.snippet).map((p, i) =>
                    p.hit ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>
                  )}
                </span>
              </button>
            </li>
          );
        })}
      </ol>
      {cursor.value && st === "done" && (
        <button
          type="button"
          class="btn"
          disabled={search.loadingMore.value}
          onClick={() => search.more()}
        >
          {t("search.more")}
        </button>
      )}
    </div>
  );
}
