/** What every component may need, provided once by App. */
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { SupabaseClient } from "@supabase/supabase-js";
import type { AppConfig } from "./supabase.ts";
import type { SessionState } from "./state/session.ts";

export interface AppContextValue {
  sb: SupabaseClient;
  cfg: AppConfig;
  session: SessionState;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const v = useContext(AppContext);
  if (!v) throw new Error("AppContext missing");
  return v;
}
