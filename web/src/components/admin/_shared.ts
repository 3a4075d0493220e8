/** What the admin view's tabs share: the viewer's role, and dates, numbers and errors as text. */
import { computed } from "@preact/signals";
import { ApiError } from "../../api.ts";
import { lang, t } from "../../i18n/mod.ts";

/** The roles that see the admin view. */
export type StaffRole = "moderator" | "admin";

const dateFormat = computed(() =>
  new Intl.DateTimeFormat(lang.value, { dateStyle: "medium", timeStyle: "short" })
);

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return t("admin.never");
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateFormat.value.format(d);
}

const dayFormat = computed(() => new Intl.DateTimeFormat(lang.value, { dateStyle: "medium" }));

/** A date without its time, for columns where the day is enough (when someone joined). */
export function formatDay(iso: string | null | undefined): string {
  if (!iso) return t("admin.never");
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dayFormat.value.format(d);
}

export function formatNumber(n: number, maxFractionDigits = 0): string {
  return new Intl.NumberFormat(lang.value, { maximumFractionDigits: maxFractionDigits }).format(n);
}

export function errorText(e: unknown): string {
  return e instanceof ApiError && e.message ? e.message : t("admin.error.generic");
}
