/// <reference lib="dom" />
/**
 * Pins and saved messages in Chromium (issue 14), in #general. Bob pins Alice's message from its
 * toolbar: it is marked "Pinned" and Alice's header counts it, live, and her pinned list shows it
 * (a second pin arrives while the list is open); a pin opens the conversation at its message;
 * Bob unpins and the count and list follow. Alice saves a message: the Saved panel (from the
 * sidebar) lists it and opens it from another conversation. On a phone (390×844) Carol sees the
 * count, opens the list, and a pin closes the panel and shows the message; her saved message
 * opens the same way.
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

const GENERAL = "c0000000-0000-4000-8000-0000000000a1"; // alice, bob, carol, dave
const MODS = "c0000000-0000-4000-8000-0000000000a3"; // alice, bob
const PHONE = { width: 390, height: 844 };
const FIRST = "Pin this: the launch checklist lives in the wiki";
const SECOND = "And this one: the release is on Thursday";
const KEEP = "A recipe worth keeping for later";

const realErrors = (p: Person) => p.errors.filter((e) => !/Failed to load resource/.test(e));

async function until(check: () => Promise<boolean>, what: string, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const pinsButton = (page: Page) => page.locator(".conv-header button.pins-button");
const pinsLabel = async (page: Page) => (await pinsButton(page).getAttribute("aria-label")) ?? "";
const pinsPanel = (page: Page) => page.getByRole("complementary", { name: "Pinned messages" });
const savedPanel = (page: Page) => page.getByRole("complementary", { name: "Saved messages" });
const itemsOf = (panel: ReturnType<typeof pinsPanel>) => panel.locator("li.preview");

/** Opens the row's toolbar (hover with a mouse, a click on a phone) and presses `name`. */
async function act(page: Page, text: string, name: string, phone = false) {
  const row = messageRow(page, text);
  if (phone) await row.locator(".content").click();
  else await row.hover();
  await row.locator(".actions").getByRole("button", { name, exact: true }).click();
}

/**
 * The highlighted message holding `text` is in view (a jump landed on it). It is scrolled to by
 * an effect after it is highlighted, and the highlight goes after a few seconds.
 */
async function jumpedTo(page: Page, text: string) {
  await page.locator("li.message.highlight", { hasText: text }).waitFor();
  await eventually(() =>
    messageRow(page, text).evaluate((el) => {
      const r = el.getBoundingClientRect();
      if (r.bottom < 0 || r.top > innerHeight) throw new Error("the message is not in view");
    })
  );
}

Deno.test({
  name: "pins and saved: live count and list, unpin, saved panel, jumps, desktop and phone",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using e2e = await startE2E();
    const url = e2e.stack.url;
    const alice = await e2e.person();
    const bob = await e2e.person();
    const carol = await e2e.person({ viewport: PHONE });
    const people = [alice, bob, carol];
    const step = sequence(t, e2e, people, "pins");

    await step("Alice and Bob open #general; Alice writes three messages", async () => {
      await logIn(alice.page, url, "alice@example.com");
      await logIn(bob.page, url, "bob@example.com");
      await openChannel(alice.page, "general", GENERAL);
      await openChannel(bob.page, "general", GENERAL);
      for (const text of [FIRST, SECOND, KEEP]) {
        await send(alice.page, text);
        await messageRow(bob.page, text).waitFor();
      }
      // The count comes with the channel's pins, fetched after it opens.
      await eventually(async () =>
        assert.match(await pinsLabel(alice.page), /Pinned messages \(0\)/)
      );
    });

    await step("Bob pins: the message is marked and Alice's count follows live", async () => {
      const t0 = Date.now();
      await act(bob.page, FIRST, "Pin");
      await messageRow(bob.page, FIRST).getByRole("img", { name: "Pinned" }).waitFor();
      await until(async () => /\(1\)/.test(await pinsLabel(alice.page)), "Alice's count of 1");
      console.log(`pin count shown to the other member after ${Date.now() - t0} ms`);
      assert.equal(await pinsButton(alice.page).locator(".pin-count").innerText(), "1");
      await messageRow(alice.page, FIRST).getByRole("img", { name: "Pinned" }).waitFor();
      // The toolbar now offers to unpin.
      await messageRow(bob.page, FIRST).hover();
      await messageRow(bob.page, FIRST).locator(".actions")
        .getByRole("button", { name: "Unpin", exact: true }).waitFor();
    });

    await step("Alice opens the list; a second pin arrives in it live", async () => {
      await pinsButton(alice.page).click();
      const panel = pinsPanel(alice.page);
      await itemsOf(panel).filter({ hasText: FIRST }).waitFor();
      await eventually(async () =>
        assert.match(await itemsOf(panel).first().innerText(), /Pinned by Bob/)
      );
      await act(bob.page, SECOND, "Pin");
      await itemsOf(panel).filter({ hasText: SECOND }).waitFor();
      await eventually(async () => {
        assert.equal(await itemsOf(panel).count(), 2);
        assert.match(
          await itemsOf(panel).first().innerText(),
          /release is on Thursday/,
          "newest pin first",
        );
      });
      await until(async () => /\(2\)/.test(await pinsLabel(alice.page)), "a count of 2");
      await e2e.shot(alice.page, "pins-01-list");
    });

    await step("a pin opens the conversation at its message", async () => {
      const panel = pinsPanel(alice.page);
      await itemsOf(panel).filter({ hasText: FIRST }).locator("button.hit").click();
      await jumpedTo(alice.page, FIRST);
      assert.equal(await panel.isVisible(), true, "on a wide screen the list stays open");
    });

    await step("Bob unpins: Alice's list and count follow", async () => {
      await act(bob.page, FIRST, "Unpin");
      const panel = pinsPanel(alice.page);
      await itemsOf(panel).filter({ hasText: FIRST }).waitFor({ state: "detached" });
      assert.equal(await itemsOf(panel).count(), 1);
      await until(async () => /\(1\)/.test(await pinsLabel(alice.page)), "a count of 1");
      await messageRow(alice.page, FIRST).getByRole("img", { name: "Pinned" })
        .waitFor({ state: "detached" });
      // Alice, the channel's owner, may unpin a pin of Bob's.
      await itemsOf(panel).filter({ hasText: SECOND }).getByRole("button", { name: "Unpin" })
        .click();
      await until(async () => /\(0\)/.test(await pinsLabel(bob.page)), "Bob's count of 0");
      await panel.getByText("Nothing is pinned here yet").waitFor();
    });

    await step("Alice saves a message; the Saved panel lists it and jumps to it", async () => {
      await act(alice.page, KEEP, "Save");
      await messageRow(alice.page, KEEP).getByRole("img", { name: "Saved" }).waitFor();
      // Saved is private: Bob's row shows no mark.
      assert.equal(
        await messageRow(bob.page, KEEP).getByRole("img", { name: "Saved" }).count(),
        0,
      );
      await openChannel(alice.page, "moderators", MODS);
      await alice.page.getByRole("complementary", { name: "Sidebar" }).or(
        alice.page.locator("aside.sidebar"),
      ).first().getByRole("button", { name: "Saved messages" }).click();
      const panel = savedPanel(alice.page);
      await itemsOf(panel).filter({ hasText: KEEP }).waitFor();
      assert.equal(await itemsOf(panel).count(), 1);
      await e2e.shot(alice.page, "pins-02-saved");
      await itemsOf(panel).filter({ hasText: KEEP }).locator("button.hit").click();
      await alice.page.locator(".conv-title h2", { hasText: "general" }).waitFor();
      await jumpedTo(alice.page, KEEP);
      // Unsaved from the panel: gone from it and from the message.
      await itemsOf(panel).filter({ hasText: KEEP }).getByRole("button", { name: "Unsave" })
        .click();
      await panel.getByText("Nothing saved yet").waitFor();
      await messageRow(alice.page, KEEP).getByRole("img", { name: "Saved" })
        .waitFor({ state: "detached" });
    });

    await step(
      "phone: the count, the list over the conversation, a jump that closes it",
      async () => {
        await act(bob.page, FIRST, "Pin");
        await logIn(carol.page, url, "carol@example.com");
        await openChannel(carol.page, "general", GENERAL);
        await until(async () => /\(1\)/.test(await pinsLabel(carol.page)), "Carol's count");
        assert.ok(await pinsButton(carol.page).isVisible(), "the button fits the phone's header");
        await pinsButton(carol.page).click();
        const panel = pinsPanel(carol.page);
        await itemsOf(panel).filter({ hasText: FIRST }).waitFor();
        assert.equal(await carol.page.locator(".messages").isVisible(), false, "panel covers it");
        await e2e.shot(carol.page, "pins-03-phone-list");
        await itemsOf(panel).filter({ hasText: FIRST }).locator("button.hit").click();
        await panel.waitFor({ state: "detached" });
        await jumpedTo(carol.page, FIRST);
      },
    );

    await step("phone: save from the toolbar, then open it from the Saved panel", async () => {
      await act(carol.page, SECOND, "Save", true);
      await messageRow(carol.page, SECOND).getByRole("img", { name: "Saved" }).waitFor();
      await e2e.shot(carol.page, "pins-04-phone-saved-mark");
      await carol.page.getByRole("button", { name: "Back to conversations" }).or(
        carol.page.locator(".conv-header button.back"),
      ).first().click();
      await carol.page.locator("aside.sidebar").getByRole("button", { name: "Saved messages" })
        .click();
      const panel = savedPanel(carol.page);
      await itemsOf(panel).filter({ hasText: SECOND }).waitFor();
      await e2e.shot(carol.page, "pins-05-phone-saved");
      await itemsOf(panel).filter({ hasText: SECOND }).locator("button.hit").click();
      await panel.waitFor({ state: "detached" });
      await jumpedTo(carol.page, SECOND);
    });

    await step("no errors in the consoles", () => {
      for (const p of people) assert.deepEqual(realErrors(p), []);
    });
  },
});
