/**
 * The local mail inbox (what Inbucket/Mailpit is for `supabase start`): every email the local
 * Auth server sends is stored in `_local.mail`; `GET /_inbox/messages?to=` lists them as JSON,
 * `/_inbox` shows them as a page. With SMTP settings in the environment, mail goes out over
 * SMTP instead (npm `nodemailer`).
 */
import type postgres from "postgres";
import nodemailer from "nodemailer";

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export function inboxMailer(sql: postgres.Sql) {
  return {
    async send(m: Mail): Promise<void> {
      await sql`insert into _local.mail ("to", subject, text, html) values (${m.to}, ${m.subject}, ${m.text}, ${m.html})`;
    },
  };
}

export interface SmtpSettings {
  host: string;
  port: number;
  user: string | undefined;
  pass: string | undefined;
  /** The From address and name. */
  sender: string;
  senderName: string;
  /** Implicit TLS (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
}

/** SMTP settings from SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASS, SMTP_ADMIN_EMAIL, SMTP_SENDER_NAME. */
export function smtpFromEnv(
  env: (n: string) => string | undefined = (n) => Deno.env.get(n),
): SmtpSettings | undefined {
  const host = env("SMTP_HOST");
  if (!host) return undefined;
  const port = Number(env("SMTP_PORT") || 587);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`SMTP_PORT must be a port number`);
  }
  return {
    host,
    port,
    user: env("SMTP_USER") || undefined,
    pass: env("SMTP_PASS") || undefined,
    sender: env("SMTP_ADMIN_EMAIL") || "admin@example.com",
    senderName: env("SMTP_SENDER_NAME") || "Chat",
    secure: port === 465,
  };
}

export function smtpMailer(s: SmtpSettings) {
  const transport = nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure,
    ...(s.user ? { auth: { user: s.user, pass: s.pass ?? "" } } : {}),
  });
  return {
    async send(m: Mail): Promise<void> {
      await transport.sendMail({
        from: { name: s.senderName, address: s.sender },
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
      });
    },
    close: () => transport.close(),
  };
}

export { inboxEnabled, inboxRoutes, isLoopback } from "./inbox.ts";
