/** Theme and language switches, on the sign-in screens and in the app's menu. */
import { type Lang, lang, LANGUAGES, setLang, t } from "../i18n/mod.ts";
import { setTheme, type Theme, theme } from "../lib/theme.ts";

export function Prefs() {
  return (
    <div class="prefs">
      <label class="field inline">
        <span>{t("prefs.theme")}</span>
        <select
          value={theme.value}
          onChange={(e) => setTheme((e.currentTarget as HTMLSelectElement).value as Theme)}
        >
          <option value="system">{t("prefs.theme.system")}</option>
          <option value="light">{t("prefs.theme.light")}</option>
          <option value="dark">{t("prefs.theme.dark")}</option>
        </select>
      </label>
      <label class="field inline">
        <span>{t("prefs.language")}</span>
        <select
          value={lang.value}
          onChange={(e) => setLang((e.currentTarget as HTMLSelectElement).value as Lang)}
        >
          {Object.entries(LANGUAGES).map(([k, name]) => <option value={k} key={k}>{name}</option>)}
        </select>
      </label>
    </div>
  );
}
