/** Blocked terms and what a message with one gets: admins add and remove them. */
import type { JSX } from "preact";
import { useId } from "preact/hooks";
import { useSignal } from "@preact/signals";
import type { Api } from "../../api.ts";
import { t } from "../../i18n/mod.ts";
import { formatDate, type StaffRole } from "./_shared.ts";
import { useAdminData } from "./_use_admin_data.ts";
import { ActionButton } from "./ActionButton.tsx";
import { AdminField } from "./AdminField.tsx";
import { Field } from "../Field.tsx";
import { AdminTable } from "./AdminTable.tsx";
import { Listing } from "./Listing.tsx";

type TermAction = "reject" | "mask" | "flag";
const ACTIONS: readonly TermAction[] = ["reject", "mask", "flag"];
const isAction = (a: string): a is TermAction => (ACTIONS as readonly string[]).includes(a);
const actionLabel = (a: string) => isAction(a) ? t(`admin.terms.action.${a}`) : a;

interface BlockedTerm {
  term: string;
  action: string;
  created_at: string;
}

export function TermsTab({ api, role }: { api: Api; role: StaffRole }) {
  const terms = useAdminData(
    () => api.get<{ terms: BlockedTerm[] }>("/admin/blocked-terms").then((r) => r.terms),
    [],
  );
  const { loading, busy, load, act } = terms;
  const term = useSignal("");
  const action = useSignal<TermAction>("reject");
  const helpId = useId();
  const isAdmin = role === "admin";

  const add = (e: JSX.TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const value = term.value.trim();
    if (!value || busy.value) return;
    void act(async () => {
      await api.post("/admin/blocked-terms", { term: value, action: action.value });
      term.value = "";
      await load();
    });
  };

  const remove = (value: string) =>
    act(async () => {
      await api.del(`/admin/blocked-terms?term=${encodeURIComponent(value)}`);
      await load();
    });

  return (
    <div class="admin-terms" aria-busy={loading.value}>
      {isAdmin
        ? (
          <form class="admin-form" aria-label={t("admin.terms.formLabel")} onSubmit={add}>
            <Field
              label={t("admin.terms.term")}
              type="text"
              required
              maxLength={100}
              autoComplete="off"
              spellcheck={false}
              value={term.value}
              onValue={(v) => (term.value = v)}
            />
            <AdminField label={t("admin.terms.action")}>
              {(id) => (
                <select
                  id={id}
                  aria-describedby={helpId}
                  value={action.value}
                  onChange={(e) => {
                    const v = e.currentTarget.value;
                    if (isAction(v)) action.value = v;
                  }}
                >
                  {ACTIONS.map((a) => <option key={a} value={a}>{actionLabel(a)}</option>)}
                </select>
              )}
            </AdminField>
            <button type="submit" class="btn primary" disabled={busy.value}>
              {t("admin.terms.add")}
            </button>
            <p id={helpId} class="muted admin-help">{t("admin.terms.help")}</p>
          </form>
        )
        : <p class="muted admin-note">{t("admin.terms.adminOnly")}</p>}
      <Listing source={terms} empty={t("admin.terms.empty")}>
        {(list) => (
          <AdminTable
            list={list}
            caption={t("admin.terms.count", { count: list.length })}
            columns={["admin.terms.term", "admin.terms.action", "admin.terms.added"]}
            manage={isAdmin}
            row={(x) => (
              <tr key={x.term}>
                <th scope="row" class="admin-text">{x.term}</th>
                <td>
                  <span
                    class={`admin-badge admin-action-${isAction(x.action) ? x.action : "other"}`}
                  >
                    {actionLabel(x.action)}
                  </span>
                </td>
                <td class="admin-nowrap">{formatDate(x.created_at)}</td>
                {isAdmin && (
                  <td>
                    <ActionButton
                      danger
                      disabled={busy.value}
                      label={t("admin.terms.removeLabel", { term: x.term })}
                      onClick={() => void remove(x.term)}
                    >
                      {t("admin.terms.remove")}
                    </ActionButton>
                  </td>
                )}
              </tr>
            )}
          />
        )}
      </Listing>
    </div>
  );
}
