/// <reference lib="dom" />
/**
 * Threads in Chromium (issue 14): two people in #general. Bob replies in a thread from Alice's
 * message; Alice sees the reply count and the last replier appear live under it, and the reply
 * stays out of the main flow for both. Alice (who took part: the root is hers) sees the thread
 * marked "New" and, in the panel, a "New replies" line above Bob's reply. Her reply with "Also
 * send to the channel" shows in the thread and in the main flow. On a phone (390×844) the panel
 * fills the screen and its composer works.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  eventually,
  logIn,
  messageRow,
  openChannel,
  send,
  sequence,
  startE2E,
} from "./_browser.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1";
const PHONE = { width: 390, height: 844 };

async function until(check: () => Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const panel = (page: Page) => page.getByRole("complementary", { name: "Thread" });
const replyIn = (page: Page, text: string) =>
  panel(page).locator("li.thread-message").filter({ hasText: text });
const summaryOf = (page: Page, text: string) =>
  messageRow(page, text).locator("button.thread-summary");

async function replyInThread(page: Page, text: string, also = false) {
  const box = panel(page).getByRole("textbox", { name: "Reply" });
  await box.fill(text);
  if (also) await panel(page).getByLabel("Also send to the channel").check();
  await panel(page).getByRole("button", { name: "Send reply" }).click();
  await replyIn(page, text).waitFor();
}

Deno.test({
  name: "threads: reply in a side panel, live summary, out of the main flow, unread, phone",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using e2e = await startE2E();
    const url = e2e.stack.url;
    const alice = await e2e.person();
    const bob = await e2e.person();
    const carol = await e2e.person({ viewport: PHONE });
    const step = sequence(t, e2e, [alice, bob, carol], "threads");
    const ROOT = "Where do we meet on Friday?";

    await step("both open #general; Alice writes the root", async () => {
      await logIn(alice.page, url, "alice@example.com");
      await logIn(bob.page, url, "bob@example.com");
      await openChannel(alice.page, "general", GENERAL);
      await openChannel(bob.page, "general", GENERAL);
      await send(alice.page, ROOT);
      await messageRow(bob.page, ROOT).waitFor();
    });

    await step("Bob replies in a thread; Alice sees the count and the replier live", async () => {
      const row = messageRow(bob.page, ROOT);
      await row.hover();
      await row.getByRole("button", { name: "Reply in thread" }).click();
      await panel(bob.page).waitFor();
      await panel(bob.page).locator("li.thread-message").filter({ hasText: ROOT }).waitFor();
      const t0 = Date.now();
      await replyInThread(bob.page, "At the old bridge");
      await until(async () => (await summaryOf(alice.page, ROOT).count()) > 0);
      console.log(`reply count shown to the other person after ${Date.now() - t0} ms`);
      const summary = summaryOf(alice.page, ROOT);
      await eventually(async () => assert.match(await summary.innerText(), /1 reply/));
      await until(async () =>
        /Bob/.test(
          (await summary.locator(".thread-repliers").getAttribute("title")) ?? "",
        )
      );
      await eventually(async () =>
        assert.match(await summary.innerText(), /New/, "Alice took part (her root): it is new")
      );
      await e2e.shot(alice.page, "threads-summary");
    });

    await step("the reply stays out of the main flow for both", async () => {
      for (const p of [alice.page, bob.page]) {
        assert.equal(await messageRow(p, "At the old bridge").count(), 0);
      }
      await alice.page.reload();
      await messageRow(alice.page, ROOT).waitFor();
      assert.equal(await messageRow(alice.page, "At the old bridge").count(), 0, "after a reload");
      // Whether it is new comes with the thread's read state, after the row.
      await eventually(async () =>
        assert.match(await summaryOf(alice.page, ROOT).innerText(), /1 reply.*New/s)
      );
    });

    await step("Alice opens the thread: a New replies line above Bob's reply", async () => {
      await summaryOf(alice.page, ROOT).click();
      await replyIn(alice.page, "At the old bridge").waitFor();
      const line = panel(alice.page).locator("li.thread-new");
      await line.waitFor();
      assert.equal(
        await panel(alice.page).locator("li.thread-new + li.thread-message").innerText().then(
          (s) => s.includes("At the old bridge"),
        ),
        true,
      );
      await until(async () =>
        (await summaryOf(alice.page, ROOT).innerText()).includes("New") ===
          false
      );
      await e2e.shot(alice.page, "threads-panel");
    });

    await step("'Also send to the channel' shows in the thread and in the main flow", async () => {
      await replyInThread(alice.page, "Bridge it is, 6 pm", true);
      await messageRow(alice.page, "Bridge it is, 6 pm").waitFor();
      await messageRow(bob.page, "Bridge it is, 6 pm").waitFor();
      await replyIn(bob.page, "Bridge it is, 6 pm").waitFor();
      await until(async () => /2 replies/.test(await summaryOf(bob.page, ROOT).innerText()));
      await messageRow(bob.page, "Bridge it is, 6 pm").locator("button.thread-link").waitFor();
    });

    await step("on a phone the panel fills the screen and its composer works", async () => {
      await logIn(carol.page, url, "carol@example.com");
      await openChannel(carol.page, "general", GENERAL);
      await summaryOf(carol.page, ROOT).click();
      await panel(carol.page).waitFor();
      const input = panel(carol.page).getByRole("textbox", { name: "Reply" });
      // Measured once the thread has loaded into the panel.
      await eventually(async () => {
        const box = await panel(carol.page).boundingBox();
        assert.ok(
          box && box.x >= 0 && box.width <= PHONE.width + 1,
          `panel ${JSON.stringify(box)}`,
        );
        const ib = await input.boundingBox();
        assert.ok(
          ib && ib.x >= 0 && ib.x + ib.width <= PHONE.width,
          `composer ${JSON.stringify(ib)}`,
        );
        const overflow = await carol.page.evaluate(() =>
          document.documentElement.scrollWidth - document.documentElement.clientWidth
        );
        assert.equal(overflow, 0, "nothing sticks out sideways");
      });
      await replyInThread(carol.page, "I'll bring snacks");
      await e2e.shot(carol.page, "threads-phone");
      await until(async () => /3 replies/.test(await summaryOf(bob.page, ROOT).innerText()));
      await panel(carol.page).getByRole("button", { name: "Close" }).click();
      await messageRow(carol.page, ROOT).waitFor();
      assert.equal(await messageRow(carol.page, "I'll bring snacks").count(), 0);
    });

    await step("no console errors", () => {
      for (const p of [alice, bob, carol]) {
        assert.deepEqual(p.errors.filter((e) => !/favicon/.test(e)), []);
      }
    });
  },
});
