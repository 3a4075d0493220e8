/**
 * Strings of changing the password from an old session (`components/PasswordChange.tsx`):
 * Auth's `secure_password_change` asks for a mailed code first. English and German; the
 * German catalogue is typed with the English keys, so a missing translation fails the type
 * check. Auth's refusals (`reauthentication_needed`, `reauthentication_not_valid`) are in
 * `access.ts`.
 */
const en = {
  "profile.password.code_sent":
    "We sent a code to {email} to confirm it is you. Type it here to change your password.",
  "profile.password.code_resent": "We sent a new code to {email}. Look in your inbox (and spam).",
  "profile.password.code": "Code from the mail",
  "profile.password.resend": "Send the code again",
};

const de: Record<keyof typeof en, string> = {
  "profile.password.code_sent":
    "Wir haben einen Code an {email} geschickt, um zu bestätigen, dass du es bist. Gib ihn hier ein, um dein Passwort zu ändern.",
  "profile.password.code_resent":
    "Wir haben einen neuen Code an {email} geschickt. Sieh in deinem Posteingang nach (und im Spam-Ordner).",
  "profile.password.code": "Code aus der E-Mail",
  "profile.password.resend": "Code erneut senden",
};

export const reauth: { en: Record<string, string>; de: Record<string, string> } = { en, de };
