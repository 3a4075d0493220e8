import assert from "node:assert/strict";
import {
  decide,
  DEFAULT_PREFS,
  inDoNotDisturb,
  levelOf,
  minuteOfDay,
  type NotifyPrefs,
} from "./notify_rules.ts";

const at = (iso: string) => new Date(iso);
const prefs = (p: Partial<NotifyPrefs>): NotifyPrefs => ({ ...DEFAULT_PREFS, ...p });

Deno.test("levels: all notifies every message, mentions only mentions, muted nothing", () => {
  const now = at("2026-01-05T12:00:00Z");
  const v = (level: "all" | "mentions" | "muted", mention: boolean) =>
    decide({ level, mention, prefs: DEFAULT_PREFS, now }).notify;
  assert.deepEqual([v("all", false), v("all", true)], [true, true]);
  assert.deepEqual([v("mentions", false), v("mentions", true)], [false, true]);
  assert.deepEqual([v("muted", false), v("muted", true)], [false, false]);
});

Deno.test("the old muted flag means mentions only; a chosen level wins", () => {
  assert.equal(levelOf(undefined, false), "all");
  assert.equal(levelOf(null, true), "mentions");
  assert.equal(levelOf("muted", false), "muted");
  assert.equal(levelOf("all", true), "all");
});

Deno.test("do-not-disturb across midnight, in the person's time zone", () => {
  const night = prefs({ dnd_start: "22:00", dnd_end: "07:00", time_zone: "Europe/Berlin" });
  // Berlin is UTC+1 in January.
  assert.equal(inDoNotDisturb(night, at("2026-01-05T20:59:00Z")), false); // 21:59
  assert.equal(inDoNotDisturb(night, at("2026-01-05T21:00:00Z")), true); // 22:00
  assert.equal(inDoNotDisturb(night, at("2026-01-05T23:30:00Z")), true); // 00:30
  assert.equal(inDoNotDisturb(night, at("2026-01-06T05:59:00Z")), true); // 06:59
  assert.equal(inDoNotDisturb(night, at("2026-01-06T06:00:00Z")), false); // 07:00
  const lunch = prefs({ dnd_start: "12:00", dnd_end: "13:00" });
  assert.equal(inDoNotDisturb(lunch, at("2026-01-05T12:30:00Z")), true);
  assert.equal(inDoNotDisturb(lunch, at("2026-01-05T13:00:00Z")), false);
  assert.equal(
    inDoNotDisturb(prefs({ dnd_start: "09:00", dnd_end: "09:00" }), at("2026-01-05T09:00:00Z")),
    false,
  );
  assert.equal(inDoNotDisturb(DEFAULT_PREFS, at("2026-01-05T09:00:00Z")), false);
  // Even a mention waits for the window's end.
  assert.equal(
    decide({ level: "all", mention: true, prefs: night, now: at("2026-01-05T23:00:00Z") }).notify,
    false,
  );
});

Deno.test("an unknown time zone counts as UTC", () => {
  assert.equal(minuteOfDay(at("2026-01-05T01:02:00Z"), "Not/AZone"), 62);
  assert.equal(minuteOfDay(at("2026-01-05T00:00:00Z"), "UTC"), 0);
});

Deno.test("sound is off by default and only with a notification", () => {
  const now = at("2026-01-05T12:00:00Z");
  assert.equal(DEFAULT_PREFS.sound, false);
  assert.deepEqual(decide({ level: "all", mention: false, prefs: DEFAULT_PREFS, now }), {
    notify: true,
    sound: false,
  });
  const loud = prefs({ sound: true });
  assert.deepEqual(decide({ level: "all", mention: false, prefs: loud, now }), {
    notify: true,
    sound: true,
  });
  assert.deepEqual(decide({ level: "muted", mention: true, prefs: loud, now }), {
    notify: false,
    sound: false,
  });
});
