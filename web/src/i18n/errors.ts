/**
 * What went wrong, in the reader's language: the one place where the codes of the API
 * (`functions/_shared/errors.ts` ERROR_CODES), Auth (GoTrue's error codes) and Storage (its
 * fixed messages) become translated sentences. Server messages are English and for logs; the
 * UI shows only what is here. Unknown codes get a generic sentence, never the raw text.
 */
import { ApiError } from "../api.ts";
import { GUEST_READ_ONLY_MESSAGE } from "../../../functions/_shared/errors.ts";
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH, type PasswordProblem } from "../lib/password.ts";
import { lang, type Params, t } from "./mod.ts";

/** The API's codes and the client's own (`network`), each with its catalogue key. */
const API: Record<string, string> = {
  network: "error.network",
  validation_failed: "error.invalid",
  bad_json: "error.invalid",
  unauthorized: "error.signed_out",
  invalid_token: "error.signed_out",
  forbidden: "error.forbidden",
  insufficient_aal: "error.second_factor",
  /** A guest's write (`forbidden` with the guest's message, told apart by `errorCode`). */
  guest_read_only: "error.guest",
  not_found: "error.not_found",
  route_not_found: "error.not_found",
  conflict: "error.conflict",
  payload_too_large: "error.too_large",
  unsupported_media_type: "error.file_type",
  content_rejected: "error.moderation",
  rate_limited: "error.rate_limited",
  service_unavailable: "error.unavailable",
  dependency_down: "error.unavailable",
  internal_error: "error.generic",
};

/** An `http_<status>` code (a response without the API's JSON) as the code that status means. */
const BY_STATUS: Record<number, string> = {
  400: "validation_failed",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  408: "service_unavailable",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "validation_failed",
  429: "rate_limited",
  503: "service_unavailable",
};

/** Auth (GoTrue) codes, as supabase-js reports them in `AuthError.code`. */
const AUTH: Record<string, string> = {
  invalid_credentials: "auth.err.invalid_credentials",
  email_not_confirmed: "auth.err.email_not_confirmed",
  user_already_exists: "auth.err.user_already_exists",
  email_exists: "auth.err.user_already_exists",
  weak_password: "auth.err.weak_password",
  same_password: "auth.err.same_password",
  over_email_send_rate_limit: "auth.err.rate_limited",
  over_request_rate_limit: "auth.err.rate_limited",
  otp_expired: "auth.err.otp_expired",
  user_banned: "auth.err.banned",
  session_not_found: "error.signed_out",
  session_expired: "error.signed_out",
  refresh_token_not_found: "error.signed_out",
  refresh_token_already_used: "error.signed_out",
  email_address_invalid: "profile.email.err.invalid",
  /** `validation_failed` of an address Auth cannot read (told apart by `errorCode`). */
  email_invalid: "auth.err.email_invalid",
  otp_disabled: "pwless.err.noAccount",
  signup_disabled: "auth.err.signup_disabled",
  email_provider_disabled: "auth.err.email_disabled",
  anonymous_provider_disabled: "auth.err.guests_disabled",
  reauthentication_needed: "auth.err.reauth_needed",
  reauthentication_not_valid: "auth.err.reauth_invalid",
  mfa_verification_failed: "mfa.err.code",
  mfa_challenge_expired: "mfa.err.expired",
  mfa_factor_name_conflict: "auth.err.mfa_name",
  mfa_totp_enroll_not_enabled: "mfa.err.disabled",
  mfa_totp_verify_not_enabled: "mfa.err.disabled",
  too_many_enrolled_mfa_factors: "mfa.err.limit",
};

/** A password rule: the browser's (`lib/password.ts`), or Auth's breach check. */
export type PasswordRule = NonNullable<PasswordProblem> | "pwned";

/** GoTrue's `weak_password` reasons as the rule each breaks. */
const WEAK: Record<string, PasswordRule> = {
  length: "short",
  characters: "letters_digits",
  pwned: "pwned",
};

/**
 * The sentence for a password rule broken, in the browser (`passwordProblem`) or by Auth's
 * `weak_password` reasons.
 *
 * @example
 * passwordMessage("short"); // "At least 8 characters, please."
 */
export function passwordMessage(problem: PasswordRule): string {
  const count = problem === "long" ? PASSWORD_MAX_BYTES : PASSWORD_MIN_LENGTH;
  return t(`auth.err.password.${problem}`, { count });
}

/** Auth's `weak_password` (supabase-js `AuthWeakPasswordError.reasons`): what each reason says. */
function weakPasswordMessage(reasons: unknown): string {
  const known = (Array.isArray(reasons) ? reasons : []).flatMap((r) => WEAK[String(r)] ?? []);
  return known.length ? known.map(passwordMessage).join(" ") : t("auth.err.weak_password");
}

/**
 * The password hook's answer while an account is locked (migration
 * `…_explain_login_lockouts.sql`): it names the end of the lock, and only to someone who typed
 * the right password, so it reveals nothing about addresses a stranger tries.
 */
const LOCKED = /locked until (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)/;

/** When a lockout ends, from the Auth error's message (null when it is not a lockout). */
export function lockedUntil(message: string | undefined): Date | null {
  const m = message ? LOCKED.exec(message) : null;
  const d = m ? new Date(m[1]!) : null;
  return d && !Number.isNaN(d.getTime()) ? d : null;
}

/**
 * The error's code: the API's `code` (an `http_<status>` one mapped by its status), Auth's
 * `code`, `network` for a request that never got an answer, `upload_*` for Storage's refusals.
 *
 * @example
 * errorCode(new ApiError(422, "content_rejected", "Message rejected: …")); // "content_rejected"
 */
export function errorCode(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return "network";
    const http = /^http_(\d{3})$/.exec(e.code);
    if (http) {
      return BY_STATUS[Number(http[1])] ??
        (Number(http[1]) >= 500 ? "internal_error" : "validation_failed");
    }
    if (e.code === "forbidden" && e.message === GUEST_READ_ONLY_MESSAGE) return "guest_read_only";
    return e.code;
  }
  const x = e as { name?: string; code?: unknown; status?: unknown; message?: unknown } | null;
  if (x && typeof x === "object") {
    if (x.name === "UploadError") return uploadCode(Number(x.status), String(x.message ?? ""));
    if (x.code === "validation_failed" && /Unable to validate email/i.test(String(x.message))) {
      return "email_invalid";
    }
    if (typeof x.code === "string" && x.code) return x.code;
    if (x.name === "AuthRetryableFetchError" || x.name === "TypeError") return "network";
  }
  return "internal_error";
}

/**
 * Storage answers every refusal with HTTP 400 and says which in its (fixed, upstream) message:
 * read the kind of refusal from it.
 */
function uploadCode(status: number, message: string): string {
  if (status === 0) return "network";
  if (status === 413 || /maximum allowed size|too large/i.test(message)) return "payload_too_large";
  if (status === 415 || /mime type/i.test(message)) return "unsupported_media_type";
  if (status === 401 || /jwt|authentication/i.test(message)) return "unauthorized";
  if (status === 403 || /row-level security|unauthorized/i.test(message)) return "forbidden";
  if (status === 409 || /already exists/i.test(message)) return "conflict";
  return status >= 500 ? "service_unavailable" : "validation_failed";
}

/**
 * The sentence for a code (see `errorCode`), e.g. an outbox entry's stored code.
 * `overrides` give a code a sentence that fits where it happened (a taken username is a
 * `conflict`).
 */
export function codeMessage(
  code: string,
  params: Params = {},
  overrides: Record<string, string> = {},
): string {
  const key = overrides[code] ?? API[code] ?? AUTH[code] ?? "error.generic";
  return t(key, params);
}

/**
 * What went wrong with `e`, translated: the one function views show errors through.
 *
 * @example
 * setError(errorMessage(e, { conflict: "profile.err.username_taken" }));
 */
export function errorMessage(e: unknown, overrides: Record<string, string> = {}): string {
  const code = errorCode(e);
  if (code === "invalid_credentials") {
    const until = lockedUntil((e as { message?: string }).message);
    if (until) return lockMessage(until);
  }
  if (code === "weak_password" && !overrides[code]) {
    return weakPasswordMessage((e as { reasons?: unknown }).reasons);
  }
  if (code === "rate_limited" && e instanceof ApiError && e.retryAfterSec) {
    return t("error.rate_limited_for", { count: Math.ceil(e.retryAfterSec) });
  }
  return codeMessage(code, {}, overrides);
}

/** "Locked for N more minutes (until 10:15)". */
export function lockMessage(until: Date, now = Date.now()): string {
  const minutes = Math.max(1, Math.ceil((until.getTime() - now) / 60_000));
  const time = new Intl.DateTimeFormat(lang.value, { timeStyle: "short" }).format(until);
  return t("auth.err.locked", { count: minutes, time });
}

/** `p`, with its error replaced by the translated one (for views that show `error.message`). */
export async function translated<T>(p: Promise<T>, overrides?: Record<string, string>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw new Error(errorMessage(e, overrides), { cause: e });
  }
}
