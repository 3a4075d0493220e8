/**
 * Strings of signing in by email (`components/PasswordlessSignIn.tsx`), of accepting an
 * invite (`components/SetPassword.tsx`) and of inviting people (`admin/UsersTab.tsx`), English
 * and German. The German catalogue is typed with the English keys, so a missing translation
 * fails the type check.
 */
const en = {
  "pwless.link": "Email me a sign-in link",
  "pwless.title": "Sign in by email",
  "pwless.body": "We will mail you a link and a code that sign you in, no password needed.",
  "pwless.submit": "Send the link",
  "pwless.sent.body":
    "We sent a sign-in link to {email}. Follow it, or type the code from the mail here.",
  "pwless.code": "Code from the mail",
  "pwless.verify": "Sign in",
  "pwless.resend": "Send a new link",
  "pwless.resent": "Sent. Look in your inbox (and the spam folder).",
  "pwless.password": "Log in with a password instead",
  "pwless.err.noAccount": "No account uses this address. Sign up first.",

  "invite.checking": "Checking your invitation…",
  "invite.title": "Welcome! Choose your password",
  "invite.body": "You joined as {email}. Choose a password to sign in with next time.",
  "invite.password": "Password",
  "invite.submit": "Save and continue",
  "invite.failed": "This invitation link has expired or was already used.",
  "invite.toLogin": "Go to log in",

  "admin.invite.title": "Invite people",
  "admin.invite.email": "Email address to invite",
  "admin.invite.submit": "Send invite",
  "admin.invite.sent": "Invitation sent to {email}.",
  "admin.invite.exists": "{email} already has an account.",
};

const de: Record<keyof typeof en, string> = {
  "pwless.link": "Anmeldelink per E-Mail",
  "pwless.title": "Per E-Mail anmelden",
  "pwless.body":
    "Wir schicken dir einen Link und einen Code, mit denen du dich anmeldest, ohne Passwort.",
  "pwless.submit": "Link senden",
  "pwless.sent.body":
    "Wir haben einen Anmeldelink an {email} geschickt. Folge ihm oder gib hier den Code aus der E-Mail ein.",
  "pwless.code": "Code aus der E-Mail",
  "pwless.verify": "Anmelden",
  "pwless.resend": "Neuen Link senden",
  "pwless.resent": "Gesendet. Sieh in deinem Posteingang nach (und im Spam-Ordner).",
  "pwless.password": "Doch mit Passwort anmelden",
  "pwless.err.noAccount": "Zu dieser Adresse gibt es kein Konto. Registriere dich zuerst.",

  "invite.checking": "Deine Einladung wird geprüft…",
  "invite.title": "Willkommen! Wähle dein Passwort",
  "invite.body":
    "Du bist als {email} dabei. Wähle ein Passwort, mit dem du dich künftig anmeldest.",
  "invite.password": "Passwort",
  "invite.submit": "Speichern und weiter",
  "invite.failed": "Dieser Einladungslink ist abgelaufen oder wurde schon benutzt.",
  "invite.toLogin": "Zur Anmeldung",

  "admin.invite.title": "Leute einladen",
  "admin.invite.email": "E-Mail-Adresse der eingeladenen Person",
  "admin.invite.submit": "Einladung senden",
  "admin.invite.sent": "Einladung an {email} gesendet.",
  "admin.invite.exists": "{email} hat schon ein Konto.",
};

export const passwordless: { en: Record<string, string>; de: Record<string, string> } = {
  en,
  de,
};
