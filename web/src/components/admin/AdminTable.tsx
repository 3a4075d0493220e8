/**
 * A table in its scrolling wrapper: a caption, one header row and one row per item; with
 * `empty`, a single row says so when there are no items.
 */
import type { VNode } from "preact";
import { t } from "../../i18n/mod.ts";

/** A column's header, as an i18n key, or a key and a class for the header cell. */
export type Column = string | { key: string; class: string };

export function AdminTable<T>(
  { list, caption, columns, manage = false, row, empty, class: extra }: {
    list: readonly T[];
    caption: string;
    columns: readonly Column[];
    /** Whether there is a last column for admins to manage the row. */
    manage?: boolean;
    /** One `<tr>` with a key. */
    row: (item: T) => VNode;
    empty?: string;
    class?: string;
  },
) {
  const headers = manage ? [...columns, "admin.col.manage"] : columns;
  return (
    <div class="admin-table-wrap">
      <table class={extra ? `table admin-table ${extra}` : "table admin-table"}>
        <caption class="admin-caption">{caption}</caption>
        <thead>
          <tr>
            {headers.map((c) =>
              typeof c === "string"
                ? <th key={c} scope="col">{t(c)}</th>
                : <th key={c.key} scope="col" class={c.class}>{t(c.key)}</th>
            )}
          </tr>
        </thead>
        <tbody>
          {list.length === 0 && empty !== undefined
            ? (
              <tr>
                <td colSpan={headers.length} class="muted">{empty}</td>
              </tr>
            )
            : list.map((x) => row(x))}
        </tbody>
      </table>
    </div>
  );
}
