/// <reference lib="dom" />
/**
 * Unread and fresh screens in Chromium (issue 14, defects 4, 6, 7 and two small ones): messages
 * that came while a channel was closed get a "new messages" line above the first unread one
 * and a control that jumps to it (also when more came than a page holds, and on a phone); a
 * message that mentions me is marked and counted apart; edits, invites and a reader's
 * deactivation show without a reload; status text and "last seen" reach other people; a new
 * image at the bottom is seen whole once it has loaded.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { ROOT } from "../../local/paths.ts";
import {
  DEMO_PASSWORD,
  eventually,
  logIn,
  messageRow,
  openChannel,
  type Person,
  saveEdit,
  send,
  sequence,
  startE2E,
} from "./_browser.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1";
const RANDOM = "c0000000-0000-4000-8000-0000000000a2";
const ALICE = "a11ce000-0000-4000-8000-000000000001";
const BOB = "b0b00000-0000-4000-8000-000000000002";
const CAROL = "ca201000-0000-4000-8000-000000000003";
const DAVE = "da7e0000-0000-4000-8000-000000000004";
const ALICE_CAROL = "c0000000-0000-4000-8000-0000000000d1";
const PHONE = { width: 390, height: 844 };

/** Polls `check` (no string evaluation in the page: its CSP forbids eval). */
async function until(check: () => Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Where `el` is against the message list's visible box (px; negative `top` is above it). */
const placeIn = (el: Locator) =>
  el.evaluate((node) => {
    const box = node.closest(".messages")!.getBoundingClientRect();
    const r = node.getBoundingClientRect();
    return { top: r.top - box.top, bottom: r.bottom - box.bottom, height: box.height };
  });

const unreadLine = (page: Page) => page.locator("li.unread-divider");
const jumpControl = (page: Page) => page.locator("button.jump-unread");

/** The message right after the "new messages" line. */
const afterLine = (page: Page) =>
  page.locator("li.unread-divider ~ li.message").first().locator(".content");

Deno.test({
  name:
    "unread line and jump, mentions, live previews and counts, ticks, status, last seen, images",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using e2e = await startE2E();
    const url = e2e.stack.url;
    const db = e2e.stack.db!.admin;
    const tokens = new Map<string, string>();
    const tokenOf = async (email: string) => {
      const { data, error } = await e2e.stack.client().auth.signInWithPassword({
        email,
        password: DEMO_PASSWORD,
      });
      if (error) throw error;
      return data.session!.access_token;
    };
    for (const who of ["alice", "bob", "carol", "dave"]) {
      tokens.set(who, await tokenOf(`${who}@example.com`));
    }
    const api = async <T = Record<string, unknown>>(
      who: string,
      method: string,
      path: string,
      body?: unknown,
    ): Promise<T> => {
      const r = await fetch(`${url}/functions/v1/api${path}`, {
        method,
        headers: {
          authorization: `Bearer ${tokens.get(who)}`,
          "content-type": "application/json",
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await r.text();
      if (!r.ok) throw new Error(`${method} ${path}: HTTP ${r.status} ${text}`);
      return JSON.parse(text) as T;
    };
    /** Messages written straight into the database (the API's send limit would be slow). */
    const burst = async (
      channel: string,
      count: number,
      tag: string,
      mentionAt = -1,
      [even, odd] = [BOB, CAROL],
    ) => {
      await db`
        insert into public.messages (channel_id, sender_id, content, client_id, mentions)
        select ${channel}::uuid, case when i % 2 = 0 then ${even}::uuid else ${odd}::uuid end,
          case when i = ${mentionAt} then '@alice could you look at ' || ${tag} || ' ' || i
               else ${tag} || ' ' || i end,
          ${tag} || '-' || i,
          case when i = ${mentionAt} then array[${ALICE}::uuid] else '{}'::uuid[] end
        from generate_series(1, ${count}) i order by i`;
    };

    /**
     * Runs `write`, then waits until Realtime has sent its row `content` to a member (Dave):
     * someone who joins the channel later then gets none of it as a live event. (Realtime
     * reads the WAL; on a busy machine it can lag, and a late joiner would hear rows that
     * were committed before it joined.)
     */
    const streamed = async (channel: string, content: string, write: () => Promise<void>) => {
      const c = e2e.stack.client();
      const { error } = await c.auth.signInWithPassword({
        email: "dave@example.com",
        password: DEMO_PASSWORD,
      });
      if (error) throw error;
      const heard = Promise.withResolvers<void>();
      const joined = Promise.withResolvers<void>();
      c.channel(`channel:${channel}`, { config: { private: true } })
        .on("broadcast", { event: "message.created" }, ({ payload }) => {
          if (payload?.message?.content === content) heard.resolve();
        })
        .subscribe((status) => status === "SUBSCRIBED" && joined.resolve());
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Realtime never sent "${content}"`)), 30_000);
      });
      try {
        await Promise.race([joined.promise, timeout]);
        await write();
        await Promise.race([heard.promise, timeout]);
      } finally {
        clearTimeout(timer);
        await c.removeAllChannels();
      }
    };

    /** `who` has read `channel` up to its newest message. */
    const readAll = async (who: string, channel: string) => {
      const [newest] = await db<{ id: number }[]>`
        select max(id)::int as id from public.messages where channel_id = ${channel}`;
      await api(who, "POST", `/channels/${channel}/receipts`, { read_up_to: newest!.id });
    };

    const people: Person[] = [];
    const step = sequence(t, e2e, people, "unread");
    const alice = await e2e.person();
    const bob = await e2e.person();
    people.push(alice, bob);

    await step(
      "messages that came while the channel was closed: a line above the first, a jump to it",
      async () => {
        await readAll("alice", GENERAL);
        await logIn(alice.page, url, "alice@example.com");
        await openChannel(alice.page, "moderators");
        await burst(GENERAL, 30, "while away", 12);
        await alice.page.locator(`[data-channel="${GENERAL}"] .badge`, { hasText: "30" })
          .waitFor();
        await openChannel(alice.page, "general", GENERAL);
        await unreadLine(alice.page).waitFor();
        // The channel opens at the newest (scrolled there after the rows show): the line is
        // above, and the control says so.
        await eventually(async () => {
          assert.equal((await afterLine(alice.page).textContent())?.trim(), "while away 1");
          assert.ok((await placeIn(unreadLine(alice.page))).top < 0, "the line is above the view");
        });
        await jumpControl(alice.page).waitFor();
        await eventually(async () =>
          assert.match(await jumpControl(alice.page).textContent() ?? "", /30 new messages/)
        );
        await e2e.shot(alice.page, "unread-01-jump-control");
        await jumpControl(alice.page).click();
        await until(async () => {
          const at = await placeIn(unreadLine(alice.page));
          return at.top >= -1 && at.top < 80;
        });
        await jumpControl(alice.page).waitFor({ state: "detached" });
        await e2e.shot(alice.page, "unread-02-line");
        await eventually(async () =>
          assert.equal(
            await alice.page.locator(`[data-channel="${GENERAL}"] .badge`).count(),
            0,
            "read: the badge is gone",
          )
        );
      },
    );

    await step("a message that mentions me is marked apart, and counted apart", async () => {
      const mention = messageRow(alice.page, "@alice could you look at while away 12");
      const plain = alice.page.locator("li.message", {
        has: alice.page.locator("p.content", { hasText: /^while away 13(?!\d)/ }),
      });
      const look = (row: Locator) =>
        row.evaluate((el) => {
          const s = getComputedStyle(el);
          return `${s.backgroundColor} ${s.boxShadow}`;
        });
      assert.notEqual(await look(mention), await look(plain), "styled differently");
      assert.match(await look(mention), /inset/, "a bar at its side, not colour alone");
      // The list counts mentions of me apart (the server's count, and the client's on events).
      await openChannel(alice.page, "moderators");
      await burst(GENERAL, 3, "again", 2);
      // Her receipt for the mention she saw goes within RECEIPT_FLUSH_MS (receipts are batched).
      let count: number | undefined;
      for (let i = 0; i < 40 && count !== 1; i++) {
        const { channels } = await api<{ channels: { id: string; mention_count: number }[] }>(
          "alice",
          "GET",
          "/channels",
        );
        count = channels.find((c) => c.id === GENERAL)?.mention_count;
        if (count !== 1) await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(count, 1);
      await alice.page.locator(`[data-channel="${GENERAL}"] .badge`, { hasText: "3" }).waitFor();
    });

    await step("an edit of the last message shows in the list's preview at once", async () => {
      const preview = alice.page.locator(`[data-channel="${RANDOM}"] .channel-last`);
      await api("alice", "POST", `/channels/${RANDOM}/join`);
      await alice.page.locator(`[data-channel="${RANDOM}"]`).waitFor();
      const { message } = await api<{ message: { id: number } }>(
        "bob",
        "POST",
        `/channels/${RANDOM}/messages`,
        { content: "lunch at noon", client_id: crypto.randomUUID() },
      );
      await preview.filter({ hasText: "lunch at noon" }).waitFor();
      await api("bob", "PATCH", `/messages/${message.id}`, { content: "lunch at one" });
      // "At once": from the event or the answer, with no reload of the list. The bound is loose
      // because the whole suite runs in parallel on two cores.
      await preview.filter({ hasText: "lunch at one" }).waitFor({ timeout: 10_000 });
      // And my own edit, in the open channel.
      await openChannel(alice.page, "random", RANDOM);
      await send(alice.page, "see you there");
      const own = messageRow(alice.page, "see you there");
      await own.locator("[data-tick]").waitFor();
      await own.hover();
      await own.getByRole("button", { name: "Edit message", exact: true }).click();
      await saveEdit(alice.page, "see you at one");
      await preview.filter({ hasText: "You: see you at one" }).waitFor({ timeout: 10_000 });
    });

    await step("right after logging in, my own message and its edit show in my list", async () => {
      const dave = await e2e.person();
      people.push(dave);
      await logIn(dave.page, url, "dave@example.com");
      await openChannel(dave.page, "general", GENERAL);
      await send(dave.page, "first thing in the morning");
      const own = dave.page.locator("li.message[data-id]", {
        hasText: "first thing in the morning",
      });
      await own.hover();
      await own.getByRole("button", { name: "Edit message", exact: true }).click();
      await saveEdit(dave.page, "first thing after lunch");
      await dave.page.locator(`[data-channel="${GENERAL}"] .channel-last`, {
        hasText: "You: first thing after lunch",
      }).waitFor({ timeout: 10_000 });
      await dave.context.close();
      people.pop();
    });

    await step("an invite shows in the header's member count at once", async () => {
      await alice.page.getByRole("button", { name: "New conversation" }).first().click();
      await alice.page.getByRole("tab", { name: "New group" }).click();
      await alice.page.getByLabel("Group name").fill("launch team");
      await alice.page.getByRole("button", { name: "Create group" }).click();
      const sub = alice.page.locator(".conv-title p");
      await alice.page.locator(".conv-title h2", { hasText: "launch team" }).waitFor();
      // The count comes with the members, fetched after the heading shows.
      await sub.filter({ hasText: /^1 member$/ }).waitFor();
      await alice.page.getByRole("button", { name: "Members", exact: true }).click();
      await alice.page.getByLabel("Invite someone").fill("bob");
      await alice.page.locator("button.person").filter({ hasText: "@bob" }).click();
      await sub.filter({ hasText: /^2 members$/ }).waitFor({ timeout: 10_000 });
      // Someone else's invite, seen by the one invited before.
      const team = /#\/c\/([0-9a-f-]{36})/.exec(alice.page.url())![1]!;
      await logIn(bob.page, url, "bob@example.com");
      await openChannel(bob.page, "launch team", team);
      await bob.page.locator(".conv-title p", { hasText: /^2 members$/ }).waitFor();
      await api("alice", "POST", `/channels/${team}/members`, { user_id: DAVE });
      await bob.page.locator(".conv-title p", { hasText: /^3 members$/ }).waitFor({
        timeout: 10_000,
      });
      await sub.filter({ hasText: /^3 members$/ }).waitFor({ timeout: 10_000 });
      await alice.page.keyboard.press("Escape");
    });

    await step("a reader who deactivates keeps the read ticks of what they read", async () => {
      await openChannel(alice.page, "Carol Danvers", ALICE_CAROL);
      await send(alice.page, "read this before you go");
      const row = alice.page.locator("li.message[data-id]", { hasText: "read this before you go" });
      await row.waitFor();
      const id = Number(await row.getAttribute("data-id"));
      await api("carol", "POST", `/channels/${ALICE_CAROL}/receipts`, { read_up_to: id });
      await row.locator("[data-tick='read']").waitFor();
      await api("carol", "DELETE", "/me");
      await alice.page.reload();
      // The receipts load after the row: wait for the tick to settle on read.
      await row.locator("[data-tick='read']").waitFor();
      await send(alice.page, "after you left");
      await messageRow(alice.page, "after you left").locator("[data-tick='sent']").waitFor();
    });

    await step("status text set by one person is shown to another", async () => {
      await api("bob", "PATCH", "/me", { status_text: "On holiday until Monday" });
      // Alice starts a DM with Bob: its members panel shows his status.
      await alice.page.getByRole("button", { name: "New conversation" }).first().click();
      await alice.page.getByLabel("Find a person").fill("bob");
      await alice.page.locator("button.person").filter({ hasText: "@bob" }).click();
      await alice.page.locator(".conv-title h2", { hasText: "Bob Builder" }).waitFor();
      await alice.page.getByRole("button", { name: "Members", exact: true }).click();
      const bobRow = alice.page.locator(".members-panel .person-row", { hasText: "@bob" });
      await bobRow.locator(".person-status", { hasText: "On holiday until Monday" }).waitFor();
      // Also after a reload (from the list's answer, not only from the search).
      await alice.page.reload();
      await alice.page.getByRole("button", { name: "Members", exact: true }).click();
      await bobRow.locator(".person-status", { hasText: "On holiday until Monday" }).waitFor();
      await e2e.shot(alice.page, "unread-03-status");
    });

    await step("'last seen' shows within seconds of leaving and keeps moving", async () => {
      const bobRow = alice.page.locator(".members-panel .person-row", { hasText: "@bob" });
      const presence = bobRow.locator(".presence");
      await presence.filter({ hasText: /^online$/ }).waitFor();
      const left = Date.now();
      await bob.page.close();
      await presence.filter({ hasText: /^last seen / }).waitFor({ timeout: 5000 });
      console.log(`'last seen' shown ${Date.now() - left} ms after Bob left`);
      const first = await presence.textContent();
      await until(async () => (await presence.textContent()) !== first, 12_000);
      await eventually(async () =>
        assert.match(await presence.textContent() ?? "", /^last seen \d+ seconds ago$/)
      );
      await alice.page.keyboard.press("Escape");
    });

    await step("a new image at the bottom is seen whole once it has loaded", async () => {
      const sender = await e2e.person();
      people.push(sender);
      await logIn(sender.page, url, "dave@example.com");
      await openChannel(sender.page, "general", GENERAL);
      await openChannel(alice.page, "general", GENERAL);
      await alice.page.locator("li.message").last().waitFor();
      await until(async () => (await placeIn(alice.page.locator("li.message").last())).bottom <= 1);
      const png = await Deno.readFile(join(ROOT, "tests", "golden", "thumbnail_320x213.png"));
      await sender.page.locator(".composer input[type=file]").setInputFiles({
        name: "chart.png",
        mimeType: "image/png",
        buffer: Buffer.from(png),
      });
      await sender.page.locator(".uploads li.done").waitFor();
      await sender.page.getByRole("button", { name: "Send", exact: true }).click();
      const thumb = alice.page.locator("li.message img.thumb").last();
      await thumb.waitFor();
      await until(async () =>
        await thumb.evaluate((img) => (img as HTMLImageElement).naturalWidth) > 0
      );
      await eventually(async () => {
        const at = await placeIn(thumb);
        assert.ok(at.bottom <= 1, `the image ends ${at.bottom.toFixed(0)} px below the view`);
        assert.ok(at.top >= 0, "and starts inside it");
      });
      await e2e.shot(alice.page, "unread-04-image");
      // And in the sender's own view.
      const own = sender.page.locator("li.message img.thumb").last();
      await until(async () =>
        await own.evaluate((img) => (img as HTMLImageElement).naturalWidth) > 0
      );
      await eventually(async () => {
        const mine = await placeIn(own);
        assert.ok(
          mine.bottom <= 1,
          `the sender's ends ${mine.bottom.toFixed(0)} px below the view`,
        );
      });
    });

    await step("on a phone: more unread than a page, the jump loads where they start", async () => {
      const phone = await e2e.person({ viewport: PHONE });
      people.push(phone);
      // Bob has read general up to now; then 70 come (more than a page of 50), before he signs
      // in: had they come after, as live events into a general his client already held, all 70
      // would be in its window, counted exactly ("70 new messages") with nothing to load.
      await readAll("bob", GENERAL);
      await streamed(GENERAL, "busy 70", () => burst(GENERAL, 70, "busy", -1, [ALICE, DAVE]));
      await logIn(phone.page, url, "bob@example.com");
      await phone.page.locator(`[data-channel="${GENERAL}"] .badge`).waitFor();
      await openChannel(phone.page, "general", GENERAL);
      await jumpControl(phone.page).waitFor();
      await eventually(async () =>
        assert.match(await jumpControl(phone.page).textContent() ?? "", /\d+\+ new messages/)
      );
      await eventually(async () => {
        const bar = await jumpControl(phone.page).boundingBox();
        assert.ok(bar && bar.x >= 0 && bar.x + bar.width <= PHONE.width, "the control fits");
      });
      await e2e.shot(phone.page, "unread-05-phone-jump");
      await jumpControl(phone.page).click();
      await unreadLine(phone.page).waitFor();
      await until(async () => {
        const at = await placeIn(unreadLine(phone.page));
        return at.top >= -1 && at.top < 80;
      });
      const first = (await afterLine(phone.page).textContent())?.trim() ?? "";
      assert.ok(first.length > 0, "a message follows the line");
      assert.equal(first, "busy 1");
      await e2e.shot(phone.page, "unread-06-phone-line");
      // The newest are a scroll away.
      await until(async () => {
        await phone.page.locator(".messages").evaluate((el) => (el.scrollTop = el.scrollHeight));
        return await messageRow(phone.page, "busy 70").count() > 0;
      });
    });

    await step("no errors in the consoles", () => {
      const real = (errs: string[]) =>
        errs.filter((e) => !/Failed to load resource|WebSocket|HTTP 4\d\d/.test(e));
      for (const p of people) assert.deepEqual(real(p.errors), []);
    });
  },
});
