/** Where things are in the repository, independent of the current directory. */
import { fileURLToPath } from "node:url";

const at = (rel: string) => fileURLToPath(new URL(`../${rel}`, import.meta.url)).replace(/\/$/, "");

export const ROOT = at("");
export const SUPABASE_DIR = at("supabase");
export const CONFIG_TOML = at("supabase/config.toml");
export const MIGRATIONS_DIR = at("supabase/migrations");
export const PLATFORM_DIR = at("local/platform");
export const WEB_DIR = at("web");
