/** The reports queue, by status: each report with its reason and message, and its decision. */
import { useSignal } from "@preact/signals";
import { type Api, qs } from "../../api.ts";
import { t } from "../../i18n/mod.ts";
import { formatDate } from "./_shared.ts";
import { useAdminData } from "./_use_admin_data.ts";
import { ActionButton } from "./ActionButton.tsx";
import { AdminField } from "./AdminField.tsx";
import { Listing } from "./Listing.tsx";
import { Toolbar } from "./Toolbar.tsx";

type ReportStatus = "open" | "dismissed" | "actioned";
const STATUSES: readonly ReportStatus[] = ["open", "dismissed", "actioned"];

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
  /** Who wrote the message (null when the message is gone). */
  author: { id: string; username: string; display_name: string | null } | null;
  /** Null when the moderator may not see the channel: a private one they are not in. */
  channel: { id: string; kind: "direct" | "group"; name: string | null } | null;
}

function channelText(c: Report["channel"]): string {
  if (!c) return t("admin.reports.channelHidden");
  return c.kind === "group" && c.name
    ? t("admin.reports.channelName", { name: c.name })
    : t("admin.reports.channelDirect");
}

export function ReportsTab({ api }: { api: Api }) {
  const status = useSignal<ReportStatus>("open");
  const reports = useAdminData(
    () =>
      api.get<{ reports: Report[] }>(`/admin/reports${qs({ status: status.peek() })}`)
        .then((r) => r.reports),
    [status.value],
  );
  const { loading, busy, load } = reports;

  const decide = (r: Report, deleteMessage: boolean) =>
    reports.act(async () => {
      await api.post(
        `/admin/reports/${r.id}`,
        deleteMessage ? { status: "actioned", delete_message: true } : { status: "dismissed" },
      );
      await load();
    });

  return (
    <div class="admin-reports" aria-busy={loading.value}>
      <Toolbar loading={loading.value} onRefresh={() => void load()}>
        <AdminField label={t("admin.reports.status")}>
          {(id) => (
            <select
              id={id}
              value={status.value}
              onChange={(e) => {
                const v = e.currentTarget.value as ReportStatus;
                if (STATUSES.includes(v) && v !== status.value) {
                  reports.data.value = null;
                  status.value = v;
                }
              }}
            >
              {STATUSES.map((s) => (
                <option key={s} value={s}>{t(`admin.reports.status.${s}`)}</option>
              ))}
            </select>
          )}
        </AdminField>
      </Toolbar>
      <Listing source={reports} empty={t("admin.reports.empty")}>
        {(list) => (
          <>
            <p class="muted admin-count">{t("admin.reports.count", { count: list.length })}</p>
            <ul class="admin-report-list">
              {list.map((r) => (
                <ReportItem
                  key={r.id}
                  report={r}
                  busy={busy.value}
                  onDecide={(del) => void decide(r, del)}
                />
              ))}
            </ul>
          </>
        )}
      </Listing>
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
        <dt>{t("admin.reports.author")}</dt>
        <dd class="admin-report-author">
          {r.author
            ? (
              <>
                <span class="admin-text">{r.author.display_name || r.author.username}</span>{" "}
                <span class="muted">@{r.author.username}</span>
              </>
            )
            : <span class="muted">{t("admin.reports.authorUnknown")}</span>}
        </dd>
        <dt>{t("admin.reports.channel")}</dt>
        <dd class={r.channel ? "admin-text" : "admin-text muted"}>{channelText(r.channel)}</dd>
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
          {([false, true] as const).map((del) => (
            <ActionButton
              key={String(del)}
              danger={del}
              disabled={busy}
              label={t(del ? "admin.reports.deleteMessageLabel" : "admin.reports.dismissLabel", {
                id,
              })}
              onClick={() => onDecide(del)}
            >
              {t(del ? "admin.reports.deleteMessage" : "admin.reports.dismiss")}
            </ActionButton>
          ))}
        </div>
      )}
    </li>
  );
}
