/**
 * Strings of what someone may not do, and why: Auth's refusals of disabled features and of
 * bad input (`i18n/errors.ts` maps their codes), the API's refusals of guests and of staff who
 * owe their second factor, and the note a guest sees in place of the message box. English and
 * German; the German catalogue is typed with the English keys, so a missing translation fails
 * the type check.
 */
const en = {
  "auth.err.signup_disabled":
    "New accounts cannot be created here right now. Ask an admin for an invitation.",
  "auth.err.email_disabled": "Signing in with an email address is turned off here.",
  "auth.err.guests_disabled": "Guest access is turned off here.",
  "auth.err.reauth_needed":
    "To change your password, confirm it is you first: ask for a code by email.",
  "auth.err.reauth_invalid": "That confirmation code is wrong or has expired. Ask for a new one.",
  "auth.err.mfa_name": "An authenticator app with this name is already set up.",
  "auth.err.email_invalid": "That doesn't look like an email address.",
  "auth.err.password.pwned": "This password is known from data breaches. Choose a different one.",
  "error.guest": "Guests can read but not post. Sign up to write here.",
  "error.second_factor":
    "Enter the code from your authenticator app first: staff actions need your second factor.",
  "guest.note": "You are reading as a guest. Sign up to post.",
  "guest.signup": "Sign up",
};

const de: Record<keyof typeof en, string> = {
  "auth.err.signup_disabled":
    "Hier können gerade keine neuen Konten angelegt werden. Bitte einen Admin um eine Einladung.",
  "auth.err.email_disabled": "Die Anmeldung mit E-Mail-Adresse ist hier ausgeschaltet.",
  "auth.err.guests_disabled": "Der Gastzugang ist hier ausgeschaltet.",
  "auth.err.reauth_needed":
    "Bestätige zuerst, dass du es bist, um dein Passwort zu ändern: Fordere einen Code per E-Mail an.",
  "auth.err.reauth_invalid":
    "Dieser Bestätigungscode ist falsch oder abgelaufen. Fordere einen neuen an.",
  "auth.err.mfa_name": "Eine Authenticator-App mit diesem Namen ist schon eingerichtet.",
  "auth.err.email_invalid": "Das sieht nicht nach einer E-Mail-Adresse aus.",
  "auth.err.password.pwned": "Dieses Passwort ist aus Datenlecks bekannt. Wähle ein anderes.",
  "error.guest":
    "Gäste können mitlesen, aber nicht schreiben. Registriere dich, um hier zu schreiben.",
  "error.second_factor":
    "Gib zuerst den Code aus deiner Authenticator-App ein: Aktionen als Admin oder Moderation brauchen deinen zweiten Faktor.",
  "guest.note": "Du liest als Gast mit. Registriere dich, um zu schreiben.",
  "guest.signup": "Registrieren",
};

export const access: { en: Record<string, string>; de: Record<string, string> } = { en, de };
