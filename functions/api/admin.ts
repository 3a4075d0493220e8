/**
 * Reports and the moderators' queue; admin routes for roles, (de)activation and blocked
 * terms. Roles come from the database (staff.ts: the role, and aal2 for staff with a second
 * factor), and RLS checks every write again.
 */
import { Hono } from "hono";
import { z } from "zod";
import { AppError, NotFoundError } from "../_shared/errors.ts";
import type { Sql } from "../_shared/db.ts";
import type { Moderator } from "../_shared/moderation.ts";
import type { Metrics } from "../_shared/metrics.ts";
import type { RateLimiter } from "../_shared/rate_limit.ts";
import type { AuthEnv } from "./middleware/auth.ts";
import { callerRunner } from "./caller.ts";
import { requireRole as staffOnly, type StaffRole } from "./staff.ts";
import { rateLimit } from "./middleware/rate_limit.ts";
import { doc } from "./docs.ts";
import { body, escapeLike, messageId, parse, uuid } from "./validate.ts";

export const ReportBody = z.object({
  message_id: z.number().int().positive(),
  reason: z.string().trim().min(1).max(500),
});
export const DecideBody = z.object({
  status: z.enum(["dismissed", "actioned"]),
  delete_message: z.boolean().default(false),
});
export const RoleBody = z.object({ role: z.enum(["user", "moderator", "admin"]) });
export const TermBody = z.object({
  term: z.string().trim().min(1).max(100).transform((t) => t.toLowerCase()),
  action: z.enum(["reject", "mask", "flag"]),
});

export interface AdminDeps {
  sql: Sql;
  limiter: RateLimiter;
  moderator: Moderator;
  /** Bans or unbans a user in Supabase Auth (admin API, service key); absent → profile only. */
  setAuthBan?: ((userId: string, banned: boolean) => Promise<void>) | undefined;
  /** The process's metrics, shown live in the admin view. */
  metrics?: Metrics | undefined;
  /** Brings the metrics read on demand (the database ping) up to date first. */
  refreshMetrics?: () => Promise<void>;
}

export function adminRoutes(
  { sql, limiter, moderator, setAuthBan, metrics, refreshMetrics }: AdminDeps,
) {
  const app = new Hono<AuthEnv>();
  const run = callerRunner(sql);
  const requireRole = (...roles: StaffRole[]) => staffOnly(run, ...roles);

  app.post(
    "/reports",
    doc("Report a message", { body: ReportBody }),
    rateLimit(limiter, "report"),
    async (c) => {
      const b = await body(
        c,
        ReportBody,
      );
      const [report] = await run(
        c,
        "write",
        (tx) =>
          tx`insert into public.reports (message_id, reporter_id, reason) values (${b.message_id}, ${c
            .get("userId")!}, ${b.reason})
         returning id, message_id, status, created_at`,
      );
      return c.json({ report }, 201);
    },
  );

  app.get(
    "/admin/reports",
    doc("The moderators' queue (?status=), with each message's author and channel"),
    requireRole("moderator", "admin"),
    async (c) => {
      const status = parse(
        z.enum(["open", "dismissed", "actioned"]).default("open"),
        c.req.query("status") ?? undefined,
      );
      const reports = await run(c, "read", (tx) =>
        tx`
      select r.id, r.reason, r.status, r.created_at, r.reviewed_by, r.reviewed_at, r.channel_id,
        jsonb_build_object('id', m.id, 'content', m.content, 'sender_id', m.sender_id, 'deleted', m.deleted_at is not null) as message,
        (select p.username from public.profiles p where p.id = r.reporter_id) as reporter,
        (select jsonb_build_object('id', p.id, 'username', p.username, 'display_name', p.display_name)
          from public.profiles p where p.id = m.sender_id) as author,
        -- Null when the moderator may not see the channel (a private one they are not in).
        (select jsonb_build_object('id', ch.id, 'kind', ch.kind, 'name', ch.name)
          from public.channels ch where ch.id = r.channel_id) as channel
      from public.reports r left join public.messages m on m.id = r.message_id
      where r.status = ${status} order by r.created_at limit 200`);
      return c.json({ reports });
    },
  );

  app.post(
    "/admin/reports/:id",
    doc("Decide a report (moderators)", { body: DecideBody }),
    requireRole("moderator", "admin"),
    async (c) => {
      const id = parse(messageId, c.req.param("id"));
      const b = await body(
        c,
        DecideBody,
      );
      const report = await run(c, "write", async (tx) => {
        const [r] =
          await tx`update public.reports set status = ${b.status} where id = ${id} returning id, message_id, status`;
        if (!r) throw new NotFoundError("No such report");
        if (b.delete_message) {
          await tx`update public.messages set deleted_at = now() where id = ${r.message_id} and deleted_at is null`;
        }
        return r;
      });
      return c.json({ report });
    },
  );

  app.get(
    "/admin/users",
    doc("People with their roles, deactivated ones too (?q=, moderators)"),
    requireRole("moderator", "admin"),
    async (c) => {
      const q = parse(z.string().trim().max(64).default(""), c.req.query("q") ?? undefined);
      const like = escapeLike(q.toLowerCase()) + "%";
      const users = await run(c, "read", (tx) =>
        tx`
      select p.id, p.username, p.display_name, p.avatar_path, p.last_seen_at, p.created_at,
        p.deactivated_at, coalesce(r.role, 'user') as role
      from public.profiles p left join public.user_roles r on r.user_id = p.id
      where ${q} = '' or p.username like ${like} or lower(p.display_name) like ${"%" + like}
      order by p.username limit 100`);
      return c.json({ users });
    },
  );

  app.get(
    "/admin/metrics",
    doc("Live counters and gauges as JSON (moderators)"),
    requireRole("moderator", "admin"),
    async (c) => {
      await refreshMetrics?.();
      return c.json({
        at: new Date().toISOString(),
        ...(metrics?.snapshot() ??
          { counters: {}, gauges: {}, requests: { count: 0, mean_ms: 0 } }),
      });
    },
  );

  app.post(
    "/admin/users/:id/role",
    doc("Change a user's role (admins)", { body: RoleBody }),
    requireRole("admin"),
    async (c) => {
      const id = parse(uuid, c.req.param("id"));
      const { role } = await body(c, RoleBody);
      if (id === c.get("userId") && role !== "admin") {
        throw new AppError("conflict", "Admins cannot demote themselves");
      }
      const rows = await run(
        c,
        "write",
        (tx) =>
          tx`update public.user_roles set role = ${role} where user_id = ${id} returning user_id, role`,
      );
      if (!rows.length) throw new NotFoundError("No such user");
      return c.json(rows[0]);
    },
  );

  for (const [path, active] of [["deactivate", false], ["reactivate", true]] as const) {
    app.post(
      `/admin/users/:id/${path}`,
      doc(active ? "Reactivate a user (admins)" : "Deactivate a user (admins; also bans in Auth)"),
      requireRole("admin"),
      async (c) => {
        const id = parse(uuid, c.req.param("id"));
        if (id === c.get("userId")) {
          throw new AppError("conflict", "Admins cannot deactivate themselves here");
        }
        const rows = await run(
          c,
          "write",
          (tx) =>
            tx`update public.profiles set deactivated_at = ${
              active ? null : new Date()
            } where id = ${id} returning id`,
        );
        if (!rows.length) throw new NotFoundError("No such user");
        // Also in Auth: a ban ends their sessions at once (the token hook refuses new ones anyway).
        await setAuthBan?.(id, !active);
        return c.json({ id, active });
      },
    );
  }

  app.get(
    "/admin/blocked-terms",
    doc("Blocked terms (moderators)"),
    requireRole("moderator", "admin"),
    async (c) => {
      const terms = await run(
        c,
        "read",
        (tx) => tx`select term, action, created_at from public.blocked_terms order by term`,
      );
      return c.json({ terms });
    },
  );
  app.post(
    "/admin/blocked-terms",
    doc("Add or change a blocked term (admins)", { body: TermBody }),
    requireRole("admin"),
    async (c) => {
      const b = await body(
        c,
        TermBody,
      );
      const [term] = await run(c, "write", (tx) =>
        tx`
      insert into public.blocked_terms (term, action) values (${b.term}, ${b.action})
      on conflict (term) do update set action = excluded.action returning term, action`);
      moderator.invalidate();
      return c.json({ term }, 201);
    },
  );
  app.delete(
    "/admin/blocked-terms",
    doc("Remove a blocked term (?term=, admins)"),
    requireRole("admin"),
    async (c) => {
      const term = parse(z.string().trim().min(1).max(100), c.req.query("term") ?? "")
        .toLowerCase();
      const rows = await run(
        c,
        "write",
        (tx) => tx`delete from public.blocked_terms where term = ${term} returning term`,
      );
      if (!rows.length) throw new NotFoundError("No such term");
      moderator.invalidate();
      return c.json({ removed: term });
    },
  );

  return app;
}
