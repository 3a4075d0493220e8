/**
 * Auth settings from `supabase/config.toml` (`[auth]`, `[auth.email]`, `[auth.rate_limit]`,
 * `[auth.hook.*]`, `[auth.external.*]`, templates), so one file configures both the Supabase
 * CLI's GoTrue and the local Auth server. `env(NAME)` values are read from the environment.
 */
import { join } from "node:path";
import { ROOT } from "../paths.ts";
import type { JWK } from "jose";
import { signingKeysFromToml } from "./signing_keys.ts";
import { type MfaConfig, mfaConfig } from "./mfa_config.ts";
import { type PasswordPolicy, passwordPolicy } from "./password.ts";
import { type Features, features } from "./features.ts";
import { compileRedirectGlob, followStack, isRedirectUrlValid } from "./redirects.ts";

export interface ProviderConfig {
  enabled: boolean;
  clientId: string;
  secret: string;
  redirectUri: string;
  /** Overrides for tests and self-hosted providers: authorize, token and user endpoints. */
  url: string;
}

export interface AuthConfig {
  /** Public URL of the Auth API, e.g. http://127.0.0.1:54321/auth/v1 (the `iss` claim). */
  apiUrl: string;
  siteUrl: string;
  redirectUrls: string[];
  jwtSecret: string;
  jwtExpiry: number;
  refreshRotation: boolean;
  refreshReuseInterval: number;
  enableSignup: boolean;
  confirmEmail: boolean;
  /** `double_confirm_changes`: an email change is confirmed from the old address as well. */
  doubleConfirmChanges: boolean;
  otpExpiry: number;
  /** `[auth.email] otp_length`: digits in mailed codes (GoTrue allows 6 to 10). */
  otpLength: number;
  /** `[auth.email] enable_signup` (GoTrue's EXTERNAL_EMAIL_ENABLED): email logins at all. */
  emailProvider: boolean;
  /** `[auth.email] secure_password_change`: a password change needs a recent sign-in or a nonce. */
  securePasswordChange: boolean;
  /** Minimum time between two emails of one kind to one user, in ms (`max_frequency`). */
  emailMaxFrequencyMs: number;
  /** Requests per window; 0 = no limit. */
  rateLimits: { signInSignUps: number; tokenRefresh: number; verify: number; emailSent: number };
  hooks: { customAccessToken?: string; passwordVerificationAttempt?: string };
  templates: Record<string, { subject: string; contentPath?: string }>;
  providers: Record<string, ProviderConfig>;
  /** `enable_manual_linking`: linkIdentity and unlinkIdentity (identities.ts). */
  manualLinking: boolean;
  /** `signing_keys_path`: ES256/RS256 private JWKs; empty = HS256 (signing_keys.ts). */
  signingKeys: JWK[];
  /** `[auth.mfa]`: TOTP enrolment and verification, limits (see mfa_config.ts). */
  mfa: MfaConfig;
  /** `minimum_password_length`, `password_requirements`, HIBP (password.ts). */
  password: Required<PasswordPolicy>;
  /** Sign-up, anonymous sign-ins (features.ts). */
  features: Features;
  /** `additional_redirect_urls` compiled as GoTrue's globs (redirects.ts). */
  redirectGlobs: RegExp[];
}

type Toml = Record<string, unknown>;
const obj = (v: unknown): Toml => (v && typeof v === "object" ? v as Toml : {});

/** Resolves `env(NAME)` the way the Supabase CLI does. */
export function fromEnv(v: unknown, env: (n: string) => string | undefined): string {
  if (typeof v !== "string") return "";
  const m = /^env\(([A-Za-z0-9_]+)\)$/.exec(v.trim());
  return m ? env(m[1]!) ?? "" : v;
}

export function authConfig(
  toml: Toml,
  opts: {
    apiUrl: string;
    jwtSecret: string;
    env?: (n: string) => string | undefined;
    /** Where the stack serves (scheme, host, port); site and redirect URLs follow its port. */
    publicUrl?: string;
  },
): AuthConfig {
  const env = opts.env ?? ((n: string) => Deno.env.get(n));
  const auth = obj(toml.auth);
  const configuredPort = String(obj(toml.api).port ?? 54321);
  const actual = opts.publicUrl ? new URL(opts.publicUrl) : undefined;
  const follow = (url: string) => followStack(url, configuredPort, actual);
  const email = obj(auth.email);
  const rl = obj(auth.rate_limit);
  const hook = obj(auth.hook);
  const hookUri = (name: string) => {
    const h = obj(hook[name]);
    return h.enabled ? String(h.uri ?? "") : undefined;
  };
  const templates: AuthConfig["templates"] = {};
  for (const [name, t] of Object.entries(obj(email.template))) {
    const tt = obj(t);
    templates[name] = {
      subject: String(tt.subject ?? ""),
      ...(tt.content_path ? { contentPath: join(ROOT, String(tt.content_path)) } : {}),
    };
  }
  const providers: Record<string, ProviderConfig> = {};
  for (const [name, p] of Object.entries(obj(auth.external))) {
    const pp = obj(p);
    const clientId = fromEnv(pp.client_id, env);
    providers[name] = {
      // Locally a provider also counts as on when its client id is set in the environment.
      enabled: Boolean(pp.enabled) ||
        env(`SUPABASE_AUTH_EXTERNAL_${name.toUpperCase()}_ENABLED`) === "true",
      clientId,
      secret: fromEnv(pp.secret, env),
      redirectUri: fromEnv(pp.redirect_uri, env),
      url: fromEnv(pp.url, env) || env(`SUPABASE_AUTH_EXTERNAL_${name.toUpperCase()}_URL`) || "",
    };
  }
  const num = (v: unknown, d: number) => (typeof v === "number" ? v : d);
  return {
    apiUrl: opts.apiUrl,
    siteUrl: follow(String(auth.site_url ?? "http://127.0.0.1:3000")),
    // The configured ones stay allowed, and their twins on the port the stack serves on join them.
    redirectUrls: [
      ...new Set(
        ((auth.additional_redirect_urls as string[] | undefined) ?? []).flatMap((u) => [
          u,
          follow(u),
        ]),
      ),
    ],
    jwtSecret: opts.jwtSecret,
    jwtExpiry: num(auth.jwt_expiry, 3600),
    refreshRotation: auth.enable_refresh_token_rotation !== false,
    refreshReuseInterval: num(auth.refresh_token_reuse_interval, 10),
    enableSignup: auth.enable_signup !== false && email.enable_signup !== false,
    confirmEmail: email.enable_confirmations === true,
    doubleConfirmChanges: email.double_confirm_changes !== false,
    otpExpiry: num(email.otp_expiry, 3600),
    otpLength: Math.min(10, Math.max(6, num(email.otp_length, 6))),
    emailProvider: email.enable_signup !== false,
    securePasswordChange: email.secure_password_change === true,
    emailMaxFrequencyMs: goDurationMs(String(email.max_frequency ?? "1m")),
    rateLimits: {
      signInSignUps: num(rl.sign_in_sign_ups, 30),
      tokenRefresh: num(rl.token_refresh, 150),
      verify: num(rl.token_verifications, 30),
      emailSent: num(rl.email_sent, 30),
    },
    hooks: {
      ...(hookUri("custom_access_token")
        ? { customAccessToken: hookUri("custom_access_token")! }
        : {}),
      ...(hookUri("password_verification_attempt")
        ? { passwordVerificationAttempt: hookUri("password_verification_attempt")! }
        : {}),
    },
    templates,
    providers,
    manualLinking: auth.enable_manual_linking === true,
    signingKeys: signingKeysFromToml(auth),
    mfa: mfaConfig(auth.mfa),
    password: passwordPolicy(auth, env),
    features: features(auth),
    redirectGlobs: ((auth.additional_redirect_urls as string[] | undefined) ?? []).flatMap((
      u,
    ) => [...new Set([u, follow(u)])].map(compileRedirectGlob)),
  };
}

/** Whether `url` may be redirected to, as GoTrue's IsRedirectURLValid decides (redirects.ts). */
export function isAllowedRedirect(cfg: AuthConfig, url: string): boolean {
  return isRedirectUrlValid(cfg.siteUrl, cfg.redirectGlobs, url);
}

/** A Go duration ("1s", "1m30s", "24h") in milliseconds. */
export function goDurationMs(v: string): number {
  const unit: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    "µs": 1e-3,
    ms: 1,
    s: 1e3,
    m: 6e4,
    h: 3.6e6,
  };
  let total = 0;
  let consumed = 0;
  for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(m[1]) * unit[m[2]!]!;
    consumed += m[0].length;
  }
  if (!v || consumed !== v.length) throw new Error(`invalid duration "${v}"`);
  return total;
}
