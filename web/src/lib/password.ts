/**
 * The product's password rules, checked in the browser for a quick answer (Auth checks again):
 * at least 8 characters, not all of one class, not on the common list.
 */
const COMMON = new Set([
  "password",
  "password1",
  "password123",
  "12345678",
  "123456789",
  "1234567890",
  "qwertyuiop",
  "qwerty123",
  "iloveyou",
  "letmein1",
  "sunshine1",
  "football1",
  "welcome1",
  "admin123",
  "abc12345",
  "11111111",
  "00000000",
  "passw0rd",
  "monkey123",
  "dragon123",
]);

export type PasswordProblem = "short" | "one_class" | "common" | null;

export function passwordProblem(pw: string): PasswordProblem {
  if (pw.length < 8) return "short";
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(pw)).length;
  if (classes < 2) return "one_class";
  if (COMMON.has(pw.toLowerCase())) return "common";
  return null;
}

export const USERNAME = /^[a-z0-9_.]{3,32}$/;
