/**
 * Strings of two-factor authentication: the profile's section (`components/TwoFactor.tsx`),
 * the code asked for at sign-in (`components/MfaChallenge.tsx`) and the admin's reset
 * (`components/admin/MfaResetButton.tsx`), with Auth's MFA error codes. English and German;
 * the German catalogue is typed with the English keys, so a missing translation fails the
 * type check.
 */
const en = {
  "mfa.title": "Two-factor authentication",
  "mfa.intro":
    "Sign in with your password and a 6-digit code from an authenticator app on your phone.",
  "mfa.on": "Two-factor authentication is on.",
  "mfa.factor": "Authenticator app",
  "mfa.factor.added": "Added {date}",
  "mfa.setup": "Set up two-factor authentication",
  "mfa.setup.scan":
    "Scan this QR code with your authenticator app (for example Google Authenticator, Authy or 1Password), then type the code it shows.",
  "mfa.setup.qr": "QR code for your authenticator app",
  "mfa.setup.secret": "Can't scan it? Enter this key by hand:",
  "mfa.code": "6-digit code",
  "mfa.setup.confirm": "Turn on",
  "mfa.setup.cancel": "Cancel",
  "mfa.setup.done":
    "Two-factor authentication is on. You will be asked for a code when you sign in.",
  "mfa.remove": "Turn off",
  "mfa.remove.confirm":
    "Turn off two-factor authentication? Signing in will need your password only.",
  "mfa.removed": "Two-factor authentication is off.",
  "mfa.recovery":
    "Lost your phone? Ask an admin to remove two-factor authentication from your account; then sign in with your password and set it up again.",
  "mfa.challenge.title": "Enter your code",
  "mfa.challenge.intro": "Open your authenticator app and type the 6-digit code for this account.",
  "mfa.challenge.verify": "Verify",
  "mfa.challenge.logout": "Use another account",

  "mfa.err.code": "That code is not right, or it was already used. Wait for the next one.",
  "mfa.err.expired": "That took too long. Type the code your app shows now.",
  "mfa.err.too_many": "Too many attempts. Wait a minute, then try again.",
  "mfa.err.disabled": "Two-factor authentication is not available here.",
  "mfa.err.aal": "Sign in again with your code to change two-factor authentication.",
  "mfa.err.limit": "You have too many authenticators set up. Remove one first.",

  "mfa.admin.reset": "Remove 2FA",
  "mfa.admin.resetLabel": "Remove two-factor authentication of {name}",
  "mfa.admin.confirm":
    "Remove two-factor authentication from {name}? Do this only when you know it is really them asking.",
  "mfa.admin.done": "Two-factor authentication of {name} is removed.",
  "mfa.admin.none": "{name} had no two-factor authentication.",
};

const de: Record<keyof typeof en, string> = {
  "mfa.title": "Zwei-Faktor-Authentifizierung",
  "mfa.intro":
    "Melde dich mit deinem Passwort und einem 6-stelligen Code aus einer Authenticator-App auf deinem Handy an.",
  "mfa.on": "Die Zwei-Faktor-Authentifizierung ist eingeschaltet.",
  "mfa.factor": "Authenticator-App",
  "mfa.factor.added": "Hinzugefügt {date}",
  "mfa.setup": "Zwei-Faktor-Authentifizierung einrichten",
  "mfa.setup.scan":
    "Scanne diesen QR-Code mit deiner Authenticator-App (zum Beispiel Google Authenticator, Authy oder 1Password) und gib dann den angezeigten Code ein.",
  "mfa.setup.qr": "QR-Code für deine Authenticator-App",
  "mfa.setup.secret": "Scannen klappt nicht? Gib diesen Schlüssel von Hand ein:",
  "mfa.code": "6-stelliger Code",
  "mfa.setup.confirm": "Einschalten",
  "mfa.setup.cancel": "Abbrechen",
  "mfa.setup.done":
    "Die Zwei-Faktor-Authentifizierung ist eingeschaltet. Bei der Anmeldung wirst du nach einem Code gefragt.",
  "mfa.remove": "Ausschalten",
  "mfa.remove.confirm":
    "Zwei-Faktor-Authentifizierung ausschalten? Zur Anmeldung genügt dann dein Passwort.",
  "mfa.removed": "Die Zwei-Faktor-Authentifizierung ist ausgeschaltet.",
  "mfa.recovery":
    "Handy verloren? Bitte einen Admin, die Zwei-Faktor-Authentifizierung von deinem Konto zu entfernen; melde dich dann mit deinem Passwort an und richte sie neu ein.",
  "mfa.challenge.title": "Code eingeben",
  "mfa.challenge.intro":
    "Öffne deine Authenticator-App und gib den 6-stelligen Code für dieses Konto ein.",
  "mfa.challenge.verify": "Bestätigen",
  "mfa.challenge.logout": "Anderes Konto verwenden",

  "mfa.err.code": "Der Code stimmt nicht oder wurde schon verwendet. Warte auf den nächsten.",
  "mfa.err.expired": "Das hat zu lange gedauert. Gib den Code ein, den deine App jetzt zeigt.",
  "mfa.err.too_many": "Zu viele Versuche. Warte eine Minute und versuche es dann noch einmal.",
  "mfa.err.disabled": "Zwei-Faktor-Authentifizierung ist hier nicht verfügbar.",
  "mfa.err.aal":
    "Melde dich mit deinem Code neu an, um die Zwei-Faktor-Authentifizierung zu ändern.",
  "mfa.err.limit": "Du hast zu viele Authenticator-Apps eingerichtet. Entferne zuerst eine.",

  "mfa.admin.reset": "2FA entfernen",
  "mfa.admin.resetLabel": "Zwei-Faktor-Authentifizierung von {name} entfernen",
  "mfa.admin.confirm":
    "Zwei-Faktor-Authentifizierung von {name} entfernen? Tu das nur, wenn du sicher bist, dass die Person selbst fragt.",
  "mfa.admin.done": "Die Zwei-Faktor-Authentifizierung von {name} ist entfernt.",
  "mfa.admin.none": "{name} hatte keine Zwei-Faktor-Authentifizierung.",
};

/**
 * What Auth's codes mean while setting up or typing a code, as overrides for `errorMessage`
 * (the MFA codes themselves are in `i18n/errors.ts`): a factor or challenge gone means the
 * code took too long, and `insufficient_aal` is Auth's, not the API's staff refusal.
 */
export const MFA_ERRORS: Record<string, string> = {
  mfa_factor_not_found: "mfa.err.expired",
  mfa_ip_address_mismatch: "mfa.err.expired",
  over_request_rate_limit: "mfa.err.too_many",
  insufficient_aal: "mfa.err.aal",
};

export const mfa: { en: Record<string, string>; de: Record<string, string> } = { en, de };
