/**
 * The local inbox's pages, `/_inbox` (HTML) and `/_inbox/messages` (JSON), and who may reach
 * them. The inbox is unauthenticated, like Inbucket/Mailpit under `supabase start`: whoever
 * reads it can follow any reset link and become any user. So it exists only for a stack that
 * listens on loopback and is not told otherwise (`LOCAL_INBOX=off`), and even then it answers
 * only requests whose remote address is loopback (a proxy on the same host forwarding public
 * traffic would otherwise pass; such a setup sets API_EXTERNAL_URL, which turns it off too).
 */
import { Hono } from "hono";
import type postgres from "postgres";

/** 127.0.0.0/8, ::1 (also IPv4-mapped), and `localhost`. */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost") || h === "::1") return true;
  const v4 = h.startsWith("::ffff:") ? h.slice(7) : h;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v4);
  return !!m && m.slice(1).every((p) => Number(p) <= 255) && m[1] === "127";
}

/**
 * Whether to mount the inbox: `LOCAL_INBOX` unset or `auto` mounts it when the gateway listens
 * on loopback and its public URL (if any) is loopback too; `off` never. Anything else is a
 * start-up error (there is no `on`: nothing may force it onto a public address).
 *
 * @example
 * inboxEnabled({ hostname: "127.0.0.1", setting: undefined }); // true
 * inboxEnabled({ hostname: "0.0.0.0", setting: undefined }); // false
 * inboxEnabled({ hostname: "127.0.0.1", setting: "off" }); // false
 */
export function inboxEnabled(
  { hostname, publicUrl, setting }: {
    hostname: string;
    publicUrl?: string | undefined;
    setting: string | undefined;
  },
): boolean {
  const s = (setting ?? "").trim().toLowerCase();
  if (s !== "" && s !== "auto" && s !== "off") {
    throw new Error(`LOCAL_INBOX must be "auto" (the default) or "off", got "${setting}"`);
  }
  if (s === "off" || !isLoopback(hostname)) return false;
  if (publicUrl) {
    try {
      if (!isLoopback(new URL(publicUrl).hostname)) return false;
    } catch {
      return false;
    }
  }
  return true;
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
  // The gateway passes the connection's info as the env; no address known means no answer.
  app.use("*", async (c, next) => {
    // deno-lint-ignore no-explicit-any
    const remote = ((c.env as any)?.remoteAddr as Deno.NetAddr | undefined)?.hostname;
    // The Host too: a page whose name was re-pointed to 127.0.0.1 (DNS rebinding) runs in the
    // developer's own browser, so its requests come from loopback, but not with a loopback Host.
    if (!remote || !isLoopback(remote) || !isLoopback(new URL(c.req.url).hostname)) {
      return c.json({
        error: { code: "forbidden", message: "The local inbox answers only on loopback" },
      }, 403);
    }
    await next();
  });
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
