/**
 * A channel's summary (`GET /channels/:id/summary`): the API answers a list of points, each
 * "author: sentence"; each is its own list item, so they never run together as one line.
 */
import { t } from "../i18n/mod.ts";

/** The summary's points, from the API's list (or a text with one point a line). */
export function summaryLines(summary: string | readonly string[] | null | undefined): string[] {
  const raw = typeof summary === "string" ? summary.split("\n") : summary ?? [];
  return raw.map((s) => String(s).trim()).filter(Boolean);
}

export function ChannelSummary({ summary }: { summary: string | readonly string[] }) {
  const lines = summaryLines(summary);
  return (
    <div class="summary" role="status">
      {lines.length
        ? (
          <ul class="summary-lines">
            {lines.map((line, i) => <li key={i}>{line}</li>)}
          </ul>
        )
        : t("members.summary_empty")}
    </div>
  );
}
