/// <reference lib="dom" />
/**
 * The rest of what a person meets in the browser, with the seeded demo accounts: the strict
 * CSP, "remember me", password reset by mail, the profile editor with an avatar, a group with
 * its members panel, unread badges and the title count, dark mode, German, a 360 px phone,
 * keyboard-only sending, the admin view, and deactivating an account.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import {
  DEMO_PASSWORD,
  eventually,
  logIn,
  openChannel,
  type Person,
  sequence,
  startE2E,
} from "./_browser.ts";
import { ROOT } from "../../local/paths.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1";
const RANDOM = "c0000000-0000-4000-8000-0000000000a2";

function realErrors(p: Person): string[] {
  return p.errors.filter((e) =>
    !/Failed to load resource|HTTP 4\d\d .*\/auth\/v1\/token|HTTP 400 .*\/auth\/v1\/token/.test(e)
  );
}

/** Carol's password after she resets it by code (later steps sign her in with it). */
const CAROL_NEW_PASSWORD = "Coded-new-pass-9";

Deno.test({
  name: "screens: CSP, accounts, profile, groups, themes, German, phone, keyboard, admin",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using e2e = await startE2E();
    const url = e2e.stack.url;
    const people: Person[] = [];
    const step = sequence(t, e2e, people, "screens");
    const alice = await e2e.person();
    const bob = await e2e.person();
    people.push(alice, bob);

    await step("the page is served with a strict CSP and no inline script", async () => {
      const res = await fetch(url + "/");
      const csp = res.headers.get("content-security-policy") ?? "";
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      const html = await res.text();
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, "every script is a file");
      assert.doesNotMatch(html, /\son\w+=/, "no inline event handlers");
    });

    await step("without 'remember me' the session lives only in this tab", async () => {
      await logIn(alice.page, url, "alice@example.com", DEMO_PASSWORD, false);
      await eventually(async () => {
        const stored = await alice.page.evaluate(() => ({
          local: Object.keys(localStorage).filter((k) => k.endsWith("-auth-token")).length,
          session: Object.keys(sessionStorage).filter((k) => k.endsWith("-auth-token")).length,
        }));
        assert.deepEqual(stored, { local: 0, session: 1 });
      });
      const other = await alice.context.newPage();
      await other.goto(url + "/");
      await other.getByRole("heading", { name: "Log in" }).waitFor();
      await other.close();
      await alice.page.getByRole("button", { name: "Log out" }).click();
      await alice.page.getByRole("heading", { name: "Log in" }).waitFor();
    });

    await step("Dave resets a forgotten password through the inbox", async () => {
      const dave = await e2e.person();
      people.push(dave);
      await dave.page.goto(url + "/");
      await dave.page.getByRole("button", { name: "Forgot your password?" }).click();
      await dave.page.getByLabel("Email").fill("dave@example.com");
      await dave.page.getByRole("button", { name: "Send reset link" }).click();
      await dave.page.getByText("a reset link is on its way").waitFor();
      await dave.page.goto(`${url}/_inbox?to=dave%40example.com`);
      await dave.page.locator("a[href*='/auth/v1/verify']").first().click();
      await dave.page.getByRole("heading", { name: "Choose a new password" }).waitFor();
      await dave.page.getByLabel("New password").fill("Brand-new-pass-7");
      await dave.page.getByRole("button", { name: "Save password" }).click();
      await dave.page.getByRole("navigation", { name: "Channels" }).waitFor();
      await dave.page.getByRole("button", { name: "Log out" }).click();
      await logIn(dave.page, url, "dave@example.com", "Brand-new-pass-7");
    });

    await step("Carol resets a forgotten password with the code from the mail", async () => {
      const carol = await e2e.person();
      people.push(carol);
      await carol.page.goto(url + "/");
      await carol.page.getByRole("button", { name: "Forgot your password?" }).click();
      await carol.page.getByLabel("Email").fill("carol@example.com");
      await carol.page.getByRole("button", { name: "Send reset link" }).click();
      await carol.page.getByText("or type the code from the mail").waitFor();
      const [mail] = await e2e.stack.inbox("carol@example.com");
      const code = /code: (\d{6})/.exec(mail!.text)?.[1];
      assert.ok(code, "the reset mail carries a 6-digit code");
      await carol.page.getByLabel("Code from the mail").fill(code);
      await carol.page.getByRole("button", { name: "Confirm" }).click();
      await carol.page.getByRole("heading", { name: "Choose a new password" }).waitFor();
      await carol.page.getByLabel("New password").fill(CAROL_NEW_PASSWORD);
      await carol.page.getByRole("button", { name: "Save password" }).click();
      await carol.page.getByRole("navigation", { name: "Channels" }).waitFor();
      await carol.page.getByRole("button", { name: "Log out" }).click();
      await logIn(carol.page, url, "carol@example.com", CAROL_NEW_PASSWORD);
    });

    await step("unread badges and the title count follow messages in other channels", async () => {
      await logIn(alice.page, url, "alice@example.com");
      await logIn(bob.page, url, "bob@example.com");
      const before = Number(
        (await alice.page.locator(`[data-channel="${GENERAL}"] .badge [aria-hidden]`)
          .textContent()) ??
          "0",
      );
      await openChannel(bob.page, "general", GENERAL);
      await bob.page.getByRole("textbox", { name: "Message", exact: true }).fill(
        "@alice release is out",
      );
      await bob.page.keyboard.press("Enter");
      await alice.page.locator(`[data-channel="${GENERAL}"] .badge [aria-hidden]`, {
        hasText: new RegExp(`^${before + 1}$`),
      }).waitFor();
      await alice.page.locator(`[data-channel="${GENERAL}"] .badge`, {
        hasText: `${before + 1} unread messages`,
      }).waitFor();
      // The title follows the badges from an effect.
      await eventually(async () => assert.match(await alice.page.title(), /^\(\d+\) Chat$/));
      await e2e.shot(alice.page, "10-channel-list");
      await openChannel(alice.page, "general", GENERAL);
      await alice.page.locator("li.message .mention.mention-me", { hasText: "@alice" }).waitFor();
      await alice.page.locator(`[data-channel="${GENERAL}"] .badge`).waitFor({ state: "detached" });
    });

    await step(
      "keyboard only: focus the composer, type, Enter sends; Escape closes a panel",
      async () => {
        const box = alice.page.getByRole("textbox", { name: "Message", exact: true });
        await box.focus();
        await alice.page.keyboard.type("typed without a mouse");
        await alice.page.keyboard.press("Enter");
        await bob.page.locator("li.message", { hasText: "typed without a mouse" }).waitFor();
        await alice.page.getByRole("button", { name: "Members" }).click();
        await alice.page.getByRole("complementary", { name: "Members" }).waitFor();
        await alice.page.keyboard.press("Escape");
        await alice.page.getByRole("complementary", { name: "Members" }).waitFor({
          state: "detached",
        });
      },
    );

    await step("Alice edits her profile and uploads an avatar", async () => {
      await alice.page.getByRole("button", { name: "Your profile" }).click();
      await alice.page.getByLabel("Display name").fill("Alice in Chains");
      await alice.page.getByLabel("Status").fill("on call");
      await alice.page.getByRole("button", { name: "Save", exact: true }).click();
      await alice.page.getByText("Saved.").waitFor();
      await alice.page.locator(".me-name", { hasText: "Alice in Chains" }).waitFor();
      const png = await Deno.readFile(join(ROOT, "tests", "golden", "thumbnail_320x213.png"));
      await alice.page.locator(".profile-editor input[type=file]").setInputFiles({
        name: "me.png",
        mimeType: "image/png",
        buffer: Buffer.from(png),
      });
      await alice.page.locator(".me .avatar img").waitFor();
      await e2e.shot(alice.page, "11-profile");
    });

    await step("Alice creates a private group with Bob; Bob sees it and its members", async () => {
      await alice.page.getByRole("button", { name: "New conversation" }).first().click();
      await alice.page.getByRole("tab", { name: "New group" }).click();
      await alice.page.getByLabel("Group name").fill("launch");
      await alice.page.getByLabel("Private (by invitation only)").check();
      await alice.page.getByLabel("Add people").fill("bob");
      await alice.page.locator("button.person", { hasText: "@bob" }).click();
      await alice.page.getByRole("button", { name: "Create group" }).click();
      await alice.page.getByRole("heading", { name: "launch" }).waitFor();
      await openChannel(bob.page, "launch");
      await bob.page.getByRole("button", { name: "Members" }).click();
      const panel = bob.page.getByRole("complementary", { name: "Members" });
      await panel.getByText("@alice").waitFor();
      await panel.getByText("@bob").waitFor();
      await e2e.shot(bob.page, "12-members");
    });

    await step("dark theme and German render, plural forms included", async () => {
      await alice.page.getByRole("button", { name: "Your profile" }).click();
      await alice.page.getByLabel("Theme").selectOption("dark");
      await eventually(async () => {
        const bg = await alice.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        assert.equal(bg, "rgb(22, 23, 28)", "dark background");
      });
      await alice.page.getByLabel("Close").click();
      await e2e.shot(alice.page, "13-dark");
      await alice.page.getByRole("button", { name: "Your profile" }).click();
      await alice.page.getByLabel("Language", { exact: true }).selectOption("de");
      await alice.page.getByRole("heading", { name: "Dein Profil" }).waitFor();
      await alice.page.getByLabel("Schließen").click();
      await alice.page.getByRole("textbox", { name: "Nachricht", exact: true }).waitFor();
      await alice.page.getByRole("button", { name: "Senden", exact: true }).waitFor();
      await eventually(async () =>
        assert.equal(await alice.page.evaluate(() => document.documentElement.lang), "de")
      );
      await alice.page.locator(".conv-title p", { hasText: /^2 Mitglieder$/ }).waitFor();
      await e2e.shot(alice.page, "14-german-dark");
      await alice.page.getByRole("button", { name: "Dein Profil" }).click();
      await alice.page.getByLabel("Design").selectOption("light");
      await alice.page.getByLabel("Sprache", { exact: true }).selectOption("en");
      await alice.page.getByLabel("Close").click();
    });

    await step(
      "on a 360 px phone the list and the conversation take turns, nothing overflows",
      async () => {
        const phone = await e2e.person({ viewport: { width: 360, height: 740 } });
        people.push(phone);
        await logIn(phone.page, url, "carol@example.com", CAROL_NEW_PASSWORD);
        const wide = () =>
          phone.page.evaluate(() => document.documentElement.scrollWidth > innerWidth);
        await eventually(async () => {
          assert.equal(await wide(), false, "the channel list fits");
          assert.equal(await phone.page.locator("p.boot").count(), 0, "the boot text is gone");
        });
        await e2e.shot(phone.page, "15-phone-list");
        await openChannel(phone.page, "general", GENERAL);
        await phone.page.getByRole("textbox", { name: "Message", exact: true }).waitFor();
        await eventually(async () => {
          assert.equal(
            await phone.page.getByRole("navigation", { name: "Channels" }).isVisible(),
            false,
          );
          assert.equal(await wide(), false, "the conversation fits");
        });
        await e2e.shot(phone.page, "16-phone-conversation");
        await phone.page.getByRole("button", { name: "Back to channels" }).click();
        await phone.page.getByRole("navigation", { name: "Channels" }).waitFor();
      },
    );

    await step(
      "Carol reports a message; the admin view: reports, people and roles, blocked terms, live metrics",
      async () => {
        const phone = people[people.length - 1]!.page;
        await openChannel(phone, "general", GENERAL);
        const spam = phone.locator("li.message", { hasText: "release is out" });
        await spam.hover();
        await spam.getByRole("button", { name: "Report message" }).click();
        const dialog = phone.getByRole("dialog", { name: "Report message" });
        await dialog.getByLabel("Why are you reporting this message?").fill("looks like spam");
        await dialog.getByRole("button", { name: "Send report" }).click();
        await dialog.getByText("The moderators will look at it.").waitFor();
        await dialog.getByRole("button", { name: "Close" }).click();
        await dialog.waitFor({ state: "detached" });

        await alice.page.getByRole("button", { name: "Admin" }).click();
        const admin = alice.page.getByRole("complementary", { name: "Admin" });
        await admin.getByText("looks like spam").waitFor();
        await e2e.shot(alice.page, "17-admin-reports");
        await admin.getByRole("button", { name: /^Delete the message of report/ }).click();
        await admin.getByText("looks like spam").waitFor({ state: "detached" });
        await phone.locator("li.message .tombstone").first().waitFor();
        await admin.getByRole("tab", { name: /users|people/i }).click();
        await admin.getByText("@carol").or(admin.getByText("carol")).first().waitFor();
        await admin.getByRole("tab", { name: /blocked/i }).click();
        await admin.getByRole("textbox").first().fill("frobnicate");
        await admin.getByRole("button", { name: /^add/i }).click();
        await admin.getByText("frobnicate").waitFor();
        await admin.getByRole("tab", { name: /metrics/i }).click();
        await admin.getByText(/http_requests_total|messages_sent_total/).first().waitFor();
        await e2e.shot(alice.page, "18-admin-metrics");
        assert.equal(
          await bob.page.getByRole("button", { name: "Admin" }).count(),
          1,
          "moderators too",
        );
        const carolAdmin = people[people.length - 1]!.page.getByRole("button", { name: "Admin" });
        assert.equal(await carolAdmin.count(), 0, "plain users have no admin view");
      },
    );

    await step(
      "a draft stays with its channel while Bob looks at another, and after a reload",
      async () => {
        const reader = await e2e.person();
        people.push(reader);
        await logIn(reader.page, url, "bob@example.com");
        await openChannel(reader.page, "general", GENERAL);
        const box = reader.page.getByRole("textbox", { name: "Message", exact: true });
        await box.fill("half-written thought about the release");
        // Each channel's draft is put into the box as the channel opens, not with its heading.
        const draft = (want: string, why?: string) =>
          eventually(async () => assert.equal(await box.inputValue(), want, why));
        await openChannel(reader.page, "random", RANDOM);
        await draft("", "another channel has its own (empty) draft");
        await openChannel(reader.page, "general", GENERAL);
        await draft("half-written thought about the release");
        await reader.page.reload();
        await openChannel(reader.page, "general", GENERAL);
        await draft("half-written thought about the release");
        await box.fill("");
      },
    );

    await step("Dave deactivates his account and can no longer log in", async () => {
      const dave = people[2]!;
      dave.page.once("dialog", (d) => d.accept());
      await dave.page.getByRole("button", { name: "Your profile" }).click();
      await dave.page.getByRole("button", { name: "Deactivate my account" }).click();
      await dave.page.getByRole("heading", { name: "Log in" }).waitFor();
      await dave.page.getByLabel("Email").fill("dave@example.com");
      await dave.page.getByLabel("Password").fill("Brand-new-pass-7");
      await dave.page.getByRole("button", { name: "Log in" }).click();
      await dave.page.getByRole("alert").waitFor();
      // His messages stay, shown as from a deactivated user.
      await openChannel(alice.page, "general", GENERAL);
      await alice.page.locator("li.message", { hasText: 'searching for "runn"' })
        .locator(".sender", { hasText: "deactivated user" }).waitFor();
    });

    await step("no unexpected errors in the consoles", () => {
      for (const p of [alice, bob]) assert.deepEqual(realErrors(p), []);
    });
  },
});
