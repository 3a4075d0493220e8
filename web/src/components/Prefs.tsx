/** Theme and language switches, on the sign-in screens and in the profile panel. */
import { type Lang, lang, LANGUAGES, setLang, t } from "../i18n/mod.ts";
import { setTheme, type Theme, theme } from "../lib/theme.ts";

/** `onLang` also keeps the choice in the profile (signed in), so other devices follow it. */
export function Prefs({ onLang }: { onLang?: (l: Lang) => void }) {
  return (
    <div class="prefs">
      <div class="field inline">
        <label for="pref-theme">{t("prefs.theme")}</label>
        <select
          id="pref-theme"
          value={theme.value}
          onChange={(e) => setTheme(e.currentTarget.value as Theme)}
        >
          <option value="system">{t("prefs.theme.system")}</option>
          <option value="light">{t("prefs.theme.light")}</option>
          <option value="dark">{t("prefs.theme.dark")}</option>
        </select>
      </div>
      <div class="field inline">
        <label for="pref-lang">{t("prefs.language")}</label>
        <select
          id="pref-lang"
          value={lang.value}
          onChange={(e) => {
            const l = e.currentTarget.value as Lang;
            setLang(l);
            onLang?.(l);
          }}
        >
          {Object.entries(LANGUAGES).map(([k, name]) => (
            <option value={k} key={k} lang={k}>{name}</option>
          ))}
        </select>
      </div>
    </div>
  );
}
