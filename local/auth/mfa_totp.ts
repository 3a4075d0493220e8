/**
 * TOTP as GoTrue uses it (pquerna/otp: RFC 6238, SHA-1, 6 digits, 30-second steps, a 160-bit
 * secret): a new key with its `otpauth://` URI and QR code, and checking a code with one step
 * of skew either way. Built on npm `otpauth` and `uqr`.
 */
import * as OTPAuth from "otpauth";
import { renderSVG } from "uqr";

export const TOTP_PERIOD = 30;

export interface TotpKey {
  secret: string;
  uri: string;
  /** The URI as an SVG QR code (raw markup, as GoTrue sends it; auth-js makes it a data URI). */
  qrCode: string;
}

const totp = (secret: string, issuer = "", label = "") =>
  new OTPAuth.TOTP({
    issuer,
    label,
    secret: OTPAuth.Secret.fromBase32(secret),
    algorithm: "SHA1",
    digits: 6,
    period: TOTP_PERIOD,
  });

/**
 * @example
 * const key = newTotpKey("chat.example.com", "ada@example.com");
 * key.uri; // "otpauth://totp/chat.example.com:ada%40example.com?issuer=…&secret=…"
 */
export function newTotpKey(issuer: string, account: string): TotpKey {
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  const uri = totp(secret, issuer, account).toString();
  // Named colours: the markup goes into a `data:` URI, where a "#" would end it.
  return { secret, uri, qrCode: renderSVG(uri, { blackColor: "black", whiteColor: "white" }) };
}

/**
 * The time step `code` belongs to, when it is right now or one step before or after; else
 * null. Callers refuse a step already used, so one code signs in once.
 *
 * @example
 * totpStep(secret, "123456"); // 58_123_456 or null
 */
export function totpStep(secret: string, code: string, now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totp(secret).validate({ token: code, timestamp: now, window: 1 });
  if (delta === null) return null;
  return Math.floor(now / 1000 / TOTP_PERIOD) + delta;
}
