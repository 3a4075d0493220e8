/**
 * The HTTP fuzzer's inputs: a seeded PRNG, so a seed replays a run exactly, and hostile values
 * for path segments, query strings and JSON bodies, aimed at what each field holds and mixed
 * with valid ones so that requests also get past validation to the database.
 */

/** mulberry32: tiny, fast and the same on every machine, so a seed replays a run exactly. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  constructor(readonly next: () => number) {}
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

export type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  format?: string;
  pattern?: string;
};

/** Real rows made in setup, so that requests also reach the code behind the id checks. */
export interface FuzzIds {
  channel: string;
  message: number;
  report: number;
  user: string;
}

const MB = "x".repeat(1 << 20);
const NASTY_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfffy",
  "\u202eevil\u202c",
  "\u200b\u200d\u2060",
  "\uFEFF",
  "'; drop table public.messages; --",
  "%00",
  "../../etc/passwd",
  "..\\..\\windows",
  "<script>alert(1)</script>",
  "\\",
  "%",
  "_",
  "ﬁ",
  "é".normalize("NFD"),
  "👍🏽",
  "\r\n\t",
  "null",
  "true",
  "1e308",
  "NaN",
  "Infinity",
  "-0",
  "0000-01-01T00:00:00Z",
  "10000-01-01T00:00:00Z",
  "-000001-01-01T00:00:00Z",
  "2024-02-30T00:00:00Z",
  "9999-12-31T23:59:59-14:00",
  "0001-01-01T00:00:00+14:00",
  "1:1",
  "1e999:1",
  "0.5:99999999999999999999",
  "-e-:0",
];
const NASTY_DATES = [
  "0000-01-01T00:00:00Z",
  "0000-12-31T23:59:59-01:00",
  "10000-01-01T00:00:00Z",
  "-000001-01-01T00:00:00Z",
  "2024-02-30T00:00:00Z",
  "9999-12-31T23:59:59-14:00",
  "0001-01-01T00:00:00+14:00",
  "294277-01-01T00:00:00Z",
  "2024-01-01",
  "infinity",
  "epoch",
  "2024-01-01T00:00:00.1234567891234Z",
];
const NASTY_NUMBERS = [
  0,
  -1,
  -0,
  1.5,
  1e308,
  -1e308,
  2 ** 31,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 63,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
];
/** Raw JSON number texts that JSON.stringify would never write. */
const RAW_NUMBERS = ["1e999", "-1e999", "123456789012345678901234567890", "0.0000000000000001"];

/** encodeURIComponent, but a lone surrogate becomes its WTF-8 bytes instead of a throw. */
export function enc(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch.length === 1 && c >= 0xd800 && c <= 0xdfff) {
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]
        .map((b) => "%" + b.toString(16).toUpperCase()).join("");
    } else out += encodeURIComponent(ch);
  }
  return out;
}

function nestedJson(depth: number): string {
  return "[".repeat(depth) + "]".repeat(depth);
}

export class Inputs {
  constructor(readonly rng: Rng, readonly ids: FuzzIds) {}

  string(): string {
    const r = this.rng;
    const roll = r.int(10);
    if (roll === 0) return r.chance(0.3) ? MB : "y".repeat(r.pick([81, 141, 256, 4001, 70_000]));
    if (roll === 1) return r.pick(NASTY_STRINGS) + r.pick(NASTY_STRINGS);
    return r.pick(NASTY_STRINGS);
  }

  /** Anything JSON can carry, scalar or not: a hostile value for a field. */
  value(depth = 0): unknown {
    const r = this.rng;
    switch (r.int(depth > 2 ? 4 : 7)) {
      case 0:
        return this.string();
      case 1:
        return r.pick(NASTY_NUMBERS);
      case 2:
        return r.pick([null, true, false]);
      case 3:
        return r.pick([this.ids.channel, this.ids.user, this.ids.message, crypto.randomUUID()]);
      case 4:
        return Array.from({ length: r.int(4) }, () => this.value(depth + 1));
      case 5:
        return Object.fromEntries(
          Array.from({ length: r.int(4) }, (_, i) => [`k${i}`, this.value(depth + 1)]),
        );
      default:
        return r.chance(0.5) ? [] : {};
    }
  }

  /** A value that fits the schema, so the request gets past validation to the database. */
  valid(s: JsonSchema, name = ""): unknown {
    const r = this.rng;
    if (s.const !== undefined) return s.const;
    if (s.enum) return r.pick(s.enum);
    if (s.anyOf) return this.valid(r.pick(s.anyOf), name);
    switch (s.type) {
      case "object":
        return Object.fromEntries(
          Object.entries(s.properties ?? {}).filter(([k]) =>
            s.required?.includes(k) || r.chance(0.6)
          ).map(([k, v]) => [k, this.valid(v, k)]),
        );
      case "array":
        return s.items ? Array.from({ length: r.int(3) }, () => this.valid(s.items!, name)) : [];
      case "integer":
      case "number":
        return r.chance(0.8) ? this.ids.message : r.pick(NASTY_NUMBERS);
      case "boolean":
        return r.chance(0.5);
      case "null":
        return null;
      case "string":
        if (s.format === "uuid") return r.pick([this.ids.user, this.ids.channel]);
        if (name === "path" || name === "poster_path") {
          return `${this.ids.channel}/${this.ids.user}/f${r.int(1000)}.png`;
        }
        if (s.pattern) return r.pick(["fuzzer_1", "en", "de-CH", "abc"]);
        return r.chance(0.7) ? `fuzz ${r.int(1e6)}` : this.string();
      default:
        return this.value();
    }
  }

  /** A body for the schema, then broken in one of many ways (or left valid now and then). */
  body(s: JsonSchema | undefined): { text?: string; type?: string } {
    const r = this.rng;
    const obj = s ? this.valid(s) as Record<string, unknown> : {};
    const keys = Object.keys(s?.properties ?? {});
    switch (r.int(16)) {
      case 0:
        return {}; // no body at all
      case 1:
        return { text: "", type: "application/json" };
      case 2:
        return {
          text: r.pick(["{", '{"a":', "nul", "{'a':1}", "\u0000", "[1,]", '{"a":1}}']),
          type: "application/json",
        };
      case 3:
        return { text: nestedJson(r.pick([100, 5000, 30_000])), type: "application/json" };
      case 4:
        return { text: JSON.stringify(obj), type: r.pick(["text/plain", "multipart/form-data"]) };
      case 5:
        return { text: JSON.stringify(this.value()), type: "application/json" };
      case 6: {
        const k = keys.length ? r.pick(keys) : "extra";
        const raw = r.pick(RAW_NUMBERS);
        return { text: JSON.stringify({ ...obj, [k]: "__RAW__" }).replace('"__RAW__"', raw) };
      }
      case 7:
      case 8:
      case 9:
      case 10:
        return { text: JSON.stringify(obj), type: "application/json" }; // valid
      default: {
        const broken = { ...obj };
        for (let i = 0; i <= r.int(3); i++) {
          const k = keys.length && r.chance(0.85) ? r.pick(keys) : r.pick(["extra", "constructor"]);
          if (r.chance(0.15)) delete broken[k];
          else broken[k] = this.value();
        }
        return { text: JSON.stringify(broken), type: "application/json" };
      }
    }
  }

  /** A path segment: a real id most of the time, garbage (still encoded) the rest. */
  segment(param: string, path: string): string {
    const r = this.rng;
    if (r.chance(0.45)) {
      if (param === "emoji") return encodeURIComponent(r.pick(["👍", "🎉", "x"]));
      if (param === "user_id" || path.startsWith("/api/admin/users")) return this.ids.user;
      if (path.startsWith("/api/admin/reports")) return String(this.ids.report);
      if (path.startsWith("/api/messages")) return String(this.ids.message);
      return this.ids.channel;
    }
    if (r.chance(0.3)) {
      return r.pick([
        "%00",
        "%ZZ",
        "%C0%AF",
        "%ED%A0%80",
        "%E2%80%AE",
        "%2e%2e%2f%2e%2e%2fauth",
        "..%2F..%2F",
        "%F0%9F",
        "9223372036854775808",
        "99999999999999999999999",
        "1e308",
        "-1",
        "0x10",
        "%20",
        "00000000-0000-0000-0000-000000000000",
        `${this.ids.channel}%00`,
        "a".repeat(r.pick([64, 300, 5000])),
      ]);
    }
    return enc(this.string().slice(0, 8000));
  }

  /** A value that passes for the query parameter `name` on `path`. */
  validQuery(name: string, path: string): string {
    const r = this.rng;
    const ids = path.includes("/messages") || path.includes("/summary");
    switch (name) {
      case "limit":
        return String(1 + r.int(50));
      case "before":
      case "after":
        return ids
          ? String(this.ids.message)
          : r.pick(["2020-01-01T00:00:00Z", "2099-01-01T00:00:00+02:00"]);
      case "cursor":
        return r.pick(["0.5:1", "0.0607927:12", "1e-7:3"]);
      case "channel_id":
        return this.ids.channel;
      case "sender_id":
        return this.ids.user;
      case "status":
        return r.pick(["open", "dismissed", "actioned"]);
      case "archive":
        return r.pick(["true", "false"]);
      default:
        return r.pick(["fuzz", "al", "general"]);
    }
  }

  /** A hostile value aimed at what the parameter `name` holds. */
  nastyQuery(name: string): string {
    const r = this.rng;
    if (r.chance(0.25)) return r.pick(["%00", "%ZZ", "%", "%E0%A4%A", "a%00b", "%u0000", "%2500"]);
    if (r.chance(0.05)) return "z".repeat(r.pick([300, 20_000, 70_000]));
    const typed: Record<string, string[]> = {
      limit: ["0", "-1", "1e308", "9223372036854775808", "NaN", "Infinity", "1.5", "0x10", " 7"],
      before: [...NASTY_DATES, "9223372036854775808", "-1", "1e21"],
      after: [...NASTY_DATES, "9223372036854775808", "-1", "1e21"],
      cursor: [
        "1e999:1",
        "0.5:99999999999999999999",
        "1e-50:1",
        "1e39:1",
        "-e-:0",
        "NaN:1",
        `${"9".repeat(5000)}:1`,
        `0.5:${"9".repeat(40)}`,
        ":",
        "0.5:-1",
      ],
    };
    const own = typed[name];
    return enc(own && r.chance(0.7) ? r.pick(own) : this.string().slice(0, 20_000));
  }

  /**
   * A query string: the route's own names with fitting values, so requests reach the database,
   * then one or more made hostile, repeated or left without a value; sometimes names it ignores.
   */
  query(names: string[], path: string): string {
    const r = this.rng;
    if (r.chance(0.25)) return "";
    const parts: string[] = [];
    for (const k of names) if (r.chance(0.6)) parts.push(`${k}=${enc(this.validQuery(k, path))}`);
    const all = [...names, ...names, "limit", "cursor", "before", "after", "q", "x"];
    for (let i = 0; i <= r.int(3); i++) {
      const k = r.pick(all);
      const v = this.nastyQuery(k);
      parts.push(r.chance(0.05) ? k : `${k}=${v}`);
      if (r.chance(0.1)) parts.push(`${k}=${v}`); // the same name twice
    }
    // Where a name comes twice, Hono reads the first: put the hostile one first at times.
    if (r.chance(0.5)) parts.reverse();
    return "?" + parts.join("&");
  }
}
