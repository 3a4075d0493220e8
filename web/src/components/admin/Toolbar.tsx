/** A tab's toolbar: its filter fields, then a button that loads the tab again. */
import type { ComponentChildren } from "preact";
import { t } from "../../i18n/mod.ts";

export function Toolbar(
  { loading, onRefresh, children }: {
    loading: boolean;
    onRefresh: () => void;
    children: ComponentChildren;
  },
) {
  return (
    <div class="admin-toolbar">
      {children}
      <button type="button" class="btn" onClick={() => onRefresh()} disabled={loading}>
        {t("admin.refresh")}
      </button>
    </div>
  );
}
