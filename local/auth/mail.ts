/**
 * Auth emails: rendered from the templates `config.toml` names (Go-template placeholders such
 * as `{{ .ConfirmationURL }}`), and kept in the local inbox (`_local.mail`, shown at /_inbox),
 * as Inbucket/Mailpit keeps them for `supabase start`.
 */
import type { AuthConfig } from "./config.ts";

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
}

const DEFAULTS: Record<string, { subject: string; html: string }> = {
  confirmation: {
    subject: "Confirm Your Signup",
    html:
      '<h2>Confirm your signup</h2><p>Follow this link to confirm your user:</p><p><a href="{{ .ConfirmationURL }}">Confirm your mail</a></p>',
  },
  recovery: {
    subject: "Reset Your Password",
    html:
      '<h2>Reset Password</h2><p>Follow this link to reset the password for your user:</p><p><a href="{{ .ConfirmationURL }}">Reset Password</a></p>',
  },
  invite: {
    subject: "You have been invited",
    html:
      '<h2>You have been invited</h2><p>You have been invited to create a user on {{ .SiteURL }}. Follow this link to accept the invite:</p><p><a href="{{ .ConfirmationURL }}">Accept the invite</a></p>',
  },
  magic_link: {
    subject: "Your Magic Link",
    html:
      '<h2>Magic Link</h2><p>Follow this link to login:</p><p><a href="{{ .ConfirmationURL }}">Log In</a></p>',
  },
  reauthentication: {
    subject: "Confirm reauthentication",
    html: "<h2>Confirm reauthentication</h2><p>Enter the code: {{ .Token }}</p>",
  },
  email_change: {
    subject: "Confirm Email Change",
    html:
      '<h2>Confirm Change of Email</h2><p>Follow this link to confirm the update of your email from {{ .Email }} to {{ .NewEmail }}:</p><p><a href="{{ .ConfirmationURL }}">Change Email</a></p>',
  },
};

const templateCache = new Map<string, string>();

/** Renders template `name` with the placeholders GoTrue offers. */
export async function renderMail(
  cfg: AuthConfig,
  name: keyof typeof DEFAULTS,
  to: string,
  vars: {
    ConfirmationURL: string;
    Token: string;
    TokenHash: string;
    RedirectTo: string;
    NewEmail?: string;
    Data?: Record<string, unknown>;
  },
): Promise<Mail> {
  const t = cfg.templates[name];
  let html = DEFAULTS[name]!.html;
  if (t?.contentPath) {
    html = templateCache.get(t.contentPath) ?? await Deno.readTextFile(t.contentPath);
    templateCache.set(t.contentPath, html);
  }
  const values: Record<string, string> = {
    ConfirmationURL: vars.ConfirmationURL,
    Token: vars.Token,
    TokenHash: vars.TokenHash,
    SiteURL: cfg.siteUrl,
    RedirectTo: vars.RedirectTo,
    Email: to,
    NewEmail: vars.NewEmail ?? "",
  };
  const rendered = html.replace(
    /\{\{\s*\.(\w+)(?:\.(\w+))?\s*\}\}/g,
    (_, key: string, sub?: string) => {
      if (key === "Data" && sub) return escapeHtml(String(vars.Data?.[sub] ?? ""));
      return escapeHtml(values[key] ?? "");
    },
  );
  return {
    to,
    subject: t?.subject || DEFAULTS[name]!.subject,
    html: rendered,
    text: htmlToText(rendered),
  };
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

/** A plain-text alternative: links kept as "text (url)", tags dropped. */
function htmlToText(html: string): string {
  return html
    .replace(
      /<a [^>]*href="([^"]*)"[^>]*>(.*?)<\/a>/gi,
      (_, href, text) => `${text} (${href.replace(/&amp;/g, "&")})`,
    )
    .replace(/<\/(p|h\d|div|li)>/gi, "\n")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
