/**
 * The admin view for moderators and admins: the reports queue, people and their roles,
 * blocked terms, and live metrics, as four tabs (an ARIA tablist: arrow keys, Home and End
 * move between tabs). Moderators see people and blocked terms read-only; the API checks
 * every write again. What people wrote is shown as text only, never as HTML.
 */
import type { JSX } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";
import { computed, useSignal } from "@preact/signals";
import { type Api, ApiError, qs } from "../api.ts";
import { lang, t } from "../i18n/mod.ts";

type Role = "user" | "moderator" | "admin";
type ReportStatus = "open" | "dismissed" | "actioned";
type TermAction = "reject" | "mask" | "flag";

const ROLES: readonly Role[] = ["user", "moderator", "admin"];
const STATUSES: readonly ReportStatus[] = ["open", "dismissed", "actioned"];
const ACTIONS: readonly TermAction[] = ["reject", "mask", "flag"];
const TABS = ["reports", "users", "terms", "metrics"] as const;
type Tab = typeof TABS[number];

const POLL_SECONDS = 5;
const SEARCH_DEBOUNCE_MS = 250;

interface Report {
  id: number;
  reason: string;
  status: ReportStatus;
  created_at: string;
  reviewed_by: string | null;
  reviewed_at: string | null;
  channel_id: string | null;
  /** A left join: a missing message may come as null or as an object of nulls. */
  message: {
    id: number | null;
    content: string | null;
    sender_id: string | null;
    deleted: boolean | null;
  } | null;
  reporter: string | null;
}

interface User {
  id: string;
  username: string;
  display_name: string | null;
  avatar_path: string | null;
  last_seen_at: string | null;
  created_at: string;
  deactivated_at: string | null;
  role: string;
}

interface BlockedTerm {
  term: string;
  action: string;
  created_at: string;
}

interface MetricsSnapshot {
  at: string;
  counters: Record<string, number>;
  gauges: Record<string, number>;
  requests: { count: number; mean_ms: number };
}

const dateFormat = computed(() =>
  new Intl.DateTimeFormat(lang.value, { dateStyle: "medium", timeStyle: "short" })
);

function formatDate(iso: string | null | undefined): string {
  if (!iso) return t("admin.never");
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateFormat.value.format(d);
}

function formatNumber(n: number, maxFractionDigits = 0): string {
  return new Intl.NumberFormat(lang.value, { maximumFractionDigits: maxFractionDigits }).format(n);
}

function errorText(e: unknown): string {
  return e instanceof ApiError && e.message ? e.message : t("admin.error.generic");
}

const isRole = (r: string): r is Role => (ROLES as readonly string[]).includes(r);
const isAction = (a: string): a is TermAction => (ACTIONS as readonly string[]).includes(a);
const roleLabel = (r: string) => isRole(r) ? t(`admin.role.${r}`) : r;
const actionLabel = (a: string) => isAction(a) ? t(`admin.terms.action.${a}`) : a;

/** Inline error text for a failed call; nothing when there is none. */
function ErrorText({ message }: { message: string | null }) {
  return message ? <p class="error admin-error" role="alert">{message}</p> : null;
}

export function AdminView({ api, role }: { api: Api; role: "moderator" | "admin" }) {
  const tab = useSignal<Tab>("reports");
  const base = useId();
  const tabId = (k: Tab) => `${base}-tab-${k}`;
  const panelId = (k: Tab) => `${base}-panel-${k}`;

  const select = (k: Tab, focus: boolean) => {
    tab.value = k;
    if (focus) document.getElementById(tabId(k))?.focus();
  };

  const onKeyDown = (e: JSX.TargetedKeyboardEvent<HTMLDivElement>) => {
    const i = TABS.indexOf(tab.value);
    let next: number;
    switch (e.key) {
      case "ArrowRight":
        next = (i + 1) % TABS.length;
        break;
      case "ArrowLeft":
        next = (i - 1 + TABS.length) % TABS.length;
        break;
      case "Home":
        next = 0;
        break;
      case "End":
        next = TABS.length - 1;
        break;
      default:
        return;
    }
    e.preventDefault();
    const k = TABS[next];
    if (k) select(k, true);
  };

  return (
    <section class="admin-view" aria-labelledby={`${base}-title`}>
      <h2 id={`${base}-title`} class="admin-title">{t("admin.title")}</h2>
      <div
        class="tabs admin-tabs"
        role="tablist"
        aria-label={t("admin.tabs.label")}
        onKeyDown={onKeyDown}
      >
        {TABS.map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            class="tab admin-tab"
            id={tabId(k)}
            aria-selected={tab.value === k}
            aria-controls={panelId(k)}
            tabIndex={tab.value === k ? 0 : -1}
            onClick={() => select(k, false)}
          >
            {t(`admin.tab.${k}`)}
          </button>
        ))}
      </div>
      {TABS.map((k) => (
        <div
          key={k}
          role="tabpanel"
          class="admin-panel"
          id={panelId(k)}
          aria-labelledby={tabId(k)}
          tabIndex={0}
          hidden={tab.value !== k}
        >
          {tab.value === k && k === "reports" && <ReportsPanel api={api} />}
          {tab.value === k && k === "users" && <UsersPanel api={api} role={role} />}
          {tab.value === k && k === "terms" && <TermsPanel api={api} role={role} />}
          {tab.value === k && k === "metrics" && <MetricsPanel api={api} />}
        </div>
      ))}
    </section>
  );
}

/** Each call starts a load and returns a check that stays true until a newer load starts. */
function useLatest() {
  const seq = useRef(0);
  return () => {
    const n = ++seq.current;
    return () => n === seq.current;
  };
}

function ReportsPanel({ api }: { api: Api }) {
  const status = useSignal<ReportStatus>("open");
  const reports = useSignal<Report[] | null>(null);
  const loading = useSignal(false);
  const error = useSignal<string | null>(null);
  const busy = useSignal<number | null>(null);
  const next = useLatest();
  const statusId = useId();

  const load = async () => {
    const current = next();
    loading.value = true;
    try {
      const r = await api.get<{ reports: Report[] }>(
        `/admin/reports${qs({ status: status.peek() })}`,
      );
      if (!current()) return;
      reports.value = r.reports;
      error.value = null;
    } catch (e) {
      if (current()) error.value = errorText(e);
    } finally {
      if (current()) loading.value = false;
    }
  };

  useEffect(() => {
    void load();
  }, [status.value]);

  const decide = async (r: Report, deleteMessage: boolean) => {
    busy.value = r.id;
    error.value = null;
    try {
      await api.post(
        `/admin/reports/${r.id}`,
        deleteMessage ? { status: "actioned", delete_message: true } : { status: "dismissed" },
      );
      await load();
    } catch (e) {
      error.value = errorText(e);
    } finally {
      busy.value = null;
    }
  };

  const list = reports.value;
  return (
    <div class="admin-reports" aria-busy={loading.value}>
      <div class="admin-toolbar">
        <div class="field">
          <label for={statusId}>{t("admin.reports.status")}</label>
          <select
            id={statusId}
            value={status.value}
            onChange={(e) => {
              const v = e.currentTarget.value as ReportStatus;
              if (STATUSES.includes(v) && v !== status.value) {
                reports.value = null;
                status.value = v;
              }
            }}
          >
            {STATUSES.map((s) => <option key={s} value={s}>{t(`admin.reports.status.${s}`)}
            </option>)}
          </select>
        </div>
        <button type="button" class="btn" onClick={() => void load()} disabled={loading.value}>
          {t("admin.refresh")}
        </button>
      </div>
      <ErrorText message={error.value} />
      {list === null
        ? (loading.value && <p class="muted">{t("admin.loading")}</p>)
        : list.length === 0
        ? <p class="muted">{t("admin.reports.empty")}</p>
        : (
          <>
            <p class="muted admin-count">{t("admin.reports.count", { count: list.length })}</p>
            <ul class="admin-report-list">
              {list.map((r) => (
                <ReportItem
                  key={r.id}
                  report={r}
                  busy={busy.value !== null}
                  onDecide={(del) => void decide(r, del)}
                />
              ))}
            </ul>
          </>
        )}
    </div>
  );
}

function ReportItem(
  { report: r, busy, onDecide }: {
    report: Report;
    busy: boolean;
    onDecide: (deleteMessage: boolean) => void;
  },
) {
  const id = String(r.id);
  const m = r.message && r.message.id !== null ? r.message : null;
  return (
    <li class="admin-report">
      <div class="admin-report-head">
        <strong>{t("admin.reports.title", { id })}</strong>
        <span class="muted">
          <time dateTime={r.created_at}>{formatDate(r.created_at)}</time>
        </span>
        <span class="muted">
          {r.reporter ? t("admin.reports.by", { name: r.reporter }) : t("admin.reports.byUnknown")}
        </span>
      </div>
      <dl class="admin-report-body">
        <dt>{t("admin.reports.reason")}</dt>
        <dd class="admin-text">{r.reason}</dd>
        <dt>{t("admin.reports.message")}</dt>
        <dd>
          {m === null ? <span class="muted">{t("admin.reports.messageMissing")}</span> : (
            <>
              {m.deleted && (
                <span class="admin-badge admin-badge-danger">
                  {t("admin.reports.messageDeleted")}
                </span>
              )}
              <blockquote class="admin-message admin-text">{m.content ?? ""}</blockquote>
            </>
          )}
        </dd>
      </dl>
      {r.status !== "open" && r.reviewed_at && (
        <p class="muted admin-report-reviewed">
          {t("admin.reports.reviewed", { date: formatDate(r.reviewed_at) })}
        </p>
      )}
      {r.status === "open" && (
        <div class="admin-actions">
          <button
            type="button"
            class="btn"
            disabled={busy}
            aria-label={t("admin.reports.dismissLabel", { id })}
            onClick={() => onDecide(false)}
          >
            {t("admin.reports.dismiss")}
          </button>
          <button
            type="button"
            class="btn danger"
            disabled={busy}
            aria-label={t("admin.reports.deleteMessageLabel", { id })}
            onClick={() => onDecide(true)}
          >
            {t("admin.reports.deleteMessage")}
          </button>
        </div>
      )}
    </li>
  );
}

function UsersPanel({ api, role }: { api: Api; role: "moderator" | "admin" }) {
  const q = useSignal("");
  const query = useSignal("");
  const users = useSignal<User[] | null>(null);
  const loading = useSignal(false);
  const error = useSignal<string | null>(null);
  const busy = useSignal<string | null>(null);
  const next = useLatest();
  const searchId = useId();
  const isAdmin = role === "admin";

  useEffect(() => {
    const h = setTimeout(() => {
      query.value = q.value.trim();
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(h);
  }, [q.value]);

  const load = async () => {
    const current = next();
    loading.value = true;
    try {
      const r = await api.get<{ users: User[] }>(`/admin/users${qs({ q: query.peek() })}`);
      if (!current()) return;
      users.value = r.users;
      error.value = null;
    } catch (e) {
      if (current()) error.value = errorText(e);
    } finally {
      if (current()) loading.value = false;
    }
  };

  useEffect(() => {
    void load();
  }, [query.value]);

  const setRole = async (u: User, r: Role) => {
    if (r === u.role) return;
    busy.value = u.id;
    error.value = null;
    try {
      await api.post(`/admin/users/${encodeURIComponent(u.id)}/role`, { role: r });
      users.value = users.value?.map((x) => x.id === u.id ? { ...x, role: r } : x) ?? null;
    } catch (e) {
      // Re-rendering puts the select back on the role the user still has.
      error.value = errorText(e);
    } finally {
      busy.value = null;
    }
  };

  const setActive = async (u: User, active: boolean) => {
    if (!active && !confirm(t("admin.users.confirmDeactivate", { name: u.username }))) return;
    busy.value = u.id;
    error.value = null;
    try {
      await api.post(
        `/admin/users/${encodeURIComponent(u.id)}/${active ? "reactivate" : "deactivate"}`,
      );
      await load();
    } catch (e) {
      error.value = errorText(e);
    } finally {
      busy.value = null;
    }
  };

  const list = users.value;
  return (
    <div class="admin-users" aria-busy={loading.value}>
      <div class="admin-toolbar">
        <div class="field admin-search">
          <label for={searchId}>{t("admin.users.search")}</label>
          <input
            id={searchId}
            type="search"
            maxLength={64}
            autoComplete="off"
            spellcheck={false}
            value={q.value}
            onInput={(e) => (q.value = e.currentTarget.value)}
          />
        </div>
        <button type="button" class="btn" onClick={() => void load()} disabled={loading.value}>
          {t("admin.refresh")}
        </button>
      </div>
      {!isAdmin && <p class="muted admin-note">{t("admin.users.readOnly")}</p>}
      <ErrorText message={error.value} />
      {list === null
        ? (loading.value && <p class="muted">{t("admin.loading")}</p>)
        : list.length === 0
        ? <p class="muted">{t("admin.users.empty")}</p>
        : (
          <div class="admin-table-wrap">
            <table class="table admin-table">
              <caption class="admin-caption">
                {t("admin.users.count", { count: list.length })}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t("admin.users.col.name")}</th>
                  <th scope="col">{t("admin.users.col.role")}</th>
                  <th scope="col">{t("admin.users.col.lastSeen")}</th>
                  <th scope="col">{t("admin.users.col.joined")}</th>
                  <th scope="col">{t("admin.users.col.status")}</th>
                  {isAdmin && <th scope="col">{t("admin.col.manage")}</th>}
                </tr>
              </thead>
              <tbody>
                {list.map((u) => {
                  const disabled = busy.value !== null;
                  const name = u.display_name || u.username;
                  return (
                    <tr key={u.id} class={u.deactivated_at ? "admin-row-inactive" : undefined}>
                      <th scope="row" class="admin-user-name">
                        <span class="admin-text">{name}</span>
                        <span class="muted admin-username">@{u.username}</span>
                      </th>
                      <td>
                        {isAdmin
                          ? (
                            <select
                              aria-label={t("admin.users.roleFor", { name: u.username })}
                              value={u.role}
                              disabled={disabled}
                              onChange={(e) => {
                                const v = e.currentTarget.value;
                                if (isRole(v)) void setRole(u, v);
                              }}
                            >
                              {ROLES.map((r) => <option key={r} value={r}>{roleLabel(r)}</option>)}
                            </select>
                          )
                          : roleLabel(u.role)}
                      </td>
                      <td class="admin-nowrap">{formatDate(u.last_seen_at)}</td>
                      <td class="admin-nowrap">{formatDate(u.created_at)}</td>
                      <td>
                        {u.deactivated_at
                          ? (
                            <span class="admin-badge admin-badge-danger">
                              {t("admin.users.deactivated", { date: formatDate(u.deactivated_at) })}
                            </span>
                          )
                          : <span class="admin-badge">{t("admin.users.active")}</span>}
                      </td>
                      {isAdmin && (
                        <td>
                          {u.deactivated_at
                            ? (
                              <button
                                type="button"
                                class="btn"
                                disabled={disabled}
                                aria-label={t("admin.users.reactivateLabel", { name: u.username })}
                                onClick={() => void setActive(u, true)}
                              >
                                {t("admin.users.reactivate")}
                              </button>
                            )
                            : (
                              <button
                                type="button"
                                class="btn danger"
                                disabled={disabled}
                                aria-label={t("admin.users.deactivateLabel", { name: u.username })}
                                onClick={() => void setActive(u, false)}
                              >
                                {t("admin.users.deactivate")}
                              </button>
                            )}
                        </td>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
    </div>
  );
}

function TermsPanel({ api, role }: { api: Api; role: "moderator" | "admin" }) {
  const terms = useSignal<BlockedTerm[] | null>(null);
  const loading = useSignal(false);
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  const term = useSignal("");
  const action = useSignal<TermAction>("reject");
  const next = useLatest();
  const termId = useId();
  const actionId = useId();
  const helpId = useId();
  const isAdmin = role === "admin";

  const load = async () => {
    const current = next();
    loading.value = true;
    try {
      const r = await api.get<{ terms: BlockedTerm[] }>("/admin/blocked-terms");
      if (!current()) return;
      terms.value = r.terms;
      error.value = null;
    } catch (e) {
      if (current()) error.value = errorText(e);
    } finally {
      if (current()) loading.value = false;
    }
  };

  useEffect(() => {
    void load();
  }, []);

  const add = async (e: JSX.TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const value = term.value.trim();
    if (!value || busy.value) return;
    busy.value = true;
    error.value = null;
    try {
      await api.post("/admin/blocked-terms", { term: value, action: action.value });
      term.value = "";
      await load();
    } catch (err) {
      error.value = errorText(err);
    } finally {
      busy.value = false;
    }
  };

  const remove = async (value: string) => {
    busy.value = true;
    error.value = null;
    try {
      await api.del(`/admin/blocked-terms?term=${encodeURIComponent(value)}`);
      await load();
    } catch (err) {
      error.value = errorText(err);
    } finally {
      busy.value = false;
    }
  };

  const list = terms.value;
  return (
    <div class="admin-terms" aria-busy={loading.value}>
      {isAdmin
        ? (
          <form class="admin-form" aria-label={t("admin.terms.formLabel")} onSubmit={add}>
            <div class="field">
              <label for={termId}>{t("admin.terms.term")}</label>
              <input
                id={termId}
                type="text"
                required
                maxLength={100}
                autoComplete="off"
                spellcheck={false}
                value={term.value}
                onInput={(e) => (term.value = e.currentTarget.value)}
              />
            </div>
            <div class="field">
              <label for={actionId}>{t("admin.terms.action")}</label>
              <select
                id={actionId}
                aria-describedby={helpId}
                value={action.value}
                onChange={(e) => {
                  const v = e.currentTarget.value;
                  if (isAction(v)) action.value = v;
                }}
              >
                {ACTIONS.map((a) => <option key={a} value={a}>{actionLabel(a)}</option>)}
              </select>
            </div>
            <button type="submit" class="btn primary" disabled={busy.value}>
              {t("admin.terms.add")}
            </button>
            <p id={helpId} class="muted admin-help">{t("admin.terms.help")}</p>
          </form>
        )
        : <p class="muted admin-note">{t("admin.terms.adminOnly")}</p>}
      <ErrorText message={error.value} />
      {list === null
        ? (loading.value && <p class="muted">{t("admin.loading")}</p>)
        : list.length === 0
        ? <p class="muted">{t("admin.terms.empty")}</p>
        : (
          <div class="admin-table-wrap">
            <table class="table admin-table">
              <caption class="admin-caption">
                {t("admin.terms.count", { count: list.length })}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t("admin.terms.term")}</th>
                  <th scope="col">{t("admin.terms.action")}</th>
                  <th scope="col">{t("admin.terms.added")}</th>
                  {isAdmin && <th scope="col">{t("admin.col.manage")}</th>}
                </tr>
              </thead>
              <tbody>
                {list.map((x) => (
                  <tr key={x.term}>
                    <th scope="row" class="admin-text">{x.term}</th>
                    <td>
                      <span
                        class={`admin-badge admin-action-${
                          isAction(x.action) ? x.action : "other"
                        }`}
                      >
                        {actionLabel(x.action)}
                      </span>
                    </td>
                    <td class="admin-nowrap">{formatDate(x.created_at)}</td>
                    {isAdmin && (
                      <td>
                        <button
                          type="button"
                          class="btn danger"
                          disabled={busy.value}
                          aria-label={t("admin.terms.removeLabel", { term: x.term })}
                          onClick={() => void remove(x.term)}
                        >
                          {t("admin.terms.remove")}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </div>
  );
}

/** The sum of the counters about messages, or undefined when there are none. */
function messageCount(counters: Record<string, number>): number | undefined {
  let sum: number | undefined;
  for (const [name, v] of Object.entries(counters)) {
    if (name.toLowerCase().includes("message") && Number.isFinite(v)) sum = (sum ?? 0) + v;
  }
  return sum;
}

function MetricsPanel({ api }: { api: Api }) {
  const snap = useSignal<MetricsSnapshot | null>(null);
  const rate = useSignal<number | null>(null);
  const error = useSignal<string | null>(null);

  useEffect(() => {
    let stopped = false;
    let inFlight = false;
    let prev: { at: number; messages: number } | null = null;
    const poll = async () => {
      if (inFlight || (document.hidden && snap.peek() !== null)) return;
      inFlight = true;
      try {
        const s = await api.get<MetricsSnapshot>("/admin/metrics");
        if (stopped) return;
        const at = Date.parse(s.at);
        const messages = messageCount(s.counters);
        if (messages === undefined || Number.isNaN(at)) {
          rate.value = null;
          prev = null;
        } else {
          if (prev) {
            const dt = (at - prev.at) / 1000;
            const delta = messages - prev.messages;
            // A restarted server starts its counters again: wait for the next poll then.
            rate.value = dt > 0 && delta >= 0 ? delta / dt : null;
          }
          prev = { at, messages };
        }
        snap.value = s;
        error.value = null;
      } catch (e) {
        if (!stopped) error.value = errorText(e);
      } finally {
        inFlight = false;
      }
    };
    void poll();
    const h = setInterval(() => void poll(), POLL_SECONDS * 1000);
    return () => {
      stopped = true;
      clearInterval(h);
    };
  }, [api]);

  const s = snap.value;
  const hasMessages = s !== null && messageCount(s.counters) !== undefined;
  return (
    <div class="admin-metrics">
      <p class="muted admin-note">
        {t("admin.metrics.interval", { count: POLL_SECONDS })}
        {s && (
          <>
            {" "}
            <time dateTime={s.at}>{t("admin.metrics.updated", { date: formatDate(s.at) })}</time>
          </>
        )}
      </p>
      <ErrorText message={error.value} />
      {s === null ? (!error.value && <p class="muted">{t("admin.loading")}</p>) : (
        <>
          <dl class="admin-stats">
            {hasMessages && (
              <div class="admin-stat admin-rate">
                <dt>{t("admin.metrics.rate")}</dt>
                <dd>
                  {rate.value === null
                    ? <span class="muted">{t("admin.metrics.measuring")}</span>
                    : formatNumber(rate.value, 2)}
                </dd>
              </div>
            )}
            <div class="admin-stat">
              <dt>{t("admin.metrics.requests")}</dt>
              <dd>{formatNumber(s.requests.count)}</dd>
            </div>
            <div class="admin-stat">
              <dt>{t("admin.metrics.meanLatency")}</dt>
              <dd>
                {t("admin.metrics.ms", { value: formatNumber(s.requests.mean_ms, 1) })}
              </dd>
            </div>
          </dl>
          <MetricTable title={t("admin.metrics.gauges")} values={s.gauges} />
          <MetricTable title={t("admin.metrics.counters")} values={s.counters} />
        </>
      )}
    </div>
  );
}

function MetricTable({ title, values }: { title: string; values: Record<string, number> }) {
  const rows = Object.entries(values).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div class="admin-table-wrap">
      <table class="table admin-table admin-metric-table">
        <caption class="admin-caption">{title}</caption>
        <thead>
          <tr>
            <th scope="col">{t("admin.metrics.name")}</th>
            <th scope="col" class="admin-num">{t("admin.metrics.value")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0
            ? (
              <tr>
                <td colSpan={2} class="muted">{t("admin.metrics.none")}</td>
              </tr>
            )
            : rows.map(([name, v]) => (
              <tr key={name}>
                <th scope="row" class="admin-metric-name">{name}</th>
                <td class="admin-num">{formatNumber(v, 2)}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}
