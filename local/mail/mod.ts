/**
 * The local mail inbox (what Inbucket/Mailpit is for `supabase start`): every email the local
 * Auth server sends is stored in `_local.mail`; `GET /_inbox/messages?to=` lists them as JSON,
 * `/_inbox` shows them as a page.
 */
import { Hono } from "hono";
import type postgres from "postgres";

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
      }</p><pre>${esc(r.text)}</pre></article>`
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
