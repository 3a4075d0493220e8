/**
 * A message's "Pin"/"Unpin" and "Save"/"Unsave" buttons (in its toolbar, so they follow its
 * keyboard and touch rules: they are plain buttons of the `.actions` toolbar; the name says
 * what a press does, so no `aria-pressed` beside it), and the small
 * markers beside its time that say it is pinned or saved (an icon with a label, not colour).
 */
import { t } from "../i18n/mod.ts";
import { translated } from "../i18n/errors.ts";
import type { ChatState } from "../state/chat.ts";
import type { Message, Shown } from "../types.ts";
import { PinIcon } from "./PinIcon.tsx";

export function PinSaveActions(
  { m, chat, act }: {
    m: Shown;
    chat: ChatState;
    act: (f: () => Promise<unknown>) => Promise<boolean>;
  },
) {
  if (m.id === null) return null;
  const id = m.id;
  const pinned = chat.pins.isPinned(m.channel_id, id);
  const saved = chat.saved.isSaved(id);
  return (
    <>
      <button
        type="button"
        class="icon"
        aria-label={pinned ? t("pins.unpin") : t("pins.pin")}
        onClick={() =>
          act(() =>
            translated(
              pinned ? chat.pins.unpin(m.channel_id, id) : chat.pins.pin(m as Message),
              { validation_failed: "pins.full" },
            )
          )}
      >
        <PinIcon name="pin" filled={pinned} />
      </button>
      <button
        type="button"
        class="icon"
        aria-label={saved ? t("saved.unsave") : t("saved.save")}
        onClick={() =>
          act(() => translated(saved ? chat.saved.unsave(id) : chat.saved.save(m as Message)))}
      >
        <PinIcon name="bookmark" filled={saved} />
      </button>
    </>
  );
}

/** "Pinned" and "Saved" beside a message's time. */
export function PinSaveMarks({ m, chat }: { m: Shown; chat: ChatState }) {
  if (m.id === null) return null;
  const pinned = chat.pins.isPinned(m.channel_id, m.id);
  const saved = chat.saved.isSaved(m.id);
  if (!pinned && !saved) return null;
  return (
    <span class="pin-marks">
      {pinned && (
        <span class="pin-mark" role="img" aria-label={t("pins.pinned")} title={t("pins.pinned")}>
          <PinIcon name="pin" size={12} filled />
        </span>
      )}
      {saved && (
        <span class="pin-mark" role="img" aria-label={t("saved.saved")} title={t("saved.saved")}>
          <PinIcon name="bookmark" size={12} filled />
        </span>
      )}
    </span>
  );
}
