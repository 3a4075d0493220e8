import type { SupabaseClient } from "@supabase/supabase-js";
import { AppContext } from "../context.ts";
import type { AppConfig } from "../supabase.ts";
import type { SessionState } from "../state/session.ts";
import { AuthScreen } from "./AuthScreen.tsx";
import { ChatScreen } from "./ChatScreen.tsx";
import { t } from "../i18n/mod.ts";

export function App(
  { sb, cfg, session }: { sb: SupabaseClient; cfg: AppConfig; session: SessionState },
) {
  const s = session.session.value;
  let body;
  if (s === undefined) body = <p class="boot">{t("app.loading")}</p>;
  else if (!s || session.recovering.value) body = <AuthScreen />;
  else body = <ChatScreen key={s.user.id} />;
  return <AppContext.Provider value={{ sb, cfg, session }}>{body}</AppContext.Provider>;
}
