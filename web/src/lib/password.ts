/**
 * The product's password rules, as Auth applies them (`supabase/config.toml` `[auth]`
 * `minimum_password_length = 8`, `password_requirements = "letters_digits"`; GoTrue counts
 * bytes and takes at most 72), checked in the browser for a quick answer: Auth checks again.
 * Breached passwords (HaveIBeenPwned, a hosted setting) only Auth knows: its `weak_password`
 * reason `pwned` (i18n/errors.ts).
 */

/** `[auth] minimum_password_length`. */
export const PASSWORD_MIN_LENGTH = 8;
/** What bcrypt takes: GoTrue refuses longer passwords (400 `validation_failed`). */
export const PASSWORD_MAX_BYTES = 72;
/** `password_requirements = "letters_digits"`: at least one character of each set. */
export const PASSWORD_REQUIRED_SETS = [
  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
  "0123456789",
] as const;

export type PasswordProblem = "short" | "long" | "letters_digits" | null;

const bytes = (s: string) => new TextEncoder().encode(s).length;

/**
 * The rule `pw` breaks first, or null.
 *
 * @example
 * passwordProblem("horsebattery"); // "letters_digits"
 */
export function passwordProblem(pw: string): PasswordProblem {
  if (bytes(pw) < PASSWORD_MIN_LENGTH) return "short";
  if (bytes(pw) > PASSWORD_MAX_BYTES) return "long";
  if (PASSWORD_REQUIRED_SETS.some((set) => ![...set].some((ch) => pw.includes(ch)))) {
    return "letters_digits";
  }
  return null;
}

export const USERNAME = /^[a-z0-9_.]{3,32}$/;
