/** Reporting a message to the moderators: a modal dialog with the reason (1–500 characters). */
import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../i18n/mod.ts";

export function ReportDialog(
  { onSubmit, onClose }: { onSubmit: (reason: string) => Promise<void>; onClose: () => void },
) {
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={ref} class="report-dialog" aria-labelledby="report-title" onClose={onClose}>
      <h2 id="report-title">{t("message.report")}</h2>
      {done
        ? (
          <>
            <p role="status">{t("message.reported")}</p>
            <button
              type="button"
              class="btn primary"
              autofocus
              onClick={() => ref.current?.close()}
            >
              {t("common.close")}
            </button>
          </>
        )
        : (
          <form
            method="dialog"
            onSubmit={async (e) => {
              e.preventDefault();
              setBusy(true);
              setError(null);
              try {
                await onSubmit(reason.trim());
                setDone(true);
              } catch (err) {
                setError(err instanceof Error ? err.message : String(err));
              } finally {
                setBusy(false);
              }
            }}
          >
            <label class="field">
              <span>{t("message.report_reason")}</span>
              <textarea
                required
                maxLength={500}
                rows={3}
                value={reason}
                onInput={(e) => setReason(e.currentTarget.value)}
              />
            </label>
            {error && <p class="error" role="alert">{error}</p>}
            <div class="dialog-actions">
              <button type="button" class="btn" onClick={() => ref.current?.close()}>
                {t("common.cancel")}
              </button>
              <button type="submit" class="btn primary" disabled={busy || !reason.trim()}>
                {t("message.report_send")}
              </button>
            </div>
          </form>
        )}
    </dialog>
  );
}
