/** Boot: read the project's config, make the Supabase client, render the app. */
import { render } from "preact";
import { App } from "./components/App.tsx";
import { loadConfig, makeClient } from "./supabase.ts";
import { createSessionState } from "./state/session.ts";
import { applyTheme } from "./lib/theme.ts";
import { lang } from "./i18n/mod.ts";

applyTheme();
document.documentElement.lang = lang.value;
const root = document.getElementById("app")!;
try {
  const cfg = await loadConfig();
  const sb = makeClient(cfg);
  const session = createSessionState(sb, cfg.supabaseUrl);
  // Waits for supabase-js to finish starting (a ?code= from a confirmation link is exchanged).
  await sb.auth.getSession();
  root.textContent = ""; // the static "Loading…" (Preact leaves nodes it did not make)
  render(<App sb={sb} cfg={cfg} session={session} />, root);
} catch (e) {
  root.textContent = `The app could not start: ${e instanceof Error ? e.message : e}`;
}
