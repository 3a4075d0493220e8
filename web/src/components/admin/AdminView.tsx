/**
 * The admin view for moderators and admins: the reports queue, people and their roles,
 * blocked terms, and live metrics, as four tabs (an ARIA tablist: arrow keys, Home and End
 * move between tabs). Moderators see people and blocked terms read-only; the API checks
 * every write again. What people wrote is shown as text only, never as HTML.
 */
import type { JSX } from "preact";
import { useId } from "preact/hooks";
import { useSignal } from "@preact/signals";
import type { Api } from "../../api.ts";
import { t } from "../../i18n/mod.ts";
import type { StaffRole } from "./_shared.ts";
import { ReportsTab } from "./ReportsTab.tsx";
import { UsersTab } from "./UsersTab.tsx";
import { TermsTab } from "./TermsTab.tsx";
import { MetricsTab } from "./MetricsTab.tsx";

const TABS = ["reports", "users", "terms", "metrics"] as const;
type Tab = typeof TABS[number];

export function AdminView({ api, role }: { api: Api; role: StaffRole }) {
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
          {tab.value === k && k === "reports" && <ReportsTab api={api} />}
          {tab.value === k && k === "users" && <UsersTab api={api} role={role} />}
          {tab.value === k && k === "terms" && <TermsTab api={api} role={role} />}
          {tab.value === k && k === "metrics" && <MetricsTab api={api} />}
        </div>
      ))}
    </section>
  );
}
