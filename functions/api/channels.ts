/** Channels: mine (with unread counts), groups, DMs (one per pair), joining, leaving, members. */
import { Hono } from "hono";
import { z } from "zod";
import { AppError, NotFoundError } from "../_shared/errors.ts";
import type { Sql } from "../_shared/db.ts";
import type { RateLimiter } from "../_shared/rate_limit.ts";
import type { AuthEnv } from "./middleware/auth.ts";
import { callerRunner } from "./caller.ts";
import { rateLimit } from "./middleware/rate_limit.ts";
import { doc } from "./docs.ts";
import { body, escapeLike, parse, uuid } from "./validate.ts";

export const UserRef = z.object({ user_id: uuid });
export const CreateGroup = z.object({
  name: z.string().trim().min(1).max(80),
  topic: z.string().max(250).default(""),
  is_private: z.boolean().default(false),
  member_ids: z.array(uuid).max(500).default([]),
});
const UpdateGroup = z.object({
  name: z.string().trim().min(1).max(80).optional(),
  topic: z.string().max(250).optional(),
})
  .refine((b) => b.name !== undefined || b.topic !== undefined, "give name or topic");

export function channelRoutes({ sql, limiter }: { sql: Sql; limiter: RateLimiter }) {
  const app = new Hono<AuthEnv>();
  const run = callerRunner(sql);

  app.get(
    "/channels",
    doc("My channels with unread counts and last message"),
    async (c) =>
      c.json({ channels: await run(c, "read", (tx) => tx`select * from public.my_channels()`) }),
  );

  app.post(
    "/channels",
    doc("Create a group", { body: CreateGroup }),
    rateLimit(limiter, "write"),
    async (c) => {
      const b = await body(c, CreateGroup);
      const me = c.get("userId")!;
      const channel = await run(c, "write", async (tx) => {
        const [ch] =
          await tx`insert into public.channels (kind, name, topic, is_private, created_by)
                            values ('group', ${b.name}, ${b.topic}, ${b.is_private}, ${me}) returning *`;
        await tx`insert into public.channel_members (channel_id, user_id) values (${
          ch!.id
        }, ${me})`;
        for (const id of new Set(b.member_ids.filter((m) => m !== me))) {
          await tx`insert into public.channel_members (channel_id, user_id) values (${
            ch!.id
          }, ${id})`;
        }
        return ch;
      });
      return c.json({ channel }, 201);
    },
  );

  app.post(
    "/channels/direct",
    doc("The DM channel with a user, created once", { body: UserRef }),
    rateLimit(limiter, "write"),
    async (c) => {
      const { user_id: other } = await body(c, UserRef);
      const me = c.get("userId")!;
      if (other === me) {
        throw new AppError("validation_failed", "A direct channel needs another person");
      }
      const [low, high] = [me, other].sort();
      const out = await run(c, "write", async (tx) => {
        const [found] =
          await tx`select * from public.channels where dm_user_low = ${low!} and dm_user_high = ${high!}`;
        if (found) return { created: false, channel: found };
        const [ch] =
          await tx`insert into public.channels (kind, is_private, created_by, dm_user_low, dm_user_high)
                            values ('direct', true, ${me}, ${low!}, ${high!})
                            on conflict (dm_user_low, dm_user_high) do nothing returning *`;
        if (!ch) {
          // Created by the other person at the same moment: theirs is the one.
          const [again] =
            await tx`select * from public.channels where dm_user_low = ${low!} and dm_user_high = ${high!}`;
          return { created: false, channel: again };
        }
        await tx`insert into public.channel_members (channel_id, user_id) values (${ch.id}, ${me}), (${ch.id}, ${other})`;
        return { created: true, channel: ch };
      });
      return c.json({ channel: out.channel }, out.created ? 201 : 200);
    },
  );

  app.get(
    "/channels/public",
    doc("Public groups to join, busiest first (?q= filters by name)"),
    async (c) => {
      const q = parse(z.string().trim().max(80).default(""), c.req.query("q") ?? undefined);
      const like = "%" + escapeLike(q.toLowerCase()) + "%";
      const channels = await run(c, "read", (tx) =>
        tx`
      select c.id, c.name, c.topic, c.created_at,
        (select count(*) from public.channel_members m where m.channel_id = c.id)::int as member_count,
        c.id in (select private.my_channel_ids()) as joined
      from public.channels c
      where c.kind = 'group' and not c.is_private and c.archived_at is null
        and (${q} = '' or lower(c.name) like ${like})
      order by member_count desc, c.created_at desc limit 50`);
      return c.json({ channels });
    },
  );

  app.get("/channels/:id", doc("A channel and its members"), async (c) => {
    const id = parse(uuid, c.req.param("id"));
    const out = await run(c, "read", async (tx) => {
      const [ch] = await tx`select * from public.channels where id = ${id}`;
      if (!ch) throw new NotFoundError("No such channel");
      const members =
        await tx`select m.user_id, m.role, m.joined_at, m.last_delivered_message_id, m.last_read_message_id,
                                      p.username, p.display_name, p.avatar_path, p.status_text, p.deactivated_at is not null as deactivated
                               from public.channel_members m join public.profiles p on p.id = m.user_id
                               where m.channel_id = ${id} order by m.joined_at`;
      return { channel: ch, members };
    });
    return c.json(out);
  });

  app.patch(
    "/channels/:id",
    doc("Rename a group or change its topic (channel owners and admins)", { body: UpdateGroup }),
    rateLimit(limiter, "write"),
    async (c) => {
      const id = parse(uuid, c.req.param("id"));
      const b = await body(c, UpdateGroup);
      const channel = await run(c, "write", async (tx) => {
        const [ch] = await tx`update public.channels set name = coalesce(${b.name ?? null}, name),
                              topic = coalesce(${
          b.topic ?? null
        }, topic) where id = ${id} returning *`;
        if (!ch) throw new AppError("forbidden", "Only the channel's owners and admins change it");
        return ch;
      });
      return c.json({ channel });
    },
  );

  app.post(
    "/channels/:id/join",
    doc("Join a public group"),
    rateLimit(limiter, "write"),
    async (c) => {
      const id = parse(uuid, c.req.param("id"));
      await run(
        c,
        "write",
        (tx) =>
          tx`insert into public.channel_members (channel_id, user_id) values (${id}, ${c.get(
            "userId",
          )!}) on conflict do nothing`,
      );
      return c.json({ joined: true });
    },
  );

  app.post("/channels/:id/leave", doc("Leave a group"), rateLimit(limiter, "write"), async (c) => {
    const id = parse(uuid, c.req.param("id"));
    const rows = await run(
      c,
      "write",
      (tx) =>
        tx`delete from public.channel_members where channel_id = ${id} and user_id = ${c.get(
          "userId",
        )!} returning 1`,
    );
    if (!rows.length) throw new NotFoundError("You are not in this group");
    return c.json({ left: true });
  });

  app.post(
    "/channels/:id/members",
    doc("Invite someone into a group", { body: UserRef }),
    rateLimit(limiter, "write"),
    async (c) => {
      const id = parse(uuid, c.req.param("id"));
      const { user_id } = await body(c, UserRef);
      await run(
        c,
        "write",
        (tx) =>
          tx`insert into public.channel_members (channel_id, user_id) values (${id}, ${user_id})`,
      );
      return c.json({ added: user_id }, 201);
    },
  );

  app.delete(
    "/channels/:id/members/:user_id",
    doc("Remove a member"),
    rateLimit(limiter, "write"),
    async (c) => {
      const id = parse(uuid, c.req.param("id"));
      const userId = parse(uuid, c.req.param("user_id"));
      const rows = await run(
        c,
        "write",
        (tx) =>
          tx`delete from public.channel_members where channel_id = ${id} and user_id = ${userId} returning 1`,
      );
      if (!rows.length) throw new AppError("forbidden", "You may not remove this member");
      return c.json({ removed: userId });
    },
  );

  return app;
}
