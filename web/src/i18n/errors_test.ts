import assert from "node:assert/strict";
import { ApiError } from "../api.ts";
import { UploadError } from "../lib/upload.ts";
import { ERROR_CODES } from "../../../functions/_shared/errors.ts";
import {
  codeMessage,
  errorCode,
  errorMessage,
  lockedUntil,
  lockMessage,
  translated,
} from "./errors.ts";
import { lang, t } from "./mod.ts";

/** An Auth error as supabase-js hands it over (AuthApiError: name, status, code, message). */
const authError = (code: string, message: string) =>
  Object.assign(new Error(message), { name: "AuthApiError", status: 400, code });

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
