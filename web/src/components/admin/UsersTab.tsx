/** People, searchable by name: their roles and whether they are active (admins change both). */
import { useEffect } from "preact/hooks";
import { useSignal } from "@preact/signals";
import { type Api, qs } from "../../api.ts";
import { t } from "../../i18n/mod.ts";
import { formatDate, formatDay, type StaffRole } from "./_shared.ts";
import { useAdminData } from "./_use_admin_data.ts";
import { ActionButton } from "./ActionButton.tsx";
import { MfaResetButton } from "./MfaResetButton.tsx";
import { Field } from "../Field.tsx";
import { AdminTable } from "./AdminTable.tsx";
import { Listing } from "./Listing.tsx";
import { Toolbar } from "./Toolbar.tsx";
import { InviteForm } from "./InviteForm.tsx";

type Role = "user" | "moderator" | "admin";
const ROLES: readonly Role[] = ["user", "moderator", "admin"];
const isRole = (r: string): r is Role => (ROLES as readonly string[]).includes(r);
const roleLabel = (r: string) => isRole(r) ? t(`admin.role.${r}`) : r;

const SEARCH_DEBOUNCE_MS = 250;
const COLUMNS = [
  "admin.users.col.name",
  "admin.users.col.role",
  "admin.users.col.lastSeen",
  "admin.users.col.joined",
  "admin.users.col.status",
];

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

export function UsersTab({ api, role }: { api: Api; role: StaffRole }) {
  const q = useSignal("");
  const query = useSignal("");
  const users = useAdminData(
    () => api.get<{ users: User[] }>(`/admin/users${qs({ q: query.peek() })}`).then((r) => r.users),
    [query.value],
  );
  const { loading, busy, load, act } = users;
  const isAdmin = role === "admin";
  /** What the last change did, said where screen readers hear it; and the row it changed. */
  const done = useSignal<{ id: string; text: string } | null>(null);

  useEffect(() => {
    const h = setTimeout(() => {
      query.value = q.value.trim();
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(h);
  }, [q.value]);

  const setRole = (u: User, r: Role) => {
    if (r === u.role) return;
    // On failure, re-rendering puts the select back on the role the user still has.
    done.value = null;
    void act(async () => {
      await api.post(`/admin/users/${encodeURIComponent(u.id)}/role`, { role: r });
      const list = users.data.value;
      if (list) users.data.value = list.map((x) => x.id === u.id ? { ...x, role: r } : x);
      done.value = {
        id: u.id,
        text: t("admin.users.roleChanged", { name: `@${u.username}`, role: roleLabel(r) }),
      };
    });
  };

  const setActive = (u: User, active: boolean) => {
    if (!active && !confirm(t("admin.users.confirmDeactivate", { name: u.username }))) return;
    done.value = null;
    void act(async () => {
      await api.post(
        `/admin/users/${encodeURIComponent(u.id)}/${active ? "reactivate" : "deactivate"}`,
      );
      await load();
      done.value = {
        id: u.id,
        text: t(active ? "admin.users.reactivatedNow" : "admin.users.deactivatedNow", {
          name: `@${u.username}`,
        }),
      };
    });
  };

  return (
    <div class="admin-users" aria-busy={loading.value}>
      <Toolbar loading={loading.value} onRefresh={() => void load()}>
        <Field
          class="field admin-search"
          label={t("admin.users.search")}
          type="search"
          maxLength={64}
          autoComplete="off"
          spellcheck={false}
          value={q.value}
          onValue={(v) => (q.value = v)}
        />
      </Toolbar>
      {!isAdmin && <p class="muted admin-note">{t("admin.users.readOnly")}</p>}
      {isAdmin && <InviteForm api={api} onInvited={() => void load()} />}
      <p class="admin-done" role="status">{done.value?.text ?? ""}</p>
      <Listing source={users} empty={t("admin.users.empty")}>
        {(list) => (
          <AdminTable
            list={list}
            caption={t("admin.users.count", { count: list.length })}
            columns={COLUMNS}
            manage={isAdmin}
            row={(u) => {
              const disabled = busy.value;
              const name = u.display_name || u.username;
              const inactive = !!u.deactivated_at;
              return (
                <tr
                  key={u.id}
                  class={[
                    inactive ? "admin-row-inactive" : "",
                    done.value?.id === u.id ? "admin-row-changed" : "",
                  ].join(" ").trim() || undefined}
                >
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
                            if (isRole(v)) setRole(u, v);
                          }}
                        >
                          {ROLES.map((r) => <option key={r} value={r}>{roleLabel(r)}</option>)}
                        </select>
                      )
                      : roleLabel(u.role)}
                  </td>
                  <td class="admin-nowrap">{formatDate(u.last_seen_at)}</td>
                  <td class="admin-nowrap">{formatDay(u.created_at)}</td>
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
                      <ActionButton
                        danger={!inactive}
                        disabled={disabled}
                        label={t(
                          inactive ? "admin.users.reactivateLabel" : "admin.users.deactivateLabel",
                          { name: u.username },
                        )}
                        onClick={() => setActive(u, inactive)}
                      >
                        {t(inactive ? "admin.users.reactivate" : "admin.users.deactivate")}
                      </ActionButton>
                      <MfaResetButton
                        {...{ api, user: u, disabled, act }}
                        onDone={(text) => (done.value = { id: u.id, text })}
                      />
                    </td>
                  )}
                </tr>
              );
            }}
          />
        )}
      </Listing>
    </div>
  );
}
