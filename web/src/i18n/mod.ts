/**
 * Strings come from catalogues, one per language, merged from the feature catalogues. A value
 * is a string with `{name}` placeholders, or plural forms chosen by `Intl.PluralRules` from the
 * `count` parameter. Numbers and dates are formatted with `Intl` in the current language.
 */
import { computed, signal } from "@preact/signals";
import { en } from "./en.ts";
import { de } from "./de.ts";
import { admin } from "./admin.ts";
import { mfa } from "./mfa.ts";
import { passwordless } from "./passwordless.ts";
import { access } from "./access.ts";
import { reauth } from "./reauth.ts";

export type Plural = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };
export type Catalogue = Record<string, string | Plural>;

export const LANGUAGES = { en: "English", de: "Deutsch" } as const;
export type Lang = keyof typeof LANGUAGES;

const catalogues: Record<Lang, Catalogue> = {
  en: { ...en, ...admin.en, ...passwordless.en, ...mfa.en, ...access.en, ...reauth.en },
  de: { ...de, ...admin.de, ...passwordless.de, ...mfa.de, ...access.de, ...reauth.de },
};

const STORE = "chat.lang";
function initialLang(): Lang {
  const saved = globalThis.localStorage?.getItem(STORE);
  if (saved && saved in LANGUAGES) return saved as Lang;
  const nav = globalThis.navigator?.language?.slice(0, 2);
  return nav && nav in LANGUAGES ? nav as Lang : "en";
}

export const lang = signal<Lang>(initialLang());

/** Whether this browser has a language chosen by hand. */
export const hasLangChoice = () => !!globalThis.localStorage?.getItem(STORE);
const plurals = computed(() => new Intl.PluralRules(lang.value));

export function setLang(l: Lang) {
  lang.value = l;
  localStorage.setItem(STORE, l);
  document.documentElement.lang = l;
}

export type Params = Record<string, string | number>;

/** The string for `key` in the current language (English if missing there). */
export function t(key: string, params: Params = {}): string {
  const entry = catalogues[lang.value][key] ?? catalogues.en[key] ?? key;
  let s: string;
  if (typeof entry === "string") s = entry;
  else {
    const n = Number(params.count ?? 0);
    s = entry[plurals.value.select(n)] ?? entry.other;
  }
  return s.replace(/\{(\w+)\}/g, (m, name: string) => {
    const v = params[name];
    if (v === undefined) return m;
    return typeof v === "number" ? new Intl.NumberFormat(lang.value).format(v) : v;
  });
}

/** Keys missing from a language, for the catalogue test. */
export function missingKeys(l: Lang): string[] {
  return Object.keys(catalogues.en).filter((k) => !(k in catalogues[l]));
}
