/// <reference lib="dom" />
/**
 * Keyboard and translated errors in Chromium (issue 14, defects 9 and 10): the message list is
 * one tab stop with ↑/↓ between messages; skip links; the quick switcher (Ctrl+K / ⌘+K); Esc,
 * ↑ to edit, Alt+↑/↓; delivered and read ticks that differ in shape and name; a German reader
 * sees German for a moderation refusal (with no "retry") and a rate limit; refused files leave
 * the upload tray with a reason. Onboarding and the phone toolbar: `onboarding_e2e_test.ts`.
 * Screenshots go to `.local/e2e/`.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  DEMO_PASSWORD,
  type E2E,
  eventually,
  logIn,
  messageRow,
  openChannel,
  type Person,
  seedHistory,
  send,
  sequence,
  startE2E,
} from "./_browser.ts";
import { focused, person } from "./_devices.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1";
const BOB = "b0b00000-0000-4000-8000-000000000002";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` (no string evaluation in the page: its CSP forbids eval). */
async function until(check: () => Promise<boolean>, what: string, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

Deno.test({
  name: "keyboard, translated errors: roving focus, switcher, shortcuts, ticks, German errors",
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
      await seedHistory(db.admin, GENERAL, BOB, "keyboard message", 50);
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

    for (const p of people) {
      assert.deepEqual(p.errors.filter((e) => !/^HTTP 4\d\d/.test(e)), [], "no page errors");
    }
  },
});
