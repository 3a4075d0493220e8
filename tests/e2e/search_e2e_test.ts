/// <reference lib="dom" />
/**
 * Search as you type in Chromium, on the seeded demo accounts with 200 older messages in
 * #general: results come without Enter; filters typed as chips narrow them (and say when
 * nothing matches); a slow earlier answer never replaces the newer one; ↑/↓/Enter open hits;
 * an old hit loads the page around it, highlighted, with paging both ways from there; and on a
 * phone, closing search leaves the conversation where it was, and a hit closes the panel.
 */
import assert from "node:assert/strict";
import type { Page, Request } from "playwright-core";
import {
  eventually,
  logIn,
  messageRow,
  openChannel,
  type Person,
  sequence,
  startE2E,
} from "./_browser.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1"; // alice, bob, carol, dave
const ALICE = "a11ce000-0000-4000-8000-000000000001";
const BOB = "b0b00000-0000-4000-8000-000000000002";
/** Filler number 60 is an old hit (not in the latest page), 190 a recent one (in it). */
const OLD_HIT = "the quokka migration plan, part 60";
const NEW_HIT = "a quokka sighting near the lake";

const realErrors = (p: Person) => p.errors.filter((e) => !/Failed to load resource/.test(e));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` (the page's CSP forbids string evaluation, so no waitForFunction). */
async function until(check: () => Promise<boolean>, what: string, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const panel = (page: Page) => page.locator(".search-panel");
const box = (page: Page) => page.getByRole("combobox", { name: "Words or a phrase" });
const hits = (page: Page) => panel(page).locator("button.hit");
const status = (page: Page) => panel(page).getByRole("status");
const searches = (page: Page) => {
  const seen: string[] = [];
  page.on("request", (r: Request) => {
    const u = new URL(r.url());
    if (u.pathname.endsWith("/api/search")) seen.push(u.search);
  });
  return seen;
};

async function openSearch(page: Page) {
  await page.locator(".conv-header").getByRole("button", { name: "Search messages" }).click();
  await box(page).waitFor();
}

/** The message list's scroll geometry. */
const geometry = (page: Page) =>
  page.locator(".messages").evaluate((el) => ({
    top: el.scrollTop,
    fromBottom: el.scrollHeight - el.scrollTop - el.clientHeight,
    rows: el.querySelectorAll("li.message").length,
  }));

Deno.test({
  name: "search as you type: chips, stale answers dropped, keyboard, jump around an old hit, phone",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using e2e = await startE2E();
    const url = e2e.stack.url;
    console.log(`stack on ${url}`);
    assert.doesNotMatch(url, /:54321$/, "the stack runs on a port of its own");
    const alice = await e2e.person();
    const people: Person[] = [alice];
    const step = sequence(t, e2e, people, "search");
    const asked = searches(alice.page);

    await step("history: 200 older messages in #general, two of them about a quokka", async () => {
      await e2e.stack.db!.admin`
        insert into public.messages (channel_id, sender_id, content, client_id, created_at)
        select ${GENERAL}, case when i = 60 or i % 2 = 1 then ${BOB}::uuid else ${ALICE}::uuid end,
          case i when 60 then ${OLD_HIT} when 190 then ${NEW_HIT}
            else 'filler message ' || i end,
          'search-seed-' || i, now()
        from generate_series(1, 200) i`;
      // Two days old (the insert trigger stamps now(); triggers off for the back-dating).
      await e2e.stack.db!.admin.begin(async (tx) => {
        await tx`set local session_replication_role = replica`;
        await tx`update public.messages
          set created_at = now() - interval '2 days' + substr(client_id, 13)::int * interval '1 minute'
          where client_id like 'search-seed-%'`;
      });
    });

    await step("typing gives results without pressing Enter", async () => {
      await logIn(alice.page, url, "alice@example.com");
      await openChannel(alice.page, "general", GENERAL);
      await messageRow(alice.page, "filler message 200").waitFor();
      await openSearch(alice.page);
      await box(alice.page).pressSequentially("quokka", { delay: 40 });
      await hits(alice.page).nth(1).locator("mark", { hasText: /quokka/i }).waitFor();
      assert.equal(await hits(alice.page).count(), 2);
      await status(alice.page).filter({ hasText: "2 results" }).waitFor();
      assert.ok(asked.length >= 1 && asked.length < 6, `one request per pause (${asked.length})`);
      await e2e.shot(alice.page, "search-01-as-you-type");
    });

    await step(
      "from:bob becomes a chip and keeps only Bob's hit; removing it brings both back",
      async () => {
        await box(alice.page).pressSequentially(" from:bob ", { delay: 20 });
        const chip = panel(alice.page).locator(".chips li", { hasText: "from:bob" });
        await chip.waitFor();
        await eventually(async () =>
          assert.equal(await box(alice.page).inputValue(), "quokka ", "the filter left the box")
        );
        await until(async () => (await hits(alice.page).count()) === 1, "Bob's hit alone");
        await hits(alice.page).filter({ hasText: "quokka migration plan" }).waitFor();
        assert.match(await hits(alice.page).first().innerText(), /@bob/);
        await e2e.shot(alice.page, "search-02-chip");
        await chip.getByRole("button", { name: "Remove filter from:bob" }).click();
        await until(async () => (await hits(alice.page).count()) === 2, "both hits again");
      },
    );

    await step(
      "date and channel chips; an empty result says so; an unknown name says which",
      async () => {
        const today = await alice.page.evaluate(() => new Date().toLocaleDateString("sv"));
        await box(alice.page).pressSequentially(`in:general after:${today} `, { delay: 10 });
        await status(alice.page).filter({ hasText: "No messages match." }).waitFor();
        assert.equal(await hits(alice.page).count(), 0);
        await panel(alice.page).getByRole("button", { name: `Remove filter after:${today}` })
          .click();
        await box(alice.page).pressSequentially(`before:${today}`, { delay: 10 });
        await box(alice.page).press("Enter");
        await panel(alice.page).locator(".chips li", { hasText: `before:${today}` }).waitFor();
        await until(async () => (await hits(alice.page).count()) === 2, "both hits before today");
        await box(alice.page).pressSequentially("from:nobody_here ", { delay: 10 });
        await panel(alice.page).getByRole("alert").filter({
          hasText: "No one is called @nobody_here",
        })
          .waitFor();
        // Backspace in the empty box takes the last chip away.
        await box(alice.page).fill("");
        for (let i = 0; i < 3; i++) await box(alice.page).press("Backspace");
        await eventually(async () =>
          assert.equal(await panel(alice.page).locator(".chips li").count(), 0)
        );
      },
    );

    await step("a slow earlier answer never replaces the newer one", async () => {
      await box(alice.page).fill("");
      await until(async () => (await hits(alice.page).count()) === 0, "an empty list");
      let slowed = 0;
      let released = false;
      await alice.page.route("**/functions/v1/api/search?**", async (route) => {
        const q = new URL(route.request().url()).searchParams.get("q");
        if (q === "quokka" && !slowed++) {
          await sleep(2000);
          released = true;
        }
        await route.continue();
      });
      await box(alice.page).pressSequentially("quokka", { delay: 20 });
      await until(() => Promise.resolve(slowed === 1), "the first request, held back");
      await box(alice.page).pressSequentially(" migration", { delay: 20 });
      await hits(alice.page).filter({ hasText: "quokka migration plan" }).waitFor();
      await until(() => Promise.resolve(released), "the slow answer let go");
      await sleep(800); // time for the slow answer to arrive and be (not) shown
      assert.equal(await hits(alice.page).count(), 1, "the list is still the newer query's");
      await status(alice.page).filter({ hasText: "1 result" }).waitFor();
      await alice.page.unroute("**/functions/v1/api/search?**");
    });

    await step(
      "↑/↓ move through the hits and Enter opens one; the old hit loads around it",
      async () => {
        const around: string[] = [];
        alice.page.on("request", (r) => {
          if (r.url().includes("around=")) around.push(r.url());
        });
        await box(alice.page).fill("quokka");
        await until(async () => (await hits(alice.page).count()) === 2, "two hits");
        const input = box(alice.page);
        await input.press("ArrowDown");
        await input.press("ArrowDown");
        await input.press("ArrowDown");
        await input.press("ArrowUp");
        const first = hits(alice.page).nth(0);
        await eventually(async () => {
          assert.equal(await first.getAttribute("aria-selected"), "true");
          assert.equal(
            await input.getAttribute("aria-activedescendant"),
            await first.getAttribute("id"),
          );
          assert.equal(await alice.page.getByRole("listbox").getByRole("option").count(), 2);
        });
        // Open the hit that is not held (the old one), whichever place the ranking gave it.
        const oldFirst = /migration/.test(await first.innerText());
        if (!oldFirst) await input.press("ArrowDown");
        await input.press("Enter");
        const target = alice.page.locator("li.message.highlight", { hasText: OLD_HIT });
        await target.waitFor();
        assert.equal(around.length, 1, "one around page");
        // Scrolled to by an effect after it is highlighted (and the highlight is brief).
        await eventually(() =>
          messageRow(alice.page, OLD_HIT).evaluate((el) => {
            const box = el.closest(".messages")!.getBoundingClientRect();
            const r = el.getBoundingClientRect();
            if (r.bottom < box.top || r.top > box.bottom) throw new Error("the hit is not in view");
          })
        );
        const rows = await alice.page.locator("li.message").count();
        assert.ok(rows <= 60, `a page around the hit, not the whole history (${rows})`);
        await messageRow(alice.page, "filler message 35").waitFor();
        assert.equal(await messageRow(alice.page, "filler message 200").count(), 0);
        await e2e.shot(alice.page, "search-03-jump");
        // The highlight is brief.
        await alice.page.locator("li.message.highlight").waitFor({
          state: "detached",
          timeout: 8000,
        });
      },
    );

    await step("from the jump, paging works both ways", async () => {
      const list = alice.page.locator(".messages");
      await until(async () => {
        await list.evaluate((el) => (el.scrollTop = 0));
        return (await messageRow(alice.page, "filler message 20").count()) > 0;
      }, "older pages above the jump");
      await until(async () => {
        await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
        return (await messageRow(alice.page, "filler message 200").count()) > 0;
      }, "newer pages below the jump, up to the newest");
      await eventually(async () => {
        const ids = await alice.page.locator("li.message[data-id]").evaluateAll((els) =>
          els.map((e) => Number(e.getAttribute("data-id")))
        );
        assert.equal(new Set(ids).size, ids.length, "no message twice");
        assert.deepEqual(ids, [...ids].sort((a, b) => a - b), "in order");
      });
    });

    await step("Esc closes the search", async () => {
      await box(alice.page).focus();
      await alice.page.keyboard.press("Escape");
      await panel(alice.page).waitFor({ state: "detached" });
    });

    const bob = await e2e.person({ viewport: { width: 390, height: 844 } });
    people.push(bob);

    await step("phone: closing search keeps the conversation where it was", async () => {
      await logIn(bob.page, url, "bob@example.com");
      await openChannel(bob.page, "general", GENERAL);
      await messageRow(bob.page, "filler message 200").waitFor();
      await sleep(500);
      const list = bob.page.locator(".messages");
      await list.evaluate((el) => (el.scrollTop = el.scrollHeight - el.clientHeight - 1200));
      await sleep(500);
      const before = await geometry(bob.page);
      assert.ok(before.top > 400, `somewhere in the middle (${before.top})`);
      await openSearch(bob.page);
      await eventually(async () =>
        assert.equal(await list.isVisible(), false, "the panel covers the conversation")
      );
      await bob.page.getByRole("button", { name: "Close" }).click();
      await panel(bob.page).waitFor({ state: "detached" });
      await sleep(1000);
      await eventually(async () => {
        const after = await geometry(bob.page);
        assert.ok(Math.abs(after.top - before.top) <= 2, `kept ${before.top}, now ${after.top}`);
        assert.equal(after.rows, before.rows, "no older page loaded");
      });

      // At the bottom, closed with Esc: still at the bottom.
      await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
      await sleep(500);
      await openSearch(bob.page);
      await bob.page.keyboard.press("Escape");
      await panel(bob.page).waitFor({ state: "detached" });
      await sleep(1000);
      await eventually(async () => {
        const bottom = await geometry(bob.page);
        assert.ok(bottom.fromBottom < 5, `still at the bottom (${bottom.fromBottom} px above it)`);
        assert.equal(bottom.rows, before.rows);
      });
      await e2e.shot(bob.page, "search-04-phone-closed");
    });

    await step("phone: opening a hit closes the panel and shows the message", async () => {
      await openSearch(bob.page);
      await box(bob.page).pressSequentially("quokka migration", { delay: 20 });
      await hits(bob.page).first().click();
      await panel(bob.page).waitFor({ state: "detached" });
      await bob.page.locator("li.message.highlight", { hasText: OLD_HIT }).waitFor();
      await eventually(() =>
        messageRow(bob.page, OLD_HIT).evaluate((el) => {
          const r = el.getBoundingClientRect();
          if (r.bottom < 0 || r.top > innerHeight) throw new Error("the hit is not in view");
        })
      );
      await e2e.shot(bob.page, "search-05-phone-jump");
    });

    await step("no errors in the consoles", () => {
      for (const p of people) assert.deepEqual(realErrors(p), []);
    });
  },
});
