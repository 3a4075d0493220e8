/**
 * Moderation of what users write: npm `obscenity` (leetspeak and look-alike characters) masks
 * profanity; the admin-managed `blocked_terms` reject, mask or flag. The terms are cached and
 * reloaded after `ttlMs` or at once after `invalidate()` (the admin routes call it).
 *
 * Terms are matched on a folded copy of the text (`foldForMatching`: NFKC, lower case,
 * invisible formatting characters removed, look-alike letters folded with npm `unhomoglyph`,
 * the Unicode confusables table of UTS #39), so "bad\u200Dword" or a Cyrillic "а" inside a term
 * still match. The folded copy is only looked at: masking replaces the matched span of the
 * original text, and everything outside it is stored as written.
 */
import unhomoglyph from "unhomoglyph";
import {
  asteriskCensorStrategy,
  englishDataset,
  englishRecommendedTransformers,
  RegExpMatcher,
  TextCensor,
} from "obscenity";

export type Action = "reject" | "mask" | "flag";
export interface BlockedTerm {
  term: string;
  action: Action;
}

export interface Verdict {
  /** `ok` stores as is; `masked` and `flagged` store (masked text, or queued for review). */
  outcome: "ok" | "masked" | "flagged" | "rejected";
  text: string;
  reason?: string;
}

const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
const censor = new TextCensor().setStrategy(asteriskCensorStrategy());

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Characters that draw nothing: format controls (ZWJ, ZWSP, soft hyphen, bidi…) and the rest of Default_Ignorable. */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/gu;
/** A base character with its combining marks: NFKC composes them together. */
const CLUSTER = /\P{M}\p{M}*|\p{M}+/gu;
const folds = new Map<string, string>();

function foldCluster(c: string): string {
  let f = folds.get(c);
  if (f === undefined) {
    f = unhomoglyph(c.normalize("NFKC").toLowerCase()).toLowerCase().replace(INVISIBLE, "");
    // Bounded: a flood of distinct rare characters must not grow the cache for ever, and a
    // cluster of thousands of combining marks is not worth keeping at all.
    if (folds.size < 20_000 && c.length <= 8) folds.set(c, f);
  }
  return f;
}

/**
 * The text as term matching sees it, and for each of its UTF-16 units the span of the
 * original text it came from.
 *
 * @example
 * const f = foldForMatching("b\u200Dаd"); // Cyrillic а, zero-width joiner
 * f.folded; // "bad"
 * f.span(0, 3); // [0, 4]: the whole original
 */
export function foldForMatching(text: string) {
  let folded = "";
  const from: number[] = [];
  const to: number[] = [];
  for (const m of text.matchAll(CLUSTER)) {
    const f = foldCluster(m[0]);
    for (let k = 0; k < f.length; k++) {
      from.push(m.index);
      to.push(m.index + m[0].length);
    }
    folded += f;
  }
  return {
    folded,
    /** The original span `[start, end)` of folded units `[s, e)`. */
    span: (s: number, e: number): [number, number] => [from[s]!, to[e - 1]!],
  };
}

/** `text` with each visible character inside `spans` replaced by `*`, invisible ones dropped. */
function maskSpans(text: string, spans: [number, number][]): string {
  let out = "";
  let i = 0;
  for (const ch of text) {
    const inside = spans.some(([s, e]) => i >= s && i < e);
    out += !inside ? ch : INVISIBLE.test(ch) ? "" : "*";
    INVISIBLE.lastIndex = 0;
    i += ch.length;
  }
  return out;
}

export function createModerator(
  loadTerms: () => Promise<BlockedTerm[]>,
  ttlMs = 30_000,
  now = () => Date.now(),
) {
  let cache: { at: number; terms: { re: RegExp; action: Action; term: string }[] } | undefined;

  async function terms() {
    if (!cache || now() - cache.at > ttlMs) {
      const rows = await loadTerms();
      cache = {
        at: now(),
        terms: rows.flatMap((t) => {
          const folded = foldForMatching(t.term).folded;
          // A term of invisible characters only would match everywhere.
          if (!folded) return [];
          // Whole words, folded exactly as the text is.
          const re = new RegExp(
            `(?<![\\p{L}\\p{N}])${escapeRe(folded)}(?![\\p{L}\\p{N}])`,
            "gu",
          );
          return [{ term: t.term, action: t.action, re }];
        }),
      };
    }
    return cache.terms;
  }

  return {
    invalidate() {
      cache = undefined;
    },
    async check(text: string): Promise<Verdict> {
      const { folded, span } = foldForMatching(text);
      const hits = (await terms()).filter((t) => {
        t.re.lastIndex = 0;
        return t.re.test(folded);
      });
      const reject = hits.find((h) => h.action === "reject");
      if (reject) {
        return { outcome: "rejected", text, reason: `contains a blocked term ("${reject.term}")` };
      }
      const spans = hits.filter((h) => h.action === "mask").flatMap((h) => {
        h.re.lastIndex = 0; // matchAll starts where test() stopped
        return [...folded.matchAll(h.re)].map((m) => span(m.index, m.index + m[0].length));
      });
      let out = spans.length ? maskSpans(text, spans) : text;
      let masked = spans.length > 0;
      // Names and machine strings are not words: "@assistant" reads as "aassistant" to the
      // leetspeak matcher, and "4a55" inside a UUID, a hash or a URL as "ass".
      const literal = [
        ...[...out.matchAll(/@[A-Za-z0-9_.]{3,32}/g)],
        ...[...out.matchAll(/\S+/g)].filter((m) => isMachineToken(m[0])),
      ].map((m) => [m.index, m.index + m[0].length - 1]);
      const profane = matcher.getAllMatches(out, true)
        .filter((p) => !literal.some(([s, e]) => p.startIndex <= e! && p.endIndex >= s!));
      if (profane.length) {
        out = censor.applyTo(out, profane);
        masked = true;
      }
      if (hits.some((h) => h.action === "flag")) {
        return { outcome: "flagged", text: out, reason: "flagged for review" };
      }
      return { outcome: masked ? "masked" : "ok", text: out };
    },
  };
}

export type Moderator = ReturnType<typeof createModerator>;

/**
 * A URL, or an id-like run of hex digits (UUIDs, hashes, colours, file names made of them):
 * at least 6 characters with a digit, hex groups joined by `-`, `_` or `.`, maybe an extension.
 *
 * @example
 * isMachineToken("45b7d176-5f19-4a55-9a45-51ab2c37e269.png"); // true
 * isMachineToken("f4ck"); // false
 */
export function isMachineToken(token: string): boolean {
  const t = token.replace(/^[("'[<]+|[)"'\]>.,;:!?]+$/g, "");
  if (/^https?:\/\/\S+$/i.test(t)) return true;
  return t.length >= 6 && /\d/.test(t) &&
    /^#?[0-9a-f]+(?:[-_.][0-9a-f]+)*(?:\.[a-z0-9]{1,8})?$/i.test(t);
}

// Control characters are exactly what this pattern is for. U+202A-202E and U+2066-2069 are
// the bidirectional embeddings, overrides and isolates: an override makes "gnp.exe" read as
// "exe.png". (The marks U+200E/U+200F stay: right-to-left text needs them.)
// deno-lint-ignore no-control-regex
const CONTROL = new RegExp(
  "[\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u200B\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069]",
  "g",
);

/**
 * What the API stores of a message: NFC, control characters and bidirectional overrides
 * removed (tab and newline kept), trimmed. Also strips U+0002/U+0003, which search uses to
 * mark hits.
 */
export function normalizeText(s: string): string {
  return s.normalize("NFC").replace(CONTROL, "").trim();
}

/** Drawn as nothing: white space, invisible formatting, fillers such as U+3164 and U+2800. */
const BLANK = /[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cf}\p{Cc}\u2800]/gu;

/**
 * Whether the text shows anything at all: a message of zero-width spaces, joiners or Hangul
 * fillers only looks empty and is refused like an empty one.
 *
 * @example
 * hasVisibleText("\u200B\u200D\u3164"); // false
 * hasVisibleText("👩\u200D💻"); // true
 */
export function hasVisibleText(s: string): boolean {
  return s.replace(BLANK, "").length > 0;
}
