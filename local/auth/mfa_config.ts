/**
 * `[auth.mfa]` of `supabase/config.toml` as the Supabase CLI hands it to GoTrue:
 * `max_enrolled_factors` (GOTRUE_MFA_MAX_ENROLLED_FACTORS) and `[auth.mfa.totp]`
 * `enroll_enabled` / `verify_enabled`. As with the CLI, TOTP is off unless the file turns it on.
 * The rest are GoTrue's defaults (`internal/conf/configuration.go`, MFAConfiguration), which
 * the CLI does not expose.
 */

export interface MfaConfig {
  totpEnroll: boolean;
  totpVerify: boolean;
  /** Factors a user may have, verified or not (GoTrue: MaxEnrolledFactors, default 10). */
  maxEnrolledFactors: number;
  /** Verified factors a user may have (GoTrue: MaxVerifiedFactors, default 10). */
  maxVerifiedFactors: number;
  /** How long a challenge may be verified, in seconds (ChallengeExpiryDuration, 300). */
  challengeExpirySec: number;
  /** How long an unverified, never challenged factor lives, in seconds (FactorExpiryDuration). */
  factorExpirySec: number;
  /** Challenge and verify requests per factor and minute (RateLimitChallengeAndVerify, 15). */
  rateLimitChallengeAndVerify: number;
}

type Toml = Record<string, unknown>;
const obj = (v: unknown): Toml => (v && typeof v === "object" ? v as Toml : {});
const num = (v: unknown, d: number) => (typeof v === "number" && v >= 0 ? v : d);

/**
 * @example
 * mfaConfig({ totp: { enroll_enabled: true, verify_enabled: true } }).totpEnroll; // true
 */
export function mfaConfig(section: unknown): MfaConfig {
  const mfa = obj(section);
  const totp = obj(mfa.totp);
  return {
    totpEnroll: totp.enroll_enabled === true,
    totpVerify: totp.verify_enabled === true,
    maxEnrolledFactors: num(mfa.max_enrolled_factors, 10),
    maxVerifiedFactors: 10,
    challengeExpirySec: 300,
    factorExpirySec: 300,
    rateLimitChallengeAndVerify: 15,
  };
}
