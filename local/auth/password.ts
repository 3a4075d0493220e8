/**
 * The product's password rules (`product.md` §1): at least the configured length (8), not all
 * of one character class, not on a small list of common passwords. A weak password is
 * reported as GoTrue does: 422 `weak_password` with the reasons ("length", "characters",
 * "pwned").
 */
import { unprocessable } from "./errors.ts";

// The most common passwords of at least 8 characters (public breach top lists).
const COMMON = new Set([
  "12345678",
  "123456789",
  "1234567890",
  "password",
  "password1",
  "password123",
  "qwertyuiop",
  "qwerty123",
  "iloveyou",
  "11111111",
  "00000000",
  "abc12345",
  "abcd1234",
  "1q2w3e4r",
  "1qaz2wsx",
  "sunshine",
  "princess",
  "football",
  "baseball",
  "welcome1",
  "letmein1",
  "trustno1",
  "superman",
  "starwars",
  "passw0rd",
  "p@ssw0rd",
  "admin123",
  "qwerty12",
  "zaq12wsx",
  "michael1",
  "dragon12",
  "monkey12",
  "master12",
  "computer",
  "whatever",
  "internet",
  "asdfghjk",
  "asdfasdf",
  "q1w2e3r4",
  "changeme",
  "secret12",
  "welcome123",
]);

export interface PasswordPolicy {
  minLength: number;
}

/** Throws `weak_password` when `password` breaks the rules. */
export function checkPassword(password: string, { minLength }: PasswordPolicy): void {
  const reasons: string[] = [];
  const messages: string[] = [];
  if ([...password].length < minLength) {
    reasons.push("length");
    messages.push(`Password should be at least ${minLength} characters.`);
  }
  const classes =
    [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (password.length > 0 && classes < 2) {
    reasons.push("characters");
    messages.push(
      "Password should contain at least two kinds of characters (letters, digits, symbols).",
    );
  }
  if (COMMON.has(password.toLowerCase())) {
    reasons.push("pwned");
    messages.push("Password is known to be weak and easy to guess, please choose a different one.");
  }
  if (reasons.length) {
    throw unprocessable("weak_password", messages.join(" "), {
      weak_password: { reasons, message: messages.join(" ") },
    });
  }
}
