/**
 * Loaded data that is a list: the error of the last call if any, then "loading" until the list
 * first comes (nothing when that failed), the empty text when it has nothing, else what
 * `children` makes of it.
 */
import type { ComponentChildren } from "preact";
import { t } from "../../i18n/mod.ts";
import type { Loaded } from "./_use_admin_data.ts";
import { ErrorText } from "./ErrorText.tsx";

export function Listing<T>(
  { source, empty, children }: {
    source: Loaded<readonly T[]>;
    empty: string;
    children: (list: readonly T[]) => ComponentChildren;
  },
) {
  const list = source.data.value;
  return (
    <>
      <ErrorText message={source.error.value} />
      {list === null
        ? (source.loading.value && <p class="muted">{t("admin.loading")}</p>)
        : list.length === 0
        ? <p class="muted">{empty}</p>
        : children(list)}
    </>
  );
}
