/**
 * Whether a message notifies someone, by their rules: the channel's level (all / mentions only /
 * muted), their do-not-disturb window (local times in their time zone, across midnight when the
 * end is not after the start) and their sound toggle. One place for the API's Web Push and the
 * client's in-tab notifications.
 */

export const NOTIFY_LEVELS = ["all", "mentions", "muted"] as const;
export type NotifyLevel = typeof NOTIFY_LEVELS[number];

/** "HH:MM" (24 h). */
export const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;

export interface NotifyPrefs {
  /** Start and end of do-not-disturb, "HH:MM" local time; null: no window. */
  dnd_start: string | null;
  dnd_end: string | null;
  /** IANA time zone of the window. */
  time_zone: string;
  /** Play a sound with a notification (off by default). */
  sound: boolean;
}

export const DEFAULT_PREFS: NotifyPrefs = {
  dnd_start: null,
  dnd_end: null,
  time_zone: "UTC",
  sound: false,
};

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The minute of the day (0..1439) at `now` in `timeZone` (UTC when the zone is unknown). */
export function minuteOfDay(now: Date, timeZone: string): number {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).formatToParts(now);
  } catch {
    return now.getUTCHours() * 60 + now.getUTCMinutes();
  }
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return (get("hour") % 24) * 60 + get("minute");
}

/** Whether `now` falls in the do-not-disturb window (start inclusive, end exclusive). */
export function inDoNotDisturb(prefs: NotifyPrefs, now: Date): boolean {
  if (!prefs.dnd_start || !prefs.dnd_end) return false;
  const start = minutes(prefs.dnd_start);
  const end = minutes(prefs.dnd_end);
  if (start === end) return false;
  const m = minuteOfDay(now, prefs.time_zone);
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/** The level a channel has when none was chosen: the old `muted` flag meant "mentions only". */
export const levelOf = (chosen: NotifyLevel | null | undefined, muted = false): NotifyLevel =>
  chosen ?? (muted ? "mentions" : "all");

export interface Verdict {
  notify: boolean;
  sound: boolean;
}

/** Whether a message (a mention of me or not) notifies me now, and with a sound. */
export function decide(
  { level, mention, prefs, now }: {
    level: NotifyLevel;
    mention: boolean;
    prefs: NotifyPrefs;
    now: Date;
  },
): Verdict {
  const notify = level !== "muted" && (level === "all" || mention) &&
    !inDoNotDisturb(prefs, now);
  return { notify, sound: notify && prefs.sound };
}
