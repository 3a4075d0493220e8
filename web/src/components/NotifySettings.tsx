/**
 * Notification settings (issue 14): in the profile panel my do-not-disturb window, the sound
 * toggle and Web Push for this browser; in the members panel the open channel's level (all /
 * mentions only / muted). Stored on the server, so push follows them too.
 */
import { useEffect, useState } from "preact/hooks";
import { t } from "../i18n/mod.ts";
import type { ChatState } from "../state/chat.ts";
import { localZone } from "../state/notify_prefs.ts";
import { NOTIFY_LEVELS, type NotifyLevel } from "../../../functions/_shared/notify_rules.ts";

export function NotifySettings({ chat }: { chat: ChatState }) {
  const n = chat.notifyPrefs;
  const p = n.prefs.value;
  const [from, setFrom] = useState(p.dnd_start ?? "22:00");
  const [to, setTo] = useState(p.dnd_end ?? "07:00");
  // The stored window arrives after the panel opens (and changes when saved from another tab):
  // the fields follow it rather than keep the defaults they started with.
  useEffect(() => {
    setFrom(p.dnd_start ?? "22:00");
    setTo(p.dnd_end ?? "07:00");
  }, [p.dnd_start, p.dnd_end]);
  const zone = p.dnd_start ? p.time_zone : localZone();
  const push = n.pushState.value;
  return (
    <section class="notify-settings" aria-labelledby="notify-settings-h">
      <h3 id="notify-settings-h">{t("notify.settings")}</h3>
      {n.error.value && <p class="error" role="alert">{n.error.value}</p>}
      <label class="check">
        <input
          type="checkbox"
          checked={p.sound}
          onChange={(e) => void n.save({ ...p, sound: e.currentTarget.checked })}
        />
        {t("notify.sound")}
      </label>
      <fieldset class="notify-dnd">
        <legend>{t("notify.dnd")}</legend>
        {p.dnd_start && p.dnd_end && (
          <p class="muted" role="status">
            {t("notify.dnd_on", { from: p.dnd_start, to: p.dnd_end, zone: p.time_zone })}
          </p>
        )}
        <div class="notify-dnd-times">
          <label>
            {t("notify.dnd_from")}
            <input
              type="time"
              value={from}
              required
              onInput={(e) => setFrom(e.currentTarget.value)}
            />
          </label>
          <label>
            {t("notify.dnd_to")}
            <input type="time" value={to} required onInput={(e) => setTo(e.currentTarget.value)} />
          </label>
        </div>
        <p class="muted">{t("notify.dnd_zone", { zone })}</p>
        <div class="notify-dnd-actions">
          <button
            type="button"
            class="btn"
            disabled={!from || !to}
            onClick={() =>
              void n.save({
                ...p,
                dnd_start: from.slice(0, 5),
                dnd_end: to.slice(0, 5),
                time_zone: zone,
              })}
          >
            {t("notify.dnd_save")}
          </button>
          {p.dnd_start && (
            <button
              type="button"
              class="btn"
              onClick={() => void n.save({ ...p, dnd_start: null, dnd_end: null })}
            >
              {t("notify.dnd_clear")}
            </button>
          )}
        </div>
      </fieldset>
      <h4>{t("notify.push")}</h4>
      {push === "unsupported" && <p class="muted">{t("notify.push_unsupported")}</p>}
      {push === "unavailable" && <p class="muted">{t("notify.push_unavailable")}</p>}
      {push === "denied" && <p class="muted">{t("notify.push_denied")}</p>}
      {push === "on" && <p class="muted" role="status">{t("notify.push_on")}</p>}
      {(push === "off" || push === "denied" || push === "busy") && (
        <button
          type="button"
          class="btn"
          disabled={push === "busy"}
          onClick={() => void n.enablePush()}
        >
          {t("notify.push_enable")}
        </button>
      )}
      {push === "on" && (
        <button type="button" class="btn" onClick={() => void n.disablePush()}>
          {t("notify.push_disable")}
        </button>
      )}
    </section>
  );
}

/** The open channel's notification level. */
export function ChannelNotify({ chat }: { chat: ChatState }) {
  const c = chat.active.value;
  if (!c) return null;
  const level = chat.notifyPrefs.levelFor(c.id, c.muted);
  return (
    <div class="field channel-notify">
      <label for="channel-notify-level">{t("notify.channel")}</label>
      <select
        id="channel-notify-level"
        value={level}
        onChange={(e) => void chat.notifyPrefs.setLevel(c.id, e.currentTarget.value as NotifyLevel)}
      >
        {NOTIFY_LEVELS.map((l) => <option key={l} value={l}>{t(`notify.level.${l}`)}</option>)}
      </select>
    </div>
  );
}
