/**
 * Which sign-in methods are on, from `[auth]` as the Supabase CLI hands them to GoTrue, and
 * `GET /settings` (supabase/auth `internal/api/settings.go`) reporting them. What the local
 * stack never offers (phone/SMS, SAML SSO, Web3, ID-token sign-in) is reported off and answered
 * as GoTrue answers a disabled feature (disabled.ts).
 */
import type { AuthConfig } from "./config.ts";

export interface Features {
  /** `[auth] enable_signup` (GoTrue's DISABLE_SIGNUP, inverted): any new user at all. */
  signup: boolean;
  /** `[auth] enable_anonymous_sign_ins` (GoTrue's EXTERNAL_ANONYMOUS_USERS_ENABLED). */
  anonymous: boolean;
  /** `[auth.rate_limit] anonymous_users`: anonymous sign-ins per hour and IP address. */
  anonymousPerHour: number;
}

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" ? v as Record<string, unknown> : {};

/**
 * @example
 * features({ enable_anonymous_sign_ins: true }) // { signup: true, anonymous: true, anonymousPerHour: 30 }
 */
export function features(auth: Record<string, unknown>): Features {
  const perHour = obj(auth.rate_limit).anonymous_users;
  return {
    signup: auth.enable_signup !== false,
    anonymous: auth.enable_anonymous_sign_ins === true,
    anonymousPerHour: typeof perHour === "number" ? perHour : 30,
  };
}

/** The providers GoTrue's /settings lists, each false unless configured on. */
const LISTED = [
  "anonymous_users",
  "apple",
  "azure",
  "bitbucket",
  "discord",
  "facebook",
  "figma",
  "fly",
  "github",
  "gitlab",
  "google",
  "keycloak",
  "kakao",
  "linkedin",
  "linkedin_oidc",
  "nextcloud",
  "notion",
  "spotify",
  "slack",
  "slack_oidc",
  "workos",
  "twitch",
  "twitter",
  "email",
  "phone",
  "zoom",
];

/** GoTrue's `GET /settings` body for this configuration. */
export function settingsJson(cfg: AuthConfig) {
  const external: Record<string, boolean> = Object.fromEntries(LISTED.map((p) => [p, false]));
  for (const [name, p] of Object.entries(cfg.providers)) external[name] = p.enabled;
  external.anonymous_users = cfg.features.anonymous;
  external.email = cfg.emailProvider;
  external.phone = false; // no SMS provider locally
  return {
    external,
    disable_signup: !cfg.features.signup,
    mailer_autoconfirm: !cfg.confirmEmail,
    phone_autoconfirm: false,
    sms_provider: "",
    saml_enabled: false,
  };
}
