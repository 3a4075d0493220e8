/**
 * The search box's language: words and phrases, plus filters typed as `key:value` that become
 * removable chips, as Slack's and Zulip's do: `from:<username>`, `in:<channel>` (quoted when it
 * has spaces, `#` optional), `before:YYYY-MM-DD`, `after:YYYY-MM-DD` (both exclusive, as in
 * Slack: `after:2025-01-10` starts on the 11th), `has:attachment`, `is:thread` or `in:thread`,
 * `mentions:me` and `in:archive`. A filter becomes a chip once it is complete (a space after
 * it, or Enter); `toParams` turns words and chips into `GET /search` parameters.
 */

export type ChipKind =
  | "from"
  | "in"
  | "before"
  | "after"
  | "has"
  | "thread"
  | "mentions"
  | "archive";

export interface Chip {
  kind: ChipKind;
  /** The value without decoration (`bob` for `from:@bob`, `release notes` for `in:"release notes"`). */
  value: string;
  /** The token as typed, shown on the chip. */
  text: string;
  /** Why the chip cannot be used as typed (an i18n key), if it cannot. */
  invalid?: "search.bad.date" | "search.bad.value" | "search.bad.empty";
}

/** Shortest words worth a request (a single letter matches nearly everything). */
export const MIN_QUERY_CHARS = 2;

const KEYS = new Set(["from", "in", "before", "after", "has", "is", "mentions"]);
/** A token: `key:"quoted value"`, a `"quoted phrase"`, or anything up to the next space. */
const TOKEN = /[^\s"]+:"[^"]*"?|"[^"]*"?|\S+/g;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Local midnight starting `YYYY-MM-DD` plus `days`, or null for a date that does not exist. */
export function dayStart(value: string, days = 0): Date | null {
  const m = DATE.exec(value);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const at = new Date(y, mo - 1, d);
  if (at.getFullYear() !== y || at.getMonth() !== mo - 1 || at.getDate() !== d) return null;
  return days ? new Date(y, mo - 1, d + days) : at;
}

/**
 * The chip a token stands for, or null when it is not a filter (plain words, `http://…`).
 *
 * @example
 * chipOf("from:@bob"); // { kind: "from", value: "bob", text: "from:@bob" }
 * chipOf("in:thread"); // { kind: "thread", value: "thread", text: "in:thread" }
 * chipOf("zebra"); // null
 */
export function chipOf(token: string): Chip | null {
  const colon = token.indexOf(":");
  if (colon < 1) return null;
  const key = token.slice(0, colon).toLowerCase();
  if (!KEYS.has(key)) return null;
  let value = token.slice(colon + 1);
  if (value.startsWith('"')) {
    value = value.slice(1, value.endsWith('"') && value.length > 1 ? -1 : undefined);
  }
  value = value.trim();
  const lower = value.toLowerCase();
  const chip = (kind: ChipKind, v = value, invalid?: Chip["invalid"]): Chip => ({
    kind,
    value: v,
    text: token,
    ...(invalid ? { invalid } : !v ? { invalid: "search.bad.empty" as const } : {}),
  });
  switch (key) {
    case "from":
      return chip("from", value.replace(/^@/, "").toLowerCase());
    case "in":
      if (lower === "thread") return chip("thread", "thread");
      if (lower === "archive") return chip("archive", "archive");
      return chip("in", value.replace(/^#/, ""));
    case "before":
    case "after":
      return chip(key, value, value && !dayStart(value) ? "search.bad.date" : undefined);
    case "has":
      return chip(
        "has",
        /^attachments?$/.test(lower) ? "attachment" : lower,
        value && !/^attachments?$/.test(lower) ? "search.bad.value" : undefined,
      );
    case "is":
      return chip("thread", lower, value && lower !== "thread" ? "search.bad.value" : undefined);
    default: // mentions
      return chip("mentions", lower, value && lower !== "me" ? "search.bad.value" : undefined);
  }
}

/** `chips` with `added` appended; a query holds one chip of a kind, so a later one replaces it. */
export function addChips(chips: Chip[], added: Chip[]): Chip[] {
  let out = chips;
  for (const c of added) out = [...out.filter((o) => o.kind !== c.kind), c];
  return out;
}

/**
 * Takes the complete filters out of what is in the box: those followed by a space, and with
 * `all` (Enter) the last one too. Words stay as typed.
 *
 * @example
 * splitInput("zebra from:bob in:gen"); // { chips: [from:bob], rest: "zebra in:gen" }
 * splitInput("zebra in:gen", { all: true }); // { chips: [in:gen], rest: "zebra" }
 */
export function splitInput(text: string, { all = false } = {}): { chips: Chip[]; rest: string } {
  const chips: Chip[] = [];
  const kept: string[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const token = m[0];
    const end = m.index + token.length;
    const complete = all || end < text.length;
    const chip = complete ? chipOf(token) : null;
    if (chip) chips.push(chip);
    else kept.push(token);
  }
  if (!chips.length) return { chips, rest: text };
  const rest = kept.join(" ");
  // Words end with a space (the one just typed, or after Enter), so the next word stays apart.
  return { chips, rest: rest && (all || /\s$/.test(text)) ? `${rest} ` : rest };
}

/**
 * The words to search for: the box's text without a filter still being typed at its end
 * (`from:bo` is not searched for as a word, nor applied before it is finished).
 */
export function wordsOf(text: string): string {
  const tokens = [...text.matchAll(TOKEN)].map((m) => m[0]);
  const last = tokens.at(-1);
  if (last && !/\s$/.test(text) && chipOf(last)) tokens.pop();
  return tokens.filter((t) => !chipOf(t)).join(" ").trim();
}

/** `GET /search` parameters (the server's names). */
export interface SearchParams {
  q: string;
  channel_id?: string;
  sender_id?: string;
  before?: string;
  after?: string;
  has?: "attachment";
  in?: "thread";
  mentions?: "me";
  archive?: "true";
}

export interface Resolver {
  /** A channel of mine by the name it is shown with (case-insensitive), or null. */
  channel(name: string): string | null;
  /** A person's id by username (exact, case-insensitive), or null. */
  user(username: string): Promise<string | null>;
}

export type Resolved =
  | { ok: true; params: SearchParams }
  | {
    ok: false;
    chip: Chip;
    reason: NonNullable<Chip["invalid"]> | "search.bad.user" | "search.bad.channel";
  };

/** The request for `words` and `chips`, or the first chip that cannot be used and why. */
export async function toParams(words: string, chips: Chip[], r: Resolver): Promise<Resolved> {
  const params: SearchParams = { q: words.trim() };
  for (const c of chips) {
    if (c.invalid) return { ok: false, chip: c, reason: c.invalid };
    switch (c.kind) {
      case "from": {
        const id = await r.user(c.value);
        if (!id) return { ok: false, chip: c, reason: "search.bad.user" };
        params.sender_id = id;
        break;
      }
      case "in": {
        const id = r.channel(c.value);
        if (!id) return { ok: false, chip: c, reason: "search.bad.channel" };
        params.channel_id = id;
        break;
      }
      case "before":
        params.before = dayStart(c.value)!.toISOString();
        break;
      case "after":
        params.after = dayStart(c.value, 1)!.toISOString();
        break;
      case "has":
        params.has = "attachment";
        break;
      case "thread":
        params.in = "thread";
        break;
      case "mentions":
        params.mentions = "me";
        break;
      case "archive":
        params.archive = "true";
        break;
    }
  }
  return { ok: true, params };
}
