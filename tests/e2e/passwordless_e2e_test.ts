/// <reference lib="dom" />
/**
 * Signing in without a password, and joining by invite, in Chromium: a mailed code typed on
 * the sign-in screen, a mailed link followed (PKCE), an unknown address turned away; an
 * admin's invite (from the admin view) whose link lands on "choose your password" and then in
 * the chat, and the new password signs in. Mails are read from the local inbox.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { codeIn, linkIn } from "../_helpers/stack.ts";
import { e2eTest, logIn, openAdminUsers } from "./_browser.ts";

const NEW_PASSWORD = "Invited-horse-7";

/** On the sign-in screen: "Email me a sign-in link" for `email`. */
async function askForLink(page: Page, email: string) {
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await page.getByRole("heading", { name: "Sign in by email" }).waitFor();
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send the link" }).click();
}

e2eTest(
  "passwordless: emailed code and link sign in; an invite sets a password",
  "passwordless",
  async ({ e2e, url, step, person }) => {
    const { page } = await person();

    await step("an unknown address is told to sign up", async () => {
      await page.goto(url + "/");
      await askForLink(page, "nobody.here@example.com");
      await page.getByRole("alert").getByText("No account uses this address. Sign up first.")
        .waitFor();
    });

    await step("Dave signs in with the code from the mail", async () => {
      await page.getByLabel("Email").fill("dave@example.com");
      await page.getByRole("button", { name: "Send the link" }).click();
      await page.getByText("We sent a sign-in link to dave@example.com").waitFor();
      await e2e.shot(page, "passwordless-code");
      const [mail] = await e2e.stack.inbox("dave@example.com");
      assert.equal(mail?.subject, "Your sign-in link");
      await page.getByLabel("Code from the mail").fill(codeIn(mail!.text));
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByRole("navigation", { name: "Channels" }).waitFor();
      await page.getByRole("button", { name: "Log out" }).click();
      await page.getByRole("heading", { name: "Log in" }).waitFor();
    });

    await step("Carol follows the link from the mail", async () => {
      const carol = await person();
      await carol.page.goto(url + "/");
      await askForLink(carol.page, "carol@example.com");
      await carol.page.getByText("We sent a sign-in link to carol@example.com").waitFor();
      const [mail] = await e2e.stack.inbox("carol@example.com");
      const link = linkIn(mail!.text);
      assert.match(link, /token=pkce_/, "the web client signs in with PKCE");
      await carol.page.goto(link);
      await carol.page.getByRole("navigation", { name: "Channels" }).waitFor();
      assert.ok(!carol.page.url().includes("code="), "the code is off the address bar");
    });

    const invitee = "newcomer@example.com";
    await step("Alice invites someone from the admin view", async () => {
      const admin = await person();
      await openAdminUsers(admin.page, url);
      await admin.page.getByLabel("Email address to invite").fill(invitee);
      await admin.page.getByRole("button", { name: "Send invite" }).click();
      await admin.page.getByText(`Invitation sent to ${invitee}.`).waitFor();
      await e2e.shot(admin.page, "passwordless-invite-sent");
    });

    await step("the invite's link asks for a password, then opens the chat", async () => {
      const fresh = await person();
      const [mail] = await e2e.stack.inbox(invitee);
      assert.equal(mail?.subject, "You are invited to Chat");
      await fresh.page.goto(linkIn(mail!.text));
      await fresh.page.getByRole("heading", { name: "Welcome! Choose your password" }).waitFor();
      assert.ok(!fresh.page.url().includes("token_hash"), "the link is off the address bar");
      await fresh.page.getByText(`You joined as ${invitee}.`).waitFor();
      await e2e.shot(fresh.page, "passwordless-set-password");
      const password = fresh.page.getByLabel("Password", { exact: true });
      const save = fresh.page.getByRole("button", { name: "Save and continue" });
      await password.fill("short");
      assert.ok(await save.isDisabled(), "a password that breaks the rules is not sent");
      await password.fill("longbutnodigits");
      await fresh.page.getByText("Use at least one letter (a–z) and one digit (0–9).").waitFor();
      assert.ok(await save.isDisabled(), "Auth's letters_digits rule, said in the browser");
      await password.fill(NEW_PASSWORD);
      await fresh.page.getByText("At least 8 characters, with a letter and a digit.").waitFor();
      await save.click();
      await fresh.page.getByRole("navigation", { name: "Channels" }).waitFor();
      await fresh.page.getByRole("button", { name: "Log out" }).click();
      await logIn(fresh.page, url, invitee, NEW_PASSWORD);
    });

    await step("an invite link works once", async () => {
      const late = await person();
      const [mail] = await e2e.stack.inbox(invitee);
      await late.page.goto(linkIn(mail!.text));
      await late.page.getByRole("heading", {
        name: "This invitation link has expired or was already used.",
      }).waitFor();
      await late.page.getByRole("button", { name: "Go to log in" }).click();
      await late.page.getByRole("heading", { name: "Log in" }).waitFor();
    });
  },
);
