/** Where things are in the repository, independent of the current directory. */
import { fileURLToPath } from "node:url";

const at = (rel: string) => fileURLToPath(new URL(`../${rel}`, import.meta.url)).replace(/\/$/, "");

export const ROOT = at("");
export const SUPABASE_DIR = at("supabase");
export const CONFIG_TOML = at("supabase/config.toml");
export const MIGRATIONS_DIR = at("supabase/migrations");
export const PLATFORM_DIR = at("local/platform");
export const WEB_DIR = at("web");

/**
 * A flag for the Deno processes that a running Deno starts (stacks under test, the web
 * bundler): take node_modules as `deno install` left it. Under deno.json's "auto", every new
 * process links the vendored postgres.js (`links`) again, deleting and re-creating its files
 * while other processes may be loading them ("Unable to load …/postgres/src/result.js").
 */
export const INSTALLED_NODE_MODULES = "--node-modules-dir=manual";
