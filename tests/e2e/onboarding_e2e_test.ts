/// <reference lib="dom" />
/**
 * Onboarding in Chromium (issue 14, defects 10 and 11, and the phone toolbar of defect 3): one
 * password error on sign-up; a lockout says so and for how long (to the right password only);
 * a new user starts in #general, and someone in no conversation sees a real empty state; on a
 * phone a tap opens one message toolbar, below the text, and presses nothing. Screenshots go to
 * `.local/e2e/`.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  DEMO_PASSWORD,
  type E2E,
  eventually,
  messageRow,
  openChannel,
  type Person,
  seedHistory,
  sequence,
  startE2E,
} from "./_browser.ts";
import { focused, person } from "./_devices.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1";
const BOB = "b0b00000-0000-4000-8000-000000000002";
const NEW_PASSWORD = "Kb-onboard-2024";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Box = { top: number; bottom: number; left: number; right: number };
const overlaps = (a: Box, b: Box) =>
  a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;

/** The message toolbars on screen, and the text boxes of every message. */
const toolbarsAndText = (page: Page) =>
  page.evaluate(() => {
    const box = (e: Element) => {
      const r = e.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
    };
    return {
      toolbars: [...document.querySelectorAll("li.message .actions")]
        .filter((a) => getComputedStyle(a).display !== "none")
        .map((a) => ({ box: box(a), row: a.closest("li")!.id })),
      texts: [...document.querySelectorAll("li.message .content, li.message .meta")].map(box),
    };
  });

Deno.test({
  name:
    "onboarding: one password error on sign-up, lockout, default channel and empty state, phone toolbar",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const e2e: E2E = await startE2E();
    await using _stack = e2e;
    const url = e2e.stack.url;
    const db = e2e.stack.db!;
    const people: Person[] = [];
    const step = sequence(t, e2e, people, "onboarding");

    await step("#general holds 50 more messages from Bob", async () => {
      await seedHistory(db.admin, GENERAL, BOB, "onboarding message", 50);
    });

    await step("sign-up: a password that breaks the rules is said once", async () => {
      const p = await e2e.person();
      people.push(p);
      await p.page.goto(url + "/");
      await p.page.getByRole("button", { name: "Create an account" }).click();
      await p.page.getByLabel("Email").fill("weakling@example.com");
      await p.page.getByLabel("Username").fill("weakling");
      await p.page.getByLabel("Password", { exact: true }).fill("Passwords");
      await p.page.getByRole("button", { name: "Sign up" }).click();
      // Once shown, a while for a second copy to show up if there were one.
      const rules = p.page.getByText("Use at least one letter (a–z) and one digit (0–9).");
      await rules.first().waitFor();
      await sleep(300);
      assert.equal(await rules.count(), 1);
      await eventually(async () => {
        assert.equal((await focused(p.page)).tag, "input", "the password field has the focus");
        assert.equal(
          await p.page.getByLabel("Password", { exact: true }).getAttribute("aria-invalid"),
          "true",
        );
      });
      await p.page.getByLabel("Password", { exact: true }).fill("short");
      await p.page.getByRole("button", { name: "Sign up" }).click();
      const short = p.page.getByText("At least 8 characters, please.");
      await short.first().waitFor();
      await sleep(300);
      assert.equal(await short.count(), 1);
      await p.context.close();
      people.pop();
    });

    await step(
      "lockout: the right password hears the lock and how long; others hear nothing new",
      async () => {
        const admin = e2e.stack.admin();
        const email = "locked.out@example.com";
        const { error } = await admin.auth.admin.createUser({
          email,
          password: NEW_PASSWORD,
          email_confirm: true,
          user_metadata: { username: "locked_out" },
        });
        assert.equal(error, null);
        const c = e2e.stack.client();
        for (let i = 0; i < 5; i++) {
          await c.auth.signInWithPassword({ email, password: `Wrong-pass-${i}` });
        }
        const p = await e2e.person();
        people.push(p);
        const tryLogin = async (who: string, pw: string) => {
          await p.page.goto(url + "/");
          await p.page.getByLabel("Email").fill(who);
          await p.page.getByLabel("Password").fill(pw);
          await p.page.getByRole("button", { name: "Log in" }).click();
          const alert = p.page.getByRole("alert");
          await alert.waitFor();
          return await alert.innerText();
        };
        const right = await tryLogin(email, NEW_PASSWORD);
        assert.match(
          right,
          /^This account is locked after too many failed attempts\. Try again in 1[45] minutes \(at \d{1,2}:\d\d/,
        );
        await e2e.shot(p.page, "onboarding-lockout");
        assert.equal(await tryLogin(email, "Still-wrong-1"), "Wrong email or password.");
        assert.equal(
          await tryLogin("nobody.here@example.com", NEW_PASSWORD),
          "Wrong email or password.",
          "an unknown address hears the same as a wrong password",
        );
        await p.context.close();
        people.pop();
      },
    );

    await step(
      "a new user starts in #general; with no conversation, a real empty state",
      async () => {
        // Signed up and confirmed with the mailed code, as a person does.
        const email = "newcomer@example.com";
        const p = await e2e.person();
        people.push(p);
        await p.page.goto(url + "/");
        await p.page.getByRole("button", { name: "Create an account" }).click();
        await p.page.getByLabel("Email").fill(email);
        await p.page.getByLabel("Username").fill("newcomer");
        await p.page.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
        await p.page.getByRole("button", { name: "Sign up" }).click();
        await p.page.getByRole("heading", { name: "Check your inbox" }).waitFor();
        const [mail] = await e2e.stack.inbox(email);
        const code = /\b(\d{6})\b/.exec(mail!.text)?.[1];
        assert.ok(code, "the mail carries a 6-digit code");
        await p.page.getByLabel("Code from the mail").fill(code);
        await p.page.getByRole("button", { name: "Confirm" }).click();
        await p.page.locator(`[data-channel="${GENERAL}"]`).waitFor();
        await openChannel(p.page, "general", GENERAL);
        await messageRow(p.page, "onboarding message 50").waitFor();
        // Leaving the one conversation leaves the newcomer with none.
        p.page.once("dialog", (d) => d.accept());
        await p.page.getByRole("button", { name: "Members" }).click();
        await p.page.getByRole("button", { name: "Leave channel" }).click();
        const empty = p.page.getByRole("region", { name: "No conversations yet" }).first();
        await empty.waitFor();
        const text = await empty.innerText();
        assert.doesNotMatch(text, /\uFF0B/, "no character the fonts may lack");
        assert.match(text, /Write to someone directly/);
        await e2e.shot(p.page, "onboarding-empty-state");
        await empty.getByRole("button", { name: "Start a conversation" }).click();
        await p.page.getByRole("complementary", { name: "New conversation" }).waitFor();
        await p.context.close();
        people.pop();
      },
    );

    await step("phone: a tap opens one toolbar, below the text, and presses nothing", async () => {
      const p = await person(e2e, { phone: true });
      people.push(p);
      const page = p.page;
      await page.goto(url + "/");
      await page.getByLabel("Email").fill("dave@example.com");
      await page.getByLabel("Password").fill(DEMO_PASSWORD);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.getByRole("navigation", { name: "Channels" }).waitFor();
      await page.locator(`[data-channel="${GENERAL}"]`).tap();
      // By the text node itself: "onboarding message 4" shown at 7:28 reads "onboarding message
      // 47:28" as a whole row, and would match "onboarding message 47".
      const row = (text: string) =>
        page.locator(
          `xpath=//li[contains(@class, "message")][.//p[normalize-space(text()[1]) = "${text}"]]`,
        );
      const a = row("onboarding message 48");
      const b = row("onboarding message 47");
      await a.waitFor();
      // Counted on the tapped rows: the list's own count grows when older history (the seed's
      // reactions, above the first unread) loads in, which is not the tap's doing.
      const reactions = async () =>
        (await a.locator(".reaction").count()) + (await b.locator(".reaction").count());
      // Where a toolbar used to appear: the top right of the message, under the finger.
      const tapAt = async (row: typeof a) => {
        const r = (await row.boundingBox())!;
        await page.touchscreen.tap(r.x + r.width - 40, r.y + 8);
      };
      const aId = await a.getAttribute("id");
      await tapAt(a);
      await sleep(400);
      await eventually(async () => {
        const seen = await toolbarsAndText(page);
        assert.equal(seen.toolbars.length, 1, "one toolbar");
        assert.equal(seen.toolbars[0]!.row, aId, "the tapped message's");
        for (const box of seen.texts) {
          assert.ok(!overlaps(seen.toolbars[0]!.box, box), "the toolbar covers no text");
        }
      });
      assert.equal(await reactions(), 0, "the tap reacted to nothing");
      await e2e.shot(page, "onboarding-phone-toolbar");
      const bId = await b.getAttribute("id");
      await tapAt(b);
      await sleep(400);
      await eventually(async () => {
        const seen = await toolbarsAndText(page);
        assert.equal(seen.toolbars.length, 1, "still one toolbar");
        assert.equal(seen.toolbars[0]!.row, bId);
      });
      assert.equal(await reactions(), 0, "nor did the second");
      // A second tap, on the open toolbar, does press its button.
      await b.getByRole("button", { name: "React with 👍" }).tap();
      await b.locator(".reaction", { hasText: "👍" }).waitFor();
      await p.context.close();
      people.pop();
    });

    for (const p of people) {
      assert.deepEqual(p.errors.filter((e) => !/^HTTP 4\d\d/.test(e)), [], "no page errors");
    }
  },
});
