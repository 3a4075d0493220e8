import assert from "node:assert/strict";
import { AuthApiError, AuthWeakPasswordError } from "@supabase/supabase-js";
import { ApiError } from "../api.ts";
import { UploadError } from "../lib/upload.ts";
import { ERROR_CODES, GUEST_READ_ONLY_MESSAGE } from "../../../functions/_shared/errors.ts";
import { MFA_ERRORS } from "./mfa.ts";
import {
  codeMessage,
  errorCode,
  errorMessage,
  lockedUntil,
  lockMessage,
  translated,
} from "./errors.ts";
import { lang, t } from "./mod.ts";

/** An Auth error as supabase-js hands it over. */
const authError = (code: string, message: string, status = 400) =>
  new AuthApiError(message, status, code);

Deno.test("every code the API answers with has a sentence of its own in every language", () => {
  for (const l of ["en", "de"] as const) {
    lang.value = l;
    for (const code of Object.keys(ERROR_CODES)) {
      const s = codeMessage(code);
      assert.ok(!s.startsWith("error."), `${l}: ${code} has a catalogue entry`);
      if (code !== "internal_error") {
        assert.notEqual(
          s,
          t("error.generic"),
          `${l}: ${code} says more than "something went wrong"`,
        );
      }
    }
  }
  lang.value = "en";
});

Deno.test("the German UI shows German, never the server's English", () => {
  lang.value = "de";
  const moderation = new ApiError(422, "content_rejected", "Message rejected: blocked term");
  assert.equal(
    errorMessage(moderation),
    "Von der Moderation abgelehnt: Der Text enthält ein gesperrtes Wort.",
  );
  assert.equal(
    errorMessage(new ApiError(429, "rate_limited", "Too many react requests", 3)),
    "Zu viele Anfragen. Versuche es in 3 Sekunden erneut.",
  );
  assert.equal(
    errorMessage(new ApiError(0, "network", "Failed to fetch")).startsWith("Keine Verbindung"),
    true,
  );
  assert.equal(errorMessage(new Error("Some English from somewhere")), t("error.generic"));
  lang.value = "en";
});

Deno.test("codes are read from the API, a bare HTTP status, Storage's messages and Auth", () => {
  assert.equal(errorCode(new ApiError(422, "content_rejected", "x")), "content_rejected");
  assert.equal(errorCode(new ApiError(0, "network", "x")), "network");
  assert.equal(errorCode(new ApiError(502, "http_502", "Bad Gateway")), "internal_error");
  assert.equal(errorCode(new ApiError(429, "http_429", "")), "rate_limited");
  assert.equal(
    errorCode(new UploadError(400, "mime type application/x-msdownload is not supported")),
    "unsupported_media_type",
  );
  assert.equal(
    errorCode(new UploadError(400, "The object exceeded the maximum allowed size")),
    "payload_too_large",
  );
  assert.equal(
    errorCode(new UploadError(400, "new row violates row-level security policy")),
    "forbidden",
  );
  assert.equal(errorCode(new UploadError(0, "network error")), "network");
  assert.equal(
    errorCode(authError("weak_password", "Password is known to be weak")),
    "weak_password",
  );
  assert.equal(errorMessage(authError("weak_password", "x")), t("auth.err.weak_password"));
});

Deno.test("a place may give a code its own sentence (a taken username is a conflict)", () => {
  const taken = new ApiError(409, "conflict", "That already exists");
  assert.equal(
    errorMessage(taken, { conflict: "profile.err.username_taken" }),
    "This username is taken.",
  );
  assert.equal(errorMessage(taken), "That already exists.");
});

Deno.test("a lockout names itself and how long it lasts; a wrong password stays a wrong password", () => {
  const until = new Date(Date.now() + 14.2 * 60_000);
  const locked = authError(
    "invalid_credentials",
    `Account locked after too many failed sign-in attempts; locked until ${until.toISOString()}`,
  );
  assert.equal(lockedUntil(locked.message)?.getTime(), until.getTime());
  assert.match(errorMessage(locked), /locked .* Try again in 15 minutes \(at .+\)\./);
  assert.equal(
    errorMessage(authError("invalid_credentials", "Invalid login credentials")),
    "Wrong email or password.",
  );
  assert.equal(lockedUntil("Invalid login credentials"), null);
  assert.match(lockMessage(new Date(10_000), 0), /in 1 minute /, "never 'in 0 minutes'");
});

Deno.test("translated() rethrows a view-ready error and keeps the original as its cause", async () => {
  const original = new ApiError(403, "forbidden", "You may not do that here");
  const e = await translated(Promise.reject(original)).catch((x) => x as Error);
  assert.equal(e.message, "You are not allowed to do that here.");
  assert.equal(e.cause, original);
  assert.equal(await translated(Promise.resolve(7)), 7);
});

/** Codes Auth answers for features turned off, MFA and reauthentication (GoTrue errorcodes.go). */
const AUTH_CODES = [
  "otp_disabled",
  "signup_disabled",
  "email_provider_disabled",
  "anonymous_provider_disabled",
  "reauthentication_needed",
  "reauthentication_not_valid",
  "mfa_verification_failed",
  "mfa_challenge_expired",
  "mfa_factor_name_conflict",
  "mfa_totp_enroll_not_enabled",
  "too_many_enrolled_mfa_factors",
  "over_request_rate_limit",
  "weak_password",
];

Deno.test("Auth's codes for disabled features, MFA and reauthentication each say what happened, in both languages", () => {
  for (const l of ["en", "de"] as const) {
    lang.value = l;
    const seen = new Set<string>();
    for (const code of AUTH_CODES) {
      const s = errorMessage(authError(code, "English from Auth", 422));
      assert.notEqual(s, t("error.generic"), `${l}: ${code}`);
      assert.notEqual(s, "English from Auth", `${l}: ${code}`);
      seen.add(s);
    }
    assert.equal(seen.size, AUTH_CODES.length, "a sentence of its own each");
  }
  lang.value = "en";
  assert.equal(
    errorMessage(authError("otp_disabled", "Signups not allowed for otp", 422)),
    "No account uses this address. Sign up first.",
  );
  assert.equal(
    errorMessage(authError("signup_disabled", "Signups not allowed for this instance", 422)),
    "New accounts cannot be created here right now. Ask an admin for an invitation.",
  );
});

Deno.test("Auth's validation_failed for an address says so; other validation stays generic", () => {
  const bad = authError("validation_failed", "Unable to validate email address: invalid format");
  assert.equal(errorCode(bad), "email_invalid");
  assert.equal(errorMessage(bad), "That doesn't look like an email address.");
  lang.value = "de";
  assert.equal(errorMessage(bad), "Das sieht nicht nach einer E-Mail-Adresse aus.");
  lang.value = "en";
  const other = authError("validation_failed", "Password cannot be longer than 72 characters");
  assert.equal(errorMessage(other), t("error.invalid"));
});

Deno.test("weak_password says which rule Auth's reasons name, each once", () => {
  type Reason = ConstructorParameters<typeof AuthWeakPasswordError>[2][number];
  const weak = (...reasons: string[]) =>
    errorMessage(new AuthWeakPasswordError("Password should be …", 422, reasons as Reason[]));
  assert.equal(weak("length"), "At least 8 characters, please.");
  assert.equal(weak("characters"), "Use at least one letter (a–z) and one digit (0–9).");
  assert.equal(weak("pwned"), "This password is known from data breaches. Choose a different one.");
  assert.equal(
    weak("length", "characters"),
    "At least 8 characters, please. Use at least one letter (a–z) and one digit (0–9).",
  );
  assert.equal(weak(), t("auth.err.weak_password"), "no reasons: the general sentence");
  assert.equal(weak("something_new"), t("auth.err.weak_password"));
  lang.value = "de";
  assert.equal(weak("length"), "Bitte mindestens 8 Zeichen.");
  lang.value = "en";
});

Deno.test("the API's guest refusal and staff's missing second factor have sentences of their own", () => {
  const guest = new ApiError(403, "forbidden", GUEST_READ_ONLY_MESSAGE);
  assert.equal(errorCode(guest), "guest_read_only");
  assert.equal(errorMessage(guest), "Guests can read but not post. Sign up to write here.");
  assert.equal(
    errorMessage(new ApiError(403, "forbidden", "You may not do that here")),
    t("error.forbidden"),
  );
  const aal = new ApiError(403, "insufficient_aal", "Verify your second factor first");
  assert.match(errorMessage(aal), /^Enter the code from your authenticator app first/);
  lang.value = "de";
  assert.match(errorMessage(guest), /^Gäste können mitlesen/);
  lang.value = "en";
  // Auth's own insufficient_aal while changing factors keeps the MFA view's sentence.
  assert.equal(
    errorMessage(authError("insufficient_aal", "AAL2 required", 403), MFA_ERRORS),
    t("mfa.err.aal"),
  );
});
