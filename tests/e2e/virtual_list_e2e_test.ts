/// <reference lib="dom" />
/**
 * A long history keeps the message list small (issue 14): 3000 messages in #general, read
 * from the newest back to the oldest and down again, hold at most a bounded window of rows in
 * the DOM; the reader's place stays put as pages come and go; a search hit deep in history
 * opens there; ↑ from it moves the focus through messages the window did not hold; and the
 * same on a phone.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  eventually,
  logIn,
  messageRow,
  openChannel,
  type Person,
  send,
  sequence,
  startE2E,
} from "./_browser.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1";
const ALICE = "a11ce000-0000-4000-8000-000000000001";
const BOB = "b0b00000-0000-4000-8000-000000000002";
const COUNT = 3000;
const OLDEST = "the very first message of the long history";
/** Message 700 of the 3000: far from both ends. */
const DEEP = 700;
const DEEP_HIT = "a zebra crossing deep in the history";
/** Rows the list may hold at most (the window is 3 pages of 50). */
const BOUND = 150;

// (A service worker's script not in this build is another feature's, not this list's.)
const realErrors = (p: Person) =>
  p.errors.filter((e) => !/Failed to load resource|when fetching the script/.test(e));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` (the page's CSP forbids string evaluation, so no waitForFunction). */
async function until(check: () => Promise<boolean>, what: string, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const rowCount = (page: Page) => page.locator("li.message").count();
/** The text of filler message `n` (ended, so that 69 is not 698). */
const text = (n: number) => `history message ${n};`;
/** The row of filler message `n`. */
const numbered = (page: Page, n: number) => messageRow(page, text(n));

/** The first row seen at the top of the list, and how far below the list's top it is. */
const topRow = (page: Page) =>
  page.locator(".messages").evaluate((box) => {
    const top = box.getBoundingClientRect().top;
    for (const li of box.querySelectorAll<HTMLElement>("li.message")) {
      const r = li.getBoundingClientRect();
      if (r.bottom > top) return { id: li.id, offset: r.top - top, scrollTop: box.scrollTop };
    }
    return { id: "", offset: 0, scrollTop: box.scrollTop };
  });

const inView = (page: Page, text: string | RegExp) =>
  messageRow(page, text).evaluate((el) => {
    // (A pending row may be swapped for the stored one meanwhile: not in view yet.)
    const list = el.closest(".messages");
    if (!list) return false;
    const box = list.getBoundingClientRect();
    const r = el.getBoundingClientRect();
    return r.bottom > box.top && r.top < box.bottom;
  });

/**
 * Scrolls to the top until `done`, page after page; answers the most rows seen and the places
 * kept (each page that came above left the row the reader saw where it was).
 */
async function scrollUpUntil(page: Page, done: () => Promise<boolean>, ms = 180_000) {
  const list = page.locator(".messages");
  const end = Date.now() + ms;
  let most = 0;
  let pages = 0;
  while (!(await done())) {
    if (Date.now() > end) throw new Error("timed out scrolling up");
    await list.evaluate((el) => (el.scrollTop = 0));
    const before = await topRow(page);
    // A page comes above: the row that was at the top stays there.
    await until(async () => (await topRow(page)).scrollTop > 0 || await done(), "a page above");
    if (await done()) break;
    const after = await page.locator(`#${before.id}`).evaluate((li) => {
      const box = li.closest(".messages")!.getBoundingClientRect();
      return li.getBoundingClientRect().top - box.top;
    });
    assert.ok(
      Math.abs(after - before.offset) <= 2,
      `the row seen stayed put as a page came (${before.offset} → ${after})`,
    );
    pages++;
    most = Math.max(most, await rowCount(page));
  }
  return { most: Math.max(most, await rowCount(page)), pages };
}

async function scrollDownUntil(page: Page, done: () => Promise<boolean>, ms = 180_000) {
  const list = page.locator(".messages");
  const end = Date.now() + ms;
  let most = 0;
  while (!(await done())) {
    if (Date.now() > end) throw new Error("timed out scrolling down");
    await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await sleep(100);
    most = Math.max(most, await rowCount(page));
  }
  return Math.max(most, await rowCount(page));
}

const focusedText = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return el?.tagName === "LI" ? el.textContent ?? "" : "";
  });

Deno.test({
  name: "a long history keeps the DOM small: scroll to the oldest and back, jump, keyboard, phone",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using e2e = await startE2E();
    const url = e2e.stack.url;
    const alice = await e2e.person();
    const people: Person[] = [alice];
    const step = sequence(t, e2e, people, "virtual-list");

    await step(`history: ${COUNT} messages in #general over four days`, async () => {
      const db = e2e.stack.db!.admin;
      await db`
        insert into public.messages (channel_id, sender_id, content, client_id, created_at)
        select ${GENERAL}, case when i % 3 = 0 then ${BOB}::uuid else ${ALICE}::uuid end,
          case i when 1 then ${OLDEST} when ${DEEP} then ${DEEP_HIT}
            else 'history message ' || i || ';' end,
          'virtual-seed-' || i, now()
        from generate_series(1, ${COUNT}) i`;
      // Two minutes apart, ending now (triggers off for the back-dating): day separators.
      await db.begin(async (tx) => {
        await tx`set local session_replication_role = replica`;
        await tx`update public.messages
          set created_at = now() - (${COUNT} - substr(client_id, 14)::int) * interval '2 minutes'
          where client_id like 'virtual-seed-%'`;
      });
    });

    await step("scrolling up to the oldest keeps the rows in the DOM bounded", async () => {
      const page = alice.page;
      await logIn(page, url, "alice@example.com");
      await openChannel(page, "general", GENERAL);
      await numbered(page, COUNT).waitFor();
      const started = Date.now();
      const { most, pages } = await scrollUpUntil(
        page,
        async () => (await messageRow(page, OLDEST).count()) > 0,
      );
      console.log(
        `scrolled up ${pages} pages in ${Date.now() - started} ms; at most ${most} rows held`,
      );
      assert.ok(pages >= 50, `page after page (${pages})`);
      assert.ok(most <= BOUND, `at most ${BOUND} rows in the DOM (${most})`);
      await page.locator(".messages").evaluate((el) => (el.scrollTop = 0));
      await until(() => inView(page, OLDEST), "the oldest in view");
      assert.equal(await numbered(page, COUNT).count(), 0, "the newest left the DOM");
      assert.ok(await page.locator("li.day").count() >= 1, "day separators");
      assert.ok(await page.locator("li.message.compact").count() >= 1, "compact rows");
      const ids = await page.locator("li.message[data-id]").evaluateAll((els) =>
        els.map((e) => Number(e.getAttribute("data-id")))
      );
      assert.equal(new Set(ids).size, ids.length, "no message twice");
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b), "in order");
      await e2e.shot(page, "virtual-list-01-oldest");
    });

    await step("back down to the newest: still bounded, and new messages follow", async () => {
      const page = alice.page;
      const most = await scrollDownUntil(
        page,
        async () =>
          (await numbered(page, COUNT).count()) > 0 &&
          (await page.locator("button.jump-latest").count()) === 0,
      );
      assert.ok(most <= BOUND, `at most ${BOUND} rows in the DOM (${most})`);
      await page.locator(".messages").evaluate((el) => (el.scrollTop = el.scrollHeight));
      await send(page, "back at the newest after the long scroll");
      await messageRow(page, "back at the newest after the long scroll").waitFor();
      await until(() => inView(page, "back at the newest after the long scroll"), "followed");
      assert.ok((await rowCount(page)) <= BOUND + 1);
    });

    await step("a search hit deep in the history opens there", async () => {
      const page = alice.page;
      await page.locator(".conv-header").getByRole("button", { name: "Search messages" }).click();
      const box = page.getByRole("combobox", { name: "Words or a phrase" });
      await box.pressSequentially("zebra crossing", { delay: 20 });
      await page.locator(".search-panel button.hit", { hasText: "zebra" }).first().click();
      const target = page.locator("li.message.highlight", { hasText: DEEP_HIT });
      await target.waitFor();
      await until(() => inView(page, DEEP_HIT), "the hit in view");
      assert.ok((await rowCount(page)) <= BOUND);
      assert.equal(await numbered(page, DEEP - 100).count(), 0, "far older is not held");
      await e2e.shot(page, "virtual-list-02-jump");
    });

    await step("↑ from the hit moves through messages the window did not hold", async () => {
      const page = alice.page;
      const box = page.getByRole("combobox", { name: "Words or a phrase" });
      if (await box.count()) {
        await box.focus();
        await page.keyboard.press("Escape");
      }
      await page.locator(`li.message`, { hasText: DEEP_HIT }).focus();
      const steps = 120;
      for (let i = 1; i <= steps; i++) {
        await page.keyboard.press("ArrowUp");
        const want = text(DEEP - i);
        await until(async () => (await focusedText(page)).includes(want), `message ${DEEP - i}`);
      }
      assert.ok((await rowCount(page)) <= BOUND, "still bounded");
      await eventually(async () => assert.ok(await inView(page, text(DEEP - steps))));
      // And down again past the hit, into newer pages.
      for (let i = steps - 10; i >= -60; i -= 10) {
        await page.keyboard.press("PageDown");
        const n = DEEP - i;
        const want = n === DEEP ? DEEP_HIT : text(n);
        await until(async () => (await focusedText(page)).includes(want), `message ${n}`);
      }
      assert.ok((await rowCount(page)) <= BOUND, "still bounded");
      await eventually(async () =>
        assert.equal(await page.locator("li.message[tabindex='0']").count(), 1, "one tab stop")
      );
      await e2e.shot(page, "virtual-list-03-keyboard");
    });

    const phone = await e2e.person({ viewport: { width: 390, height: 844 } });
    people.push(phone);

    await step("phone: pages above keep the place, the DOM stays bounded", async () => {
      const page = phone.page;
      await logIn(page, url, "bob@example.com");
      await openChannel(page, "general", GENERAL);
      await numbered(page, COUNT).waitFor();
      const { most } = await scrollUpUntil(
        page,
        async () => (await numbered(page, COUNT - 400).count()) > 0,
      );
      assert.ok(most <= BOUND, `at most ${BOUND} rows (${most})`);
      const list = page.locator(".messages");
      await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
      await until(async () => (await numbered(page, COUNT - 400).count()) === 0, "a page back");
      await page.locator("button.jump-latest").click();
      await numbered(page, COUNT).waitFor();
      await until(() => inView(page, "back at the newest after the long scroll"), "the newest");
      await e2e.shot(page, "virtual-list-04-phone");
    });

    await step("no errors in the consoles", () => {
      for (const p of people) assert.deepEqual(realErrors(p), []);
    });
  },
});
