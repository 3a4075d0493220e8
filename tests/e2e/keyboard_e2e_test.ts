/// <reference lib="dom" />
/**
 * Keyboard, translated errors and onboarding in Chromium (issue 14, defects 9, 10 and 11): the
 * message list is one tab stop with ↑/↓ between messages; skip links; the quick switcher
 * (Ctrl+K / ⌘+K); Esc, ↑ to edit, Alt+↑/↓; delivered and read ticks that differ in shape and
 * name; a German reader sees German for a moderation refusal (with no "retry") and a rate
 * limit; refused files leave the upload tray with a reason; one password error on sign-up; a
 * lockout says so and for how long (to the right password only); a new user starts in
 * #general, and someone in no conversation sees a real empty state; on a phone a tap opens one
 * message toolbar, below the text, and presses nothing. Screenshots go to `.local/e2e/`.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Page } from "playwright-core";
import {
  DEMO_PASSWORD,
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

const GENERAL = "c0000000-0000-4000-8000-0000000000a1";
const BOB = "b0b00000-0000-4000-8000-000000000002";
const PHONE = { width: 390, height: 844 };
const NEW_PASSWORD = "Kb-onboard-2024";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` (no string evaluation in the page: its CSP forbids eval). */
async function until(check: () => Promise<boolean>, what: string, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** What has the focus: its tag, label, classes and id. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return {
      tag: el?.tagName.toLowerCase() ?? "",
      label: el?.getAttribute("aria-label") ?? "",
      cls: el?.className ?? "",
      id: el?.id ?? "",
      text: el?.textContent?.slice(0, 200) ?? "",
    };
  });

/** A browser profile of our own: a phone (touch, no hover) or a German desktop. */
async function person(
  e2e: E2E,
  opts: { phone?: boolean; german?: boolean } = {},
): Promise<Person> {
  const context = await e2e.browser.newContext({
    viewport: opts.phone ? PHONE : { width: 1280, height: 800 },
    ...(opts.phone ? { hasTouch: true, isMobile: true } : {}),
    locale: opts.german ? "de-DE" : "en-US",
    timezoneId: "Europe/Berlin",
  });
  if (opts.german) {
    await context.addInitScript(() => localStorage.setItem("chat.lang", "de"));
  }
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return { context, page, errors };
}

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
    "keyboard, translated errors, onboarding: roving focus, switcher, shortcuts, ticks, German errors, lockout, default channel, phone toolbar",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    // Reactions limited to 3 at once (and hardly refilled), so that a 4th is refused.
    const before = Deno.env.get("API_RATE_LIMITS");
    Deno.env.set(
      "API_RATE_LIMITS",
      JSON.stringify({ react: { capacity: 3, refill_per_sec: 0.01 } }),
    );
    let e2e: E2E;
    try {
      e2e = await startE2E();
    } finally {
      if (before === undefined) Deno.env.delete("API_RATE_LIMITS");
      else Deno.env.set("API_RATE_LIMITS", before);
    }
    await using _stack = e2e;
    const url = e2e.stack.url;
    const db = e2e.stack.db!;
    const people: Person[] = [];
    const step = sequence(t, e2e, people, "keyboard");
    const alice = await e2e.person();
    people.push(alice);

    await step("#general holds 50 more messages from Bob", async () => {
      await db.admin`
        insert into public.messages (channel_id, sender_id, content, client_id, created_at)
        select ${GENERAL}, ${BOB}, 'keyboard message ' || i, 'kb-' || i,
          now() - interval '2 hours' + i * interval '1 minute'
        from generate_series(1, 50) i`;
    });

    await step(
      "the message list is one tab stop: crossing 50 messages takes a few presses",
      async () => {
        await logIn(alice.page, url, "alice@example.com");
        await openChannel(alice.page, "general", GENERAL);
        await messageRow(alice.page, "keyboard message 50").waitFor();
        await eventually(async () => {
          const stops = await alice.page.locator("li.message[tabindex='0']").count();
          assert.equal(stops, 1, "one message holds the list's tab stop");
          assert.ok(await alice.page.locator("li.message").count() >= 50);
        });
        await alice.page.getByRole("button", { name: "Members" }).focus();
        let presses = 0;
        for (; presses < 60; presses++) {
          const f = await focused(alice.page);
          if (f.tag === "textarea" && f.label === "Message") break;
          await alice.page.keyboard.press("Tab");
        }
        console.log(
          `Tab presses from the header to the message box across 54 messages: ${presses}`,
        );
        assert.ok(presses <= 15, `${presses} presses to cross the list`);
      },
    );

    await step(
      "↑/↓, Home/End move between messages; Enter goes into the actions, Esc back",
      async () => {
        const page = alice.page;
        await page.locator("li.message[tabindex='0']").focus();
        const start = await focused(page);
        assert.match(start.text, /keyboard message 50/, "the newest message holds the tab stop");
        // The focus moves as the list re-renders after each key: each read waits for it.
        const focusOn = (text: RegExp, why?: string) =>
          eventually(async () => assert.match((await focused(page)).text, text, why));
        await page.keyboard.press("ArrowUp");
        await focusOn(/keyboard message 49/);
        await page.keyboard.press("ArrowUp");
        await focusOn(/keyboard message 48/);
        await page.keyboard.press("ArrowDown");
        await focusOn(/keyboard message 49/);
        const at49 = await focused(page);
        await eventually(async () => {
          assert.equal(
            await page.locator(`#${at49.id}`).getAttribute("tabindex"),
            "0",
            "the tab stop moved along",
          );
          assert.equal(await page.locator("li.message[tabindex='0']").count(), 1);
        });
        await page.keyboard.press("End");
        await focusOn(/keyboard message 50/);
        await page.keyboard.press("Home");
        await eventually(async () => {
          const f = await focused(page);
          assert.equal(f.tag, "li");
          assert.doesNotMatch(f.text, /keyboard message 50/);
        });
        await page.keyboard.press("End");
        await focusOn(/keyboard message 50/);
        await page.keyboard.press("Enter");
        await eventually(async () => {
          const inside = await focused(page);
          assert.equal(inside.tag, "button");
          assert.match(inside.label, /^React with /, "Enter lands on the message's first action");
        });
        await page.keyboard.press("Escape");
        await focusOn(/keyboard message 50/, "Esc comes back out");
        await e2e.shot(page, "keyboard-roving");
      },
    );

    await step("skip links come first and reach the messages and the message box", async () => {
      const page = alice.page;
      // A fresh page: the keyboard starts at the top of the document.
      await page.reload();
      await messageRow(page, "keyboard message 50").waitFor();
      await page.keyboard.press("Tab");
      await eventually(async () => {
        assert.equal((await focused(page)).text, "Skip to messages");
        assert.ok(await page.getByRole("link", { name: "Skip to messages" }).isVisible());
      });
      await page.keyboard.press("Enter");
      await eventually(async () =>
        assert.equal((await focused(page)).tag, "li", "on the list's tab stop")
      );
      await page.getByRole("link", { name: "Skip to the message box" }).focus();
      await page.keyboard.press("Enter");
      await eventually(async () => assert.equal((await focused(page)).label, "Message"));
      // Landmarks: the conversations (complementary, with the channels' navigation) and main.
      await page.getByRole("complementary", { name: "Your conversations" }).waitFor();
      await page.getByRole("navigation", { name: "Channels" }).waitFor();
      await page.getByRole("main").waitFor();
    });

    await step(
      "Ctrl+K opens the switcher: it filters as one types, Enter jumps there",
      async () => {
        const page = alice.page;
        await page.getByRole("textbox", { name: "Message", exact: true }).focus();
        await page.keyboard.press("Control+k");
        const dialog = page.getByRole("dialog", { name: "Jump to a conversation" });
        await dialog.waitFor();
        const box = dialog.getByRole("combobox", { name: "Conversation name" });
        // Focused and filled by effects after the dialog shows.
        await eventually(async () => {
          assert.ok(await box.evaluate((el) => el === document.activeElement), "typing goes in");
          assert.ok(
            await dialog.getByRole("option").count() >= 3,
            "every conversation, unfiltered",
          );
        });
        await page.keyboard.type("car");
        await until(async () => (await dialog.getByRole("option").count()) === 1, "one match");
        assert.match(await dialog.getByRole("option").first().innerText(), /Carol Danvers/);
        await e2e.shot(page, "keyboard-switcher");
        await page.keyboard.press("Enter");
        await page.locator(".conv-title h2", { hasText: "Carol Danvers" }).waitFor();
        await dialog.waitFor({ state: "hidden" });
        await until(
          async () => (await focused(page)).label === "Message",
          "the message box focused",
        );
      },
    );

    await step("⌘+K opens it too; Esc closes it and the focus goes back", async () => {
      const page = alice.page;
      await page.keyboard.press("Meta+k");
      const dialog = page.getByRole("dialog", { name: "Jump to a conversation" });
      await dialog.waitFor();
      await page.keyboard.type("zzzz");
      await dialog.getByText("No conversation matches.").waitFor();
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
      await eventually(async () =>
        assert.equal((await focused(page)).label, "Message", "back in the message box")
      );
      assert.ok(await page.locator(".conv-title h2", { hasText: "Carol Danvers" }).isVisible());
    });

    await step("Esc closes a side panel", async () => {
      const page = alice.page;
      await page.getByRole("button", { name: "Your profile" }).click();
      const panel = page.getByRole("complementary", { name: "Profile" });
      await panel.waitFor();
      await page.keyboard.press("Escape");
      await panel.waitFor({ state: "detached" });
    });

    await step("↑ in an empty message box edits my last message", async () => {
      const page = alice.page;
      await send(page, "a message to edit by keyboard");
      await messageRow(page, "a message to edit by keyboard").locator(".ticks:not(.sending)")
        .waitFor();
      const box = page.getByRole("textbox", { name: "Message", exact: true });
      await box.focus();
      await page.keyboard.press("ArrowUp");
      const edit = page.getByRole("textbox", { name: "Edit message" });
      await edit.waitFor();
      await eventually(async () => {
        assert.equal(await edit.inputValue(), "a message to edit by keyboard");
        assert.ok(await edit.evaluate((el) => el === document.activeElement), "the box focused");
      });
      await page.keyboard.press("Escape");
      await edit.waitFor({ state: "detached" });
    });

    await step("Alt+↓ and Alt+↑ move to the conversation below and above in the list", async () => {
      const page = alice.page;
      const order = await page.locator(".channel-list [data-channel]").evaluateAll((els) =>
        els.map((e) => e.getAttribute("data-channel")!)
      );
      const active = async () =>
        await page.locator(".channel-list .channel.active").getAttribute("data-channel");
      const from = await active();
      const at = order.indexOf(from!);
      assert.ok(at >= 0 && order.length >= 2);
      const down = at < order.length - 1 ? order[at + 1]! : order[at - 1]!;
      const key = at < order.length - 1 ? "Alt+ArrowDown" : "Alt+ArrowUp";
      const back = key === "Alt+ArrowDown" ? "Alt+ArrowUp" : "Alt+ArrowDown";
      await page.getByRole("textbox", { name: "Message", exact: true }).focus();
      await page.keyboard.press(key);
      await until(async () => (await active()) === down, "the next conversation");
      await page.keyboard.press(back);
      await until(async () => (await active()) === from, "back again");
    });

    await step("delivered ✓✓ and read ✓✓ differ in shape and in name", async () => {
      const carol = await e2e.person();
      people.push(carol);
      await logIn(carol.page, url, "carol@example.com");
      await openChannel(carol.page, "general", GENERAL);
      const page = alice.page;
      await openChannel(page, "Carol Danvers");
      await send(page, "tick check for carol");
      const marks = messageRow(page, "tick check for carol").locator(".ticks .marks");
      const delivered = messageRow(page, "tick check for carol").getByRole("img", {
        name: "Delivered",
      });
      await delivered.waitFor();
      const d = await marks.evaluate((el) => ({
        text: el.textContent,
        bg: getComputedStyle(el).backgroundColor,
        border: getComputedStyle(el).borderTopStyle,
      }));
      await openChannel(carol.page, "Alice Liddell");
      await messageRow(carol.page, "tick check for carol").waitFor();
      const read = messageRow(page, "tick check for carol").getByRole("img", { name: "Read" });
      await read.waitFor();
      const r = await marks.evaluate((el) => ({
        text: el.textContent,
        bg: getComputedStyle(el).backgroundColor,
      }));
      assert.equal(d.text, "✓✓");
      assert.equal(r.text, "✓✓");
      assert.equal(d.bg, "rgba(0, 0, 0, 0)", "delivered is an outline");
      assert.notEqual(r.bg, "rgba(0, 0, 0, 0)", "read is filled");
      assert.equal(await read.getAttribute("title"), "Read");
      await e2e.shot(page, "keyboard-ticks");
      await carol.context.close();
      people.splice(people.indexOf(carol), 1);
    });

    const bob = await person(e2e, { german: true });
    people.push(bob);

    await step("German: a moderation refusal is German and offers no retry", async () => {
      const page = bob.page;
      await page.goto(url + "/");
      await page.getByLabel("E-Mail").fill("bob@example.com");
      await page.getByLabel("Passwort").fill(DEMO_PASSWORD);
      await page.getByRole("button", { name: "Anmelden" }).click();
      await page.getByRole("navigation", { name: "Kanäle" }).waitFor();
      await openChannel(page, "general", GENERAL);
      await page.getByRole("textbox", { name: "Nachricht", exact: true }).fill(
        "this has a badword in it",
      );
      await page.getByRole("button", { name: "Senden", exact: true }).click();
      const row = messageRow(page, "this has a badword in it");
      await row.getByText(
        "Von der Moderation abgelehnt: Der Text enthält ein gesperrtes Wort.",
      ).waitFor();
      assert.equal(await row.getByRole("button", { name: "Erneut senden" }).count(), 0);
      assert.equal(await row.getByRole("button", { name: "Verwerfen" }).count(), 1);
      assert.doesNotMatch(await row.innerText(), /rejected|Message/);
      await e2e.shot(page, "keyboard-de-moderation");
      await row.getByRole("button", { name: "Verwerfen" }).click();
      await row.waitFor({ state: "detached" });
    });

    await step("German: a rate-limited reaction says so in German", async () => {
      const page = bob.page;
      const row = messageRow(page, "keyboard message 10");
      await row.scrollIntoViewIfNeeded();
      // Three reactions spend the bucket (3); the fourth request is refused.
      for (const emoji of ["👍", "❤️", "😂"]) {
        await row.hover();
        await row.getByRole("button", { name: `Mit ${emoji} reagieren` }).click();
        await row.locator(".reaction", { hasText: emoji }).waitFor();
      }
      await row.locator(".reaction", { hasText: "👍" }).click();
      await row.getByText(/^Zu viele Anfragen\. Versuche es in \d+ Sekunden? erneut\.$/).waitFor();
      assert.doesNotMatch(await row.innerText(), /Too many/);
    });

    await step("German: refused files leave the tray, each with its reason", async () => {
      const page = bob.page;
      const input = page.locator(".composer input[type=file]");
      await input.setInputFiles({
        name: "setup.exe",
        mimeType: "application/x-msdownload",
        buffer: Buffer.from("MZ not really a program"),
      });
      await page.getByText(
        "setup.exe wurde nicht angehängt: Diese Art von Datei kann nicht gesendet werden.",
      ).waitFor();
      // Storage takes it as a PNG; the API looks inside and refuses it.
      await input.setInputFiles({
        name: "fake.png",
        mimeType: "image/png",
        buffer: Buffer.from("this is text, not a picture"),
      });
      await page.getByText(
        "fake.png wurde nicht angehängt: Dieser Dateityp ist nicht erlaubt oder die Datei ist beschädigt.",
      ).waitFor();
      const tray = page.getByRole("list", { name: "Zu sendende Dateien" });
      await eventually(async () => {
        assert.equal(await tray.count(), 0, "nothing refused is left in the tray");
        assert.ok(
          await page.getByRole("button", { name: "Senden", exact: true }).isDisabled(),
          "and nothing waits to be sent",
        );
      });
      await e2e.shot(page, "keyboard-de-upload-refused");
      await page.getByRole("button", { name: "Ausblenden" }).first().click();
      await page.getByText("setup.exe wurde nicht angehängt", { exact: false }).waitFor({
        state: "detached",
      });
    });
    await bob.context.close();
    people.splice(people.indexOf(bob), 1);

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
        await e2e.shot(p.page, "keyboard-lockout");
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
        await messageRow(p.page, "keyboard message 50").waitFor();
        // Leaving the one conversation leaves the newcomer with none.
        p.page.once("dialog", (d) => d.accept());
        await p.page.getByRole("button", { name: "Members" }).click();
        await p.page.getByRole("button", { name: "Leave channel" }).click();
        const empty = p.page.getByRole("region", { name: "No conversations yet" }).first();
        await empty.waitFor();
        const text = await empty.innerText();
        assert.doesNotMatch(text, /\uFF0B/, "no character the fonts may lack");
        assert.match(text, /Write to someone directly/);
        await e2e.shot(p.page, "keyboard-empty-state");
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
      // By the text node itself: "keyboard message 4" shown at 7:28 reads "keyboard message
      // 47:28" as a whole row, and would match "keyboard message 47".
      const row = (text: string) =>
        page.locator(
          `xpath=//li[contains(@class, "message")][.//p[normalize-space(text()[1]) = "${text}"]]`,
        );
      const a = row("keyboard message 48");
      const b = row("keyboard message 47");
      await a.waitFor();
      const reactionsBefore = await page.locator("li.message .reaction").count();
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
      assert.equal(
        await page.locator("li.message .reaction").count(),
        reactionsBefore,
        "the tap reacted to nothing",
      );
      await e2e.shot(page, "keyboard-phone-toolbar");
      const bId = await b.getAttribute("id");
      await tapAt(b);
      await sleep(400);
      await eventually(async () => {
        const seen = await toolbarsAndText(page);
        assert.equal(seen.toolbars.length, 1, "still one toolbar");
        assert.equal(seen.toolbars[0]!.row, bId);
      });
      assert.equal(await page.locator("li.message .reaction").count(), reactionsBefore);
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
