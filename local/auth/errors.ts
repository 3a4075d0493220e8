/**
 * Supabase Auth (GoTrue) errors, word for word: error codes from supabase/auth
 * `internal/api/apierrors/errorcode.go`, bodies as GoTrue writes them. A request that sends
 * `X-Supabase-Api-Version: 2024-01-01` (auth-js does) gets `{ code, message }` and the header
 * back; older clients get `{ code: <status>, error_code, msg }`.
 */
import type { Context } from "hono";

export const API_VERSION = "2024-01-01";

export type AuthErrorCode =
  | "validation_failed"
  | "bad_json"
  | "email_exists"
  | "bad_jwt"
  | "not_admin"
  | "no_authorization"
  | "user_not_found"
  | "session_not_found"
  | "session_expired"
  | "refresh_token_not_found"
  | "refresh_token_already_used"
  | "flow_state_not_found"
  | "flow_state_expired"
  | "signup_disabled"
  | "user_banned"
  | "email_not_confirmed"
  | "user_already_exists"
  | "invalid_credentials"
  | "weak_password"
  | "same_password"
  | "over_request_rate_limit"
  | "over_email_send_rate_limit"
  | "bad_code_verifier"
  | "otp_expired"
  | "email_address_invalid"
  | "provider_disabled"
  | "request_timeout"
  | "unexpected_failure"
  // Identities (identities.ts, oauth.ts)
  | "manual_linking_disabled"
  | "identity_already_exists"
  | "identity_not_found"
  | "single_identity_not_deletable"
  | "email_conflict_identity_not_deletable"
  | "bad_oauth_state"
  | "bad_oauth_callback"
  // MFA (mfa.ts)
  | "mfa_factor_not_found"
  | "mfa_factor_name_conflict"
  | "too_many_enrolled_mfa_factors"
  | "insufficient_aal"
  | "mfa_challenge_expired"
  | "mfa_ip_address_mismatch"
  | "mfa_verification_failed"
  | "mfa_totp_enroll_not_enabled"
  | "mfa_totp_verify_not_enabled"
  | "mfa_phone_enroll_not_enabled"
  | "mfa_webauthn_enroll_not_enabled"
  // Passwordless and reauthentication (otp.ts, reauth.ts)
  | "otp_disabled"
  | "email_provider_disabled"
  | "phone_provider_disabled"
  | "reauthentication_needed"
  | "reauthentication_not_valid"
  // Features the stack does not offer or has off (disabled.ts, anonymous.ts)
  | "anonymous_provider_disabled"
  | "saml_provider_disabled"
  | "sso_provider_not_found"
  | "web3_provider_disabled"
  | "feature_disabled"
  | "passkey_disabled";

/** An error Auth answers with; `extra` fields are merged into the body (e.g. weak_password). */
export class AuthError extends Error {
  override name = "AuthError";
  constructor(
    readonly status: number,
    readonly code: AuthErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const flowStateNotFound = () =>
  new AuthError(404, "flow_state_not_found", "invalid flow state, no valid flow state found");
export const badRequest = (code: AuthErrorCode, message: string) =>
  new AuthError(400, code, message);
export const unprocessable = (
  code: AuthErrorCode,
  message: string,
  extra?: Record<string, unknown>,
) => new AuthError(422, code, message, extra);

/** Writes `err` in the shape the caller's API version expects. */
export function authErrorResponse(c: Context, err: AuthError): Response {
  const modern = (c.req.header("x-supabase-api-version") ?? "") >= API_VERSION;
  c.header("x-sb-error-code", err.code);
  if (modern) {
    c.header("x-supabase-api-version", API_VERSION);
    return c.json({ code: err.code, message: err.message, ...err.extra }, err.status as 400);
  }
  return c.json(
    { code: err.status, error_code: err.code, msg: err.message, ...err.extra },
    err.status as 400,
  );
}
