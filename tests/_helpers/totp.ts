/**
 * TOTP codes as an authenticator app computes them (RFC 6238, `otpauth`), for the tests that
 * set up two-factor authentication. A code signs in once: tests count 30-second steps.
 */
import assert from "node:assert/strict";
import * as OTPAuth from "otpauth";
import type { SupabaseClient } from "@supabase/supabase-js";

const STEP_MS = 30_000;

/** The 6-digit code of `secret` (base32) in 30-second step `step`. */
export const codeAt = (secret: string, step: number) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({
    timestamp: step * STEP_MS,
  });

/** The current 30-second step. */
export const stepNow = () => Math.floor(Date.now() / STEP_MS);

/** Enrols a TOTP factor and verifies it with the code of `step`: the session becomes aal2. */
export async function enrolVerified(c: SupabaseClient, step = stepNow(), friendlyName = "phone") {
  const { data, error } = await c.auth.mfa.enroll({ factorType: "totp", friendlyName });
  assert.equal(error, null);
  const v = await c.auth.mfa.challengeAndVerify({
    factorId: data!.id,
    code: codeAt(data!.totp.secret, step),
  });
  assert.equal(v.error, null, "the enrolment is verified");
  return { id: data!.id, secret: data!.totp.secret };
}
