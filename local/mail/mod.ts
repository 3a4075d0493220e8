/**
 * The local mail inbox (what Inbucket/Mailpit is for `supabase start`): every email the local
 * Auth server sends is stored in `_local.mail`; `GET /_inbox/messages?to=` lists them as JSON,
 * `/_inbox` shows them as a page. With SMTP settings in the environment, mail goes out over
 * SMTP instead (npm `nodemailer`).
 */
import { Hono } from "hono";
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
  const port = Number(env("SMTP_PORT") ?? 587);
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

interface Row {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  created_at: Date;
}

function esc(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

/** http(s) links in already escaped text become anchors (their text and href stay escaped). */
function linkify(escaped: string): string {
  // Trailing punctuation belongs to the sentence: "(see https://x/)." links https://x/.
  return escaped.replace(
    /https?:\/\/[^\s<>"'()]+[^\s<>"'().,;:!?]/g,
    (url) => `<a href="${url}">${url}</a>`,
  );
}

export function inboxRoutes(sql: postgres.Sql) {
  const app = new Hono();
  const list = (to: string | undefined, limit: number) =>
    to
      ? sql<
        Row[]
      >`select * from _local.mail where lower("to") = lower(${to}) order by created_at desc limit ${limit}`
      : sql<Row[]>`select * from _local.mail order by created_at desc limit ${limit}`;

  app.get("/messages", async (c) => {
    const limit = Math.min(500, Math.max(1, Number(c.req.query("limit") ?? 100) || 100));
    const rows = await list(c.req.query("to"), limit);
    return c.json(rows.map((r) => ({ ...r, created_at: new Date(r.created_at).toISOString() })));
  });

  app.delete("/messages", async (c) => {
    const to = c.req.query("to");
    if (to) await sql`delete from _local.mail where lower("to") = lower(${to})`;
    else await sql`delete from _local.mail`;
    return c.body(null, 204);
  });

  app.get("/", async (c) => {
    const rows = await list(c.req.query("to"), 100);
    // The mails' own HTML is shown as text: the inbox never renders what a template produced.
    const items = rows.map((r) =>
      `<article><h2>${esc(r.subject)}</h2><p class="meta">to ${esc(r.to)} · ${
        esc(new Date(r.created_at).toISOString())
      }</p><pre>${linkify(esc(r.text))}</pre></article>`
    ).join("\n");
    c.header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'");
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Local inbox</title>
<style>body{font:15px system-ui;max-width:50rem;margin:2rem auto;padding:0 1rem}article{border-bottom:1px solid #ccc;padding:1rem 0}.meta{color:#666}pre{white-space:pre-wrap}</style>
</head><body><h1>Local inbox</h1>${items || "<p>No mail yet.</p>"}</body></html>`,
    );
  });
  return app;
}
