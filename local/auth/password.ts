/**
 * Password rules as GoTrue applies them (supabase/auth `internal/api/password.go`), read from
 * `[auth]` in `supabase/config.toml`:
 * - `minimum_password_length` (GoTrue raises anything below 6 to 6), counted in bytes;
 * - `password_requirements`: "", `letters_digits`, `lower_upper_letters_digits` or
 *   `lower_upper_letters_digits_symbols`, turned into the character sets the Supabase CLI hands
 *   GoTrue (`GOTRUE_PASSWORD_REQUIRED_CHARACTERS`); a password needs one character of each set;
 * - HaveIBeenPwned only when `GOTRUE_PASSWORD_HIBP_ENABLED=true` (hosted: "leaked password
 *   protection"). The stack has no internet, so a short offline list of breached passwords
 *   stands in for the range API; it reports the same `pwned` reason.
 * A weak password is 422 `weak_password` with `weak_password.reasons`, as GoTrue's errors.go
 * writes it; over 72 bytes (bcrypt's limit) is 400 `validation_failed`.
 */
import { badRequest, unprocessable } from "./errors.ts";

export interface PasswordPolicy {
  minLength: number;
  /** Character sets; the password needs at least one character of each. */
  requiredCharacters?: string[];
  /** Check against (a local stand-in for) HaveIBeenPwned. */
  hibp?: boolean;
}

/**
 * The values `password_requirements` takes, as the CLI passes them to GoTrue (the Management
 * API's enum): in the symbols, `\\:` decodes to a backslash and a colon.
 */
const REQUIREMENTS: Record<string, string> = {
  "": "",
  letters_digits: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:0123456789",
  lower_upper_letters_digits: "abcdefghijklmnopqrstuvwxyz:ABCDEFGHIJKLMNOPQRSTUVWXYZ:0123456789",
  lower_upper_letters_digits_symbols:
    "abcdefghijklmnopqrstuvwxyz:ABCDEFGHIJKLMNOPQRSTUVWXYZ:0123456789:!@#$%^&*()_+-=[]{};'\\\\:\"|<>?,./`~",
};

/** GoTrue's maximum: bcrypt reads at most 72 bytes. */
export const MAX_PASSWORD_BYTES = 72;

/**
 * GoTrue's `PasswordRequiredCharacters.Decode`: sets separated by ":", where a set ending in
 * "\" is joined to the next one with a literal ":".
 */
export function decodeRequiredCharacters(value: string): string[] {
  const parts = value.split(":");
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i]!;
    if (part.endsWith("\\")) {
      parts[i] = `${part.slice(0, -1)}:${parts[i + 1]}`;
      parts[i + 1] = "";
    }
  }
  return parts.filter((p) => p !== "");
}

/**
 * The policy `[auth]` describes; a bad `password_requirements` fails at start-up, as the CLI
 * refuses it.
 *
 * @example
 * passwordPolicy({ minimum_password_length: 8, password_requirements: "letters_digits" })
 * // { minLength: 8, requiredCharacters: ["abc…XYZ", "0123456789"], hibp: false }
 */
export function passwordPolicy(
  auth: Record<string, unknown>,
  env: (name: string) => string | undefined = () => undefined,
): Required<PasswordPolicy> {
  const wanted = String(auth.password_requirements ?? "");
  const sets = REQUIREMENTS[wanted];
  if (sets === undefined) {
    throw new Error(
      `[auth] password_requirements must be one of ${
        Object.keys(REQUIREMENTS).map((k) => `"${k}"`).join(", ")
      }, got "${wanted}"`,
    );
  }
  const min = typeof auth.minimum_password_length === "number" ? auth.minimum_password_length : 6;
  return {
    minLength: Math.max(6, min),
    requiredCharacters: decodeRequiredCharacters(sets),
    hibp: env("GOTRUE_PASSWORD_HIBP_ENABLED") === "true",
  };
}

// Stand-in for the HaveIBeenPwned range API (offline): passwords at the top of public breach
// lists that pass the usual length and character rules.
const PWNED = new Set([
  "123456",
  "1234567",
  "12345678",
  "123456789",
  "1234567890",
  "password",
  "password1",
  "password12",
  "password123",
  "password1234",
  "passw0rd",
  "p@ssw0rd",
  "p@ssword1",
  "qwerty",
  "qwerty1",
  "qwerty12",
  "qwerty123",
  "qwertyuiop",
  "1q2w3e4r",
  "1q2w3e4r5t",
  "1qaz2wsx",
  "zaq12wsx",
  "q1w2e3r4",
  "abc123",
  "abc12345",
  "abcd1234",
  "iloveyou",
  "iloveyou1",
  "admin123",
  "welcome1",
  "welcome123",
  "letmein1",
  "trustno1",
  "sunshine1",
  "football1",
  "baseball1",
  "monkey123",
  "dragon123",
  "michael1",
  "master123",
  "princess1",
  "superman1",
  "starwars1",
  "changeme",
  "changeme1",
  "secret123",
  "11111111",
  "00000000",
  "asdfghjk",
  "asdf1234",
]);

const bytes = (s: string) => new TextEncoder().encode(s).length;

/** Throws GoTrue's `weak_password` (or `validation_failed` past 72 bytes). */
export function checkPassword(password: string, policy: PasswordPolicy): void {
  if (bytes(password) > MAX_PASSWORD_BYTES) {
    throw badRequest(
      "validation_failed",
      `Password cannot be longer than ${MAX_PASSWORD_BYTES} characters`,
    );
  }
  const reasons: string[] = [];
  const messages: string[] = [];
  if (bytes(password) < policy.minLength) {
    reasons.push("length");
    messages.push(`Password should be at least ${policy.minLength} characters.`);
  }
  const sets = policy.requiredCharacters ?? [];
  if (sets.some((set) => ![...set].some((ch) => password.includes(ch)))) {
    reasons.push("characters");
    messages.push(`Password should contain at least one character of each: ${sets.join(", ")}.`);
  }
  if (policy.hibp && PWNED.has(password.toLowerCase())) {
    reasons.push("pwned");
    messages.push("Password is known to be weak and easy to guess, please choose a different one.");
  }
  if (reasons.length) {
    throw unprocessable("weak_password", messages.join(" "), { weak_password: { reasons } });
  }
}
