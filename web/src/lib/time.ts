/** Dates in the viewer's language and time zone, and the day separators of a message list. */
import { lang, t } from "../i18n/mod.ts";

const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const k = lang.value + JSON.stringify(opts);
  let f = cache.get(k);
  if (!f) cache.set(k, f = new Intl.DateTimeFormat(lang.value, opts));
  return f;
}

export const timeOf = (iso: string) => fmt({ timeStyle: "short" }).format(new Date(iso));
export const dateTimeOf = (iso: string) =>
  fmt({ dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));

/** A local-calendar key: two messages share a day separator when their keys match. */
export const dayKey = (iso: string) => {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
};

export function dayLabel(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const days = Math.round(
    (new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime() -
      new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()) / 86_400_000,
  );
  if (days === 0) return t("day.today");
  if (days === 1) return t("day.yesterday");
  return fmt({ weekday: "long", year: "numeric", month: "long", day: "numeric" }).format(d);
}

/** "5 minutes ago" through Intl.RelativeTimeFormat. */
export function ago(iso: string, now = Date.now()): string {
  const s = Math.round((new Date(iso).getTime() - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(lang.value, { numeric: "auto" });
  const abs = Math.abs(s);
  if (abs < 60) return rtf.format(s, "second");
  if (abs < 3600) return rtf.format(Math.round(s / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(s / 3600), "hour");
  return rtf.format(Math.round(s / 86400), "day");
}
