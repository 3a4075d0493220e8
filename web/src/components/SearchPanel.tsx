/**
 * Search across my channels: words or phrases, filtered by channel, sender and dates (and
 * the archive on request), ranked; hits highlighted; a hit opens its channel at the message.
 */
import { useState } from "preact/hooks";
import { qs } from "../api.ts";
import { t } from "../i18n/mod.ts";
import { highlights } from "../lib/text.ts";
import { dateTimeOf } from "../lib/time.ts";
import { channelTitle, type ChatState } from "../state/chat.ts";
import type { SearchHit } from "../types.ts";
import { Field } from "./Field.tsx";

export function SearchPanel({ chat }: { chat: ChatState }) {
  const [q, setQ] = useState("");
  const [channelId, setChannelId] = useState(chat.activeId.value ?? "");
  const [senderId, setSenderId] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [archive, setArchive] = useState(false);
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(more: boolean) {
    if (!q.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const r = await chat.api.get<{ hits: SearchHit[]; next_cursor: string | null }>(
        `/search${
          qs({
            q: q.trim(),
            channel_id: channelId || undefined,
            sender_id: senderId || undefined,
            after: from ? new Date(`${from}T00:00:00`).toISOString() : undefined,
            before: to ? new Date(`${to}T23:59:59.999`).toISOString() : undefined,
            archive: archive ? "true" : undefined,
            cursor: more ? cursor : undefined,
            limit: 20,
          })
        }`,
      );
      setHits(more && hits ? [...hits, ...r.hits] : r.hits);
      setCursor(r.next_cursor);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  const people = [...chat.users.value.values()].sort((a, b) =>
    a.username.localeCompare(b.username)
  );
  return (
    <div class="search-panel">
      <h2>{t("search.title")}</h2>
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          run(false);
        }}
      >
        <Field label={t("search.query")} type="search" maxLength={200} value={q} onValue={setQ} />
        <div class="filters">
          <label class="field">
            <span>{t("search.channel")}</span>
            <select value={channelId} onChange={(e) => setChannelId(e.currentTarget.value)}>
              <option value="">{t("search.all_channels")}</option>
              {chat.channels.value.map((c) => (
                <option key={c.id} value={c.id}>{channelTitle(c)}</option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>{t("search.sender")}</span>
            <select value={senderId} onChange={(e) => setSenderId(e.currentTarget.value)}>
              <option value="">{t("search.anyone")}</option>
              {people.map((u) => <option key={u.id} value={u.id}>@{u.username}</option>)}
            </select>
          </label>
          <Field label={t("search.from")} type="date" value={from} onValue={setFrom} />
          <Field label={t("search.to")} type="date" value={to} onValue={setTo} />
          <label class="check">
            <input
              type="checkbox"
              checked={archive}
              onChange={(e) => setArchive(e.currentTarget.checked)}
            />
            {t("search.archive")}
          </label>
        </div>
        <button type="submit" class="btn primary" disabled={busy || !q.trim()}>
          {t("search.submit")}
        </button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {hits && (
        <>
          <p class="muted" role="status">{t("search.count", { count: hits.length })}</p>
          <ol class="hits">
            {hits.map((h) => {
              const c = chat.channels.value.find((x) => x.id === h.channel_id);
              const who = chat.users.value.get(h.sender_id);
              return (
                <li key={h.id}>
                  <button
                    type="button"
                    class="hit"
                    disabled={h.archived}
                    onClick={() => chat.select(h.channel_id, { jumpTo: h.id })}
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
          {cursor && (
            <button type="button" class="btn" disabled={busy} onClick={() => run(true)}>
              {t("search.more")}
            </button>
          )}
        </>
      )}
    </div>
  );
}
