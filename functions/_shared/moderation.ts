/**
 * Moderation of what users write: npm `obscenity` (leetspeak and look-alike characters) masks
 * profanity; the admin-managed `blocked_terms` reject, mask or flag. The terms are cached and
 * reloaded after `ttlMs` or at once after `invalidate()` (the admin routes call it).
 */
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
        terms: rows.map((t) => ({
          term: t.term,
          action: t.action,
          // Whole words, case-insensitive, after the same normalization as the text.
          re: new RegExp(
            `(?<![\\p{L}\\p{N}])${
              escapeRe(t.term.normalize("NFKC").toLowerCase())
            }(?![\\p{L}\\p{N}])`,
            "giu",
          ),
        })),
      };
    }
    return cache.terms;
  }

  return {
    invalidate() {
      cache = undefined;
    },
    async check(text: string): Promise<Verdict> {
      const folded = text.normalize("NFKC").toLowerCase();
      const hits = (await terms()).filter((t) => {
        t.re.lastIndex = 0;
        return t.re.test(folded);
      });
      const reject = hits.find((h) => h.action === "reject");
      if (reject) {
        return { outcome: "rejected", text, reason: `contains a blocked term ("${reject.term}")` };
      }
      let out = text;
      let masked = false;
      for (const h of hits.filter((h) => h.action === "mask")) {
        out = out.normalize("NFKC").replace(h.re, (m) => "*".repeat([...m].length));
        masked = true;
      }
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

// Control characters are exactly what this pattern is for.
// deno-lint-ignore no-control-regex
const CONTROL = new RegExp(
  "[\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u200B\\u2028\\u2029]",
  "g",
);

/**
 * What the API stores of a message: NFC, control characters removed (tab and newline kept),
 * trimmed. Also strips U+0002/U+0003, which search uses to mark hits.
 */
export function normalizeText(s: string): string {
  return s.normalize("NFC").replace(CONTROL, "").trim();
}
