/**
 * The API's dependencies that follow from its settings alone, built one way for both entry
 * points (`index.ts` on Supabase, `local/stack.ts` locally), which add the connections they own.
 */
import type { ApiConfig } from "../_shared/config.ts";
import { localAi, openAiCompatible } from "../_shared/ai.ts";
import { authBanner, authFactorReset, authInviter } from "../_shared/auth_admin.ts";
import { storageClient } from "../_shared/storage_client.ts";
import type { AppDeps } from "./app.ts";
import { leveledLogger } from "../_shared/log.ts";

/**
 * @example
 * const app = createApp({ sql, pingSql, kv, ...depsFromConfig(apiConfigFromEnv()) });
 */
export function depsFromConfig(cfg: ApiConfig) {
  return {
    jwtSecret: cfg.jwtSecret,
    jwksUrl: cfg.jwksUrl,
    allowedOrigins: cfg.allowedOrigins,
    metricsToken: cfg.metricsToken,
    rateLimits: cfg.rateLimits,
    ai: cfg.ai ? openAiCompatible(cfg.ai) : localAi(),
    setAuthBan: authBanner(cfg.supabaseUrl, cfg.serviceRoleKey),
    inviteUser: authInviter(cfg.supabaseUrl, cfg.serviceRoleKey),
    resetFactors: authFactorReset(cfg.supabaseUrl, cfg.serviceRoleKey),
    storage: storageClient(cfg.supabaseUrl, cfg.serviceRoleKey),
    log: leveledLogger(cfg.logLevel),
    linkPreviewAllow: cfg.linkPreviewAllow,
    push: cfg.push,
  } satisfies Partial<AppDeps>;
}
