/// <reference lib="dom" />
/**
 * Layout in Chromium at desktop (1280×800) and phone (390×844, touch) sizes (issue 14, defects
 * 3, 8 and 12): the phone's one column fits the screen with its header buttons on it; a tap on a
 * message opens one toolbar, below the text, and reacts to nothing; closing a panel keeps the
 * conversation's place; the admin view's tables fit at 1280 px, reports name the author and the
 * channel, and a role change says it happened; a newly arrived image is fully in view; audio
 * knows its length before it plays; a PDF card keeps its own height; the channel summary keeps
 * its lines apart. Screenshots of the phone's main screens go to `.local/e2e/`.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  type E2E,
  eventually,
  logIn,
  messageRow,
  openChannel,
  type Person,
  send,
  sequence,
  startE2E,
} from "./_browser.ts";
import { attach } from "./_attach.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1";
const DAVE = "da7e0000-0000-4000-8000-000000000004";
const PHONE = { width: 390, height: 844 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A phone: touch, a coarse pointer, no hover, the page's own viewport meta honoured. */
async function phonePerson(e2e: E2E): Promise<Person> {
  const context = await e2e.browser.newContext({
    viewport: PHONE,
    hasTouch: true,
    isMobile: true,
    locale: "en-US",
    timezoneId: "Europe/Berlin",
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return { context, page, errors };
}

/**
 * Opens a channel on the phone by touch. Taps move no mouse, so no hover is left behind on a
 * message (logging in clicked with the mouse: it is moved off the page first).
 */
async function tapChannel(page: Page, id: string) {
  await page.mouse.move(0, 0);
  await page.locator(`[data-channel="${id}"]`).tap();
  await page.locator(".conversation").waitFor();
}

/**
 * Nothing wider than the screen: no sideways scrolling, no zoomed-out layout viewport (once
 * the layout has settled: what loads after the first row can still change it).
 */
function assertFits(page: Page, what: string) {
  return eventually(async () => {
    const m = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      inner: innerWidth,
    }));
    assert.ok(m.scroll <= PHONE.width, `${what}: the page is ${m.scroll} px wide`);
    assert.equal(m.inner, PHONE.width, `${what}: the layout viewport is the screen`);
  });
}

/** The boxes of the message toolbars that are shown. */
const shownToolbars = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>("li.message .actions")]
      .filter((a) => getComputedStyle(a).display !== "none")
      .map((a) => {
        const r = a.getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
      })
  );

/** The boxes of every message's text and sender line. */
const textBoxes = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>("li.message .content, li.message .meta")].map(
      (e) => {
        const r = e.getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
      },
    )
  );

type Box = { top: number; bottom: number; left: number; right: number };
const overlaps = (a: Box, b: Box) =>
  a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;

/** Where the message list is: its scroll offset, the distance to its end, its rows. */
const geometry = (page: Page) =>
  page.locator(".messages").evaluate((el) => ({
    top: Math.round(el.scrollTop),
    fromBottom: Math.round(el.scrollHeight - el.scrollTop - el.clientHeight),
    rows: el.querySelectorAll("li.message").length,
  }));

/** The newest image is loaded and seen whole inside the message list, at its end. */
async function assertImageInView(page: Page, who: string) {
  const img = page.locator("li.message img.thumb").last();
  await img.waitFor();
  await page.waitForFunction(
    (el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0,
    await img.elementHandle(),
  );
  await sleep(600);
  // The list follows the image's load with a scroll of its own, later on busy cores.
  await eventually(async () => {
    const m = await img.evaluate((el) => {
      const list = el.closest(".messages")!;
      const r = el.getBoundingClientRect();
      const l = list.getBoundingClientRect();
      return {
        below: Math.round(r.bottom - l.bottom),
        height: Math.round(r.height),
        fromBottom: Math.round(list.scrollHeight - list.scrollTop - list.clientHeight),
      };
    });
    assert.ok(m.height > 100, `${who}: the image has its size (${m.height} px)`);
    assert.ok(m.below <= 0, `${who}: the image ends ${m.below} px below the visible list`);
    assert.ok(m.fromBottom < 5, `${who}: the list is at its end (${m.fromBottom} px above it)`);
  });
}

Deno.test({
  name: "layout: phone and desktop sizes, message toolbars, admin view, attachments, summary",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using e2e = await startE2E();
    const url = e2e.stack.url;
    const people: Person[] = [];
    const step = sequence(t, e2e, people, "layout");

    // Enough history in #general that its end is far below the first screen.
    await e2e.stack.db!.sql`
      insert into public.messages (channel_id, sender_id, content, client_id, created_at)
      select ${GENERAL}::uuid, ${DAVE}::uuid, 'older filler line ' || n, 'layout-fill-' || n,
        now() - interval '1 hour' + n * interval '1 second'
      from generate_series(1, 40) n`;

    const phone = await phonePerson(e2e);
    const desk = await e2e.person();
    const bob = await e2e.person();
    const carol = await e2e.person();
    people.push(phone, desk, bob, carol);

    await step("phone: the channel list fits 390 px, its header buttons on screen", async () => {
      await logIn(phone.page, url, "alice@example.com");
      await phone.page.locator(".channel").first().waitFor();
      await assertFits(phone.page, "channel list");
      // "Admin" comes once the profile's role has loaded.
      await eventually(async () => {
        const sidebar = await phone.page.locator(".sidebar").boundingBox();
        assert.ok(sidebar && sidebar.width <= PHONE.width, `sidebar ${sidebar?.width} px`);
        for (const name of ["New conversation", "Search messages", "Admin", "Log out"]) {
          const b = await phone.page.locator(".me").getByRole("button", { name }).boundingBox();
          assert.ok(b, `${name} is shown`);
          assert.ok(
            b.x >= 0 && b.x + b.width <= PHONE.width,
            `${name} at ${b.x}–${b.x + b.width}`,
          );
        }
      });
      await e2e.shot(phone.page, "layout-01-phone-list");
    });

    await step(
      "phone: the conversation fits; a tap shows one toolbar and reacts to nothing",
      async () => {
        await tapChannel(phone.page, GENERAL);
        const row = messageRow(phone.page, "Has anyone tried the new search?");
        await row.waitFor();
        await assertFits(phone.page, "conversation");
        await row.scrollIntoViewIfNeeded();
        const before = await phone.page.locator(".reaction").count();
        // The top of the message, left of its middle: where a hovering toolbar's 👍 would land.
        const b = (await row.boundingBox())!;
        await phone.page.touchscreen.tap(b.x + b.width / 2 - 20, b.y + 5);
        await sleep(300);
        const other = messageRow(phone.page, "Hi all 👋 Bob here");
        const o = (await other.boundingBox())!;
        await phone.page.touchscreen.tap(o.x + o.width / 2 - 20, o.y + 5);
        await sleep(300);
        assert.equal(await phone.page.locator(".reaction").count(), before, "no reaction added");
        assert.equal(await phone.page.locator(".reaction.mine").count(), 0, "none of mine");
        const bar = other.getByRole("toolbar");
        await eventually(async () => {
          const bars = await shownToolbars(phone.page);
          assert.equal(bars.length, 1, `one toolbar shown (${bars.length})`);
          for (const text of await textBoxes(phone.page)) {
            assert.ok(!overlaps(bars[0]!, text), "the toolbar covers no message text");
          }
          assert.ok(await bar.isVisible(), "the toolbar is the tapped message's");
        });
        await e2e.shot(phone.page, "layout-02-phone-toolbar");
        // The toolbar itself works by touch.
        await bar.getByRole("button", { name: "React with 👍" }).tap();
        await other.getByRole("button", { name: "👍: 1 reaction" }).waitFor();
      },
    );

    await step("phone: closing search keeps the conversation where it was", async () => {
      const list = phone.page.locator(".messages");
      await list.evaluate((
        el,
      ) => (el.scrollTop = Math.max(0, el.scrollHeight - 2 * el.clientHeight)));
      await sleep(500);
      const before = await geometry(phone.page);
      await phone.page.locator(".conv-header").getByRole("button", { name: "Search messages" })
        .tap();
      await phone.page.getByRole("complementary", { name: "Search" }).waitFor();
      await assertFits(phone.page, "search panel");
      await e2e.shot(phone.page, "layout-03-phone-search");
      await phone.page.getByRole("button", { name: "Close" }).tap();
      await list.waitFor();
      await sleep(800);
      await eventually(async () => {
        const after = await geometry(phone.page);
        assert.ok(Math.abs(after.top - before.top) <= 2, `kept ${before.top}, now ${after.top}`);
      });
      await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
      await sleep(300);
    });

    await step("a newly arrived image is seen whole, on the desktop and on the phone", async () => {
      await logIn(desk.page, url, "alice@example.com");
      await openChannel(desk.page, "general", GENERAL);
      await messageRow(desk.page, "older filler line 40").waitFor();
      await logIn(bob.page, url, "bob@example.com");
      await openChannel(bob.page, "general", GENERAL);
      await sleep(500);
      for (const p of [desk, phone]) {
        await eventually(async () =>
          assert.ok((await geometry(p.page)).fromBottom < 5, "both start at the end")
        );
      }
      const everyone = [[desk, "desktop"], [phone, "phone"], [bob, "sender"]] as const;
      await attach(bob.page, [{ name: "sunrise.png", type: "image/png", kind: "png" }]);
      await send(bob.page, "look at this sunrise");
      await messageRow(phone.page, "look at this sunrise").locator("img.thumb").waitFor();
      for (const [p, who] of everyone) await assertImageInView(p.page, who);
      // An image alone, portrait: it was left cut off below the fold for its sender.
      await attach(bob.page, [{ name: "tall-tower.png", type: "image/png", kind: "png" }]);
      await bob.page.getByRole("button", { name: "Send", exact: true }).click();
      await phone.page.locator("li.message img.thumb[height='240'][width='80']").waitFor();
      for (const [p, who] of everyone) await assertImageInView(p.page, `${who}, image alone`);
      await e2e.shot(phone.page, "layout-04-phone-image");
    });

    await step("audio knows its length before playing; a PDF card keeps its height", async () => {
      await attach(bob.page, [{ name: "voice-note.wav", type: "audio/wav", kind: "wav" }]);
      await send(bob.page, "a voice note");
      await attach(bob.page, [
        { name: "poster.png", type: "image/png", kind: "png" },
        { name: "minutes.pdf", type: "application/pdf", kind: "pdf" },
      ]);
      await send(bob.page, "the minutes and the poster");
      const audio = messageRow(desk.page, "a voice note").locator("audio.attachment");
      await audio.waitFor();
      // Its metadata loads after the element shows.
      await eventually(async () => {
        const sound = await audio.evaluate((el) => {
          const a = el as HTMLAudioElement;
          return {
            duration: a.duration,
            paused: a.paused,
            width: a.getBoundingClientRect().width,
          };
        });
        assert.ok(sound.paused, "not played");
        assert.ok(sound.width >= 250, `the player has room for the length (${sound.width} px)`);
        assert.ok(
          Number.isFinite(sound.duration) && Math.abs(sound.duration - 2) < 0.1,
          `the duration is known before playing (${sound.duration})`,
        );
      });
      const row = messageRow(desk.page, "the minutes and the poster");
      const card = row.locator("a.attachment.file", { hasText: "minutes.pdf" });
      await card.waitFor();
      await row.locator("img.thumb").waitFor();
      await sleep(300);
      await eventually(async () => {
        const h = {
          card: (await card.boundingBox())!.height,
          image: (await row.locator("img.thumb").boundingBox())!.height,
        };
        assert.ok(h.image > 100, `the image is tall (${h.image})`);
        assert.ok(h.card < 60, `the card is as tall as its text (${h.card} px), not the row`);
      });
      await e2e.shot(desk.page, "layout-05-attachments");
    });

    await step(
      "desktop: the admin users table fits at 1280 px; a role change says so",
      async () => {
        const list = desk.page.locator(".messages");
        const before = await geometry(desk.page);
        await desk.page.locator(".me").getByRole("button", { name: "Admin" }).click();
        await desk.page.getByRole("tab", { name: "Users" }).click();
        const wrap = desk.page.locator(".admin-users .admin-table-wrap");
        await wrap.locator("tbody tr", { hasText: "@carol" }).waitFor();
        const deactivate = wrap.getByRole("button", { name: "Deactivate carol" });
        await eventually(async () => {
          const fit = await wrap.evaluate((el) => ({
            client: el.clientWidth,
            scroll: el.scrollWidth,
            right: el.getBoundingClientRect().right,
          }));
          assert.ok(fit.scroll <= fit.client, `the table fits (${fit.scroll} > ${fit.client})`);
          assert.ok(fit.right <= 1280, `inside the window (${fit.right})`);
          const d = (await deactivate.boundingBox())!;
          assert.ok(d.x + d.width <= fit.right, "the last column is in view");
        });
        await e2e.shot(desk.page, "layout-06-admin-users");

        const select = wrap.getByRole("combobox", { name: "Role of carol" });
        await select.selectOption("moderator");
        const status = desk.page.locator(".admin-users").getByRole("status");
        await status.filter({ hasText: /carol.*Moderator/ }).waitFor();
        assert.equal(await select.inputValue(), "moderator");
        await select.selectOption("user");
        await status.filter({ hasText: /carol.*User/ }).waitFor();
        await e2e.shot(desk.page, "layout-07-admin-role-changed");

        await desk.page.getByRole("button", { name: "Close" }).click();
        await list.waitFor();
        await sleep(500);
        await eventually(async () => {
          const after = await geometry(desk.page);
          assert.ok(after.fromBottom < 5 || Math.abs(after.top - before.top) <= 2, "chat kept");
        });
      },
    );

    await step("admin: a report names the message's author and its channel", async () => {
      await logIn(carol.page, url, "carol@example.com");
      await openChannel(carol.page, "general", GENERAL);
      const target = messageRow(carol.page, "Hi all 👋 Bob here");
      await target.hover();
      await target.getByRole("button", { name: "Report message" }).click();
      await carol.page.getByLabel("Why are you reporting this message?").fill("too cheerful");
      await carol.page.getByRole("button", { name: "Send report" }).click();
      await carol.page.getByText("The moderators will look at it.").waitFor();

      await desk.page.locator(".me").getByRole("button", { name: "Admin" }).click();
      await desk.page.getByRole("tab", { name: "Reports" }).click();
      const report = desk.page.locator(".admin-report", { hasText: "too cheerful" });
      await report.waitFor();
      await report.getByText("Bob Builder").waitFor();
      await report.getByText("@bob").waitFor();
      await report.getByText("#general").waitFor();
      await e2e.shot(desk.page, "layout-08-admin-report");
    });

    await step("phone: the admin view fits 390 px", async () => {
      await phone.page.getByRole("button", { name: "Back to channels" }).tap();
      await phone.page.locator(".me").getByRole("button", { name: "Admin" }).tap();
      await phone.page.locator(".admin-report", { hasText: "too cheerful" }).waitFor();
      await assertFits(phone.page, "admin reports");
      await e2e.shot(phone.page, "layout-09-phone-admin-reports");
      await phone.page.getByRole("tab", { name: "Users" }).tap();
      await phone.page.locator(".admin-users tbody tr").first().waitFor();
      await assertFits(phone.page, "admin users");
      await eventually(async () => {
        const wrap = await phone.page.locator(".admin-users .admin-table-wrap").evaluate((
          el,
        ) => ({
          right: el.getBoundingClientRect().right,
          overflow: getComputedStyle(el).overflowX,
        }));
        assert.ok(wrap.right <= PHONE.width, "the table's scroller is on screen");
        assert.equal(wrap.overflow, "auto", "the table scrolls sideways within it");
      });
      await e2e.shot(phone.page, "layout-10-phone-admin-users");
    });

    await step("the channel summary shows one line per point", async () => {
      // The admin view is open beside the sidebar: back to the conversation first.
      await desk.page.getByRole("button", { name: "Close" }).click();
      await desk.page.locator(".conv-header").getByRole("button", { name: "Members" }).click();
      await desk.page.getByRole("button", { name: "Summarise recent messages" }).click();
      const summary = desk.page.locator(".summary");
      await summary.waitFor();
      await eventually(async () => {
        const lines = (await summary.innerText()).split("\n").map((s) => s.trim())
          .filter(Boolean);
        assert.ok(lines.length >= 2, `several lines (${JSON.stringify(lines)})`);
        for (const l of lines) assert.match(l, /^[\w.-]+: /, `each line is one point: ${l}`);
      });
      await e2e.shot(desk.page, "layout-11-summary");
      await desk.page.getByRole("button", { name: "Close" }).click();
    });

    await step("no errors in the consoles", () => {
      for (const p of people) {
        assert.deepEqual(p.errors.filter((e) => !/Failed to load resource/.test(e)), []);
      }
    });
  },
});
