/// <reference lib="dom" />
/**
 * Two-factor authentication in the browser: Dave sets it up from his profile (QR code and key,
 * confirmed with a code computed from that key, as his authenticator app would), is asked for
 * a code at his next sign-in (a wrong one is refused), and, having "lost his phone", gets back
 * in after an admin removes his factor from the admin view.
 */
import assert from "node:assert/strict";
import * as OTPAuth from "otpauth";
import { DEMO_PASSWORD, logIn, type Person, sequence, startE2E } from "./_browser.ts";

const codeAt = (secret: string, step: number) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({
    timestamp: step * 30_000,
  });
const stepNow = () => Math.floor(Date.now() / 30_000);

Deno.test({
  name: "two-factor: set up in the profile → code at sign-in → an admin removes it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using e2e = await startE2E();
    const url = e2e.stack.url;
    const people: Person[] = [];
    const step = sequence(t, e2e, people, "mfa");
    const dave = await e2e.person();
    people.push(dave);
    const page = dave.page;
    let secret = "";
    let used = 0;

    await step("Dave turns on two-factor authentication in his profile", async () => {
      await logIn(page, url, "dave@example.com", DEMO_PASSWORD);
      await page.getByRole("button", { name: "Your profile" }).click();
      await page.getByRole("heading", { name: "Two-factor authentication" }).waitFor();
      await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
      const qr = page.getByRole("img", { name: "QR code for your authenticator app" });
      await qr.waitFor();
      const size = await qr.evaluate((img) => (img as HTMLImageElement).naturalWidth);
      assert.ok(size > 0, "the QR code image loads");
      secret = (await page.locator(".mfa-secret").getAttribute("data-secret"))!;
      assert.match(secret, /^[A-Z2-7]{32}$/);
      await e2e.shot(page, "mfa-setup");
      used = stepNow();
      await page.getByLabel("6-digit code").fill(codeAt(secret, used));
      await page.getByRole("button", { name: "Turn on" }).click();
      await page.getByText("Two-factor authentication is on. You will be asked").waitFor();
      await page.getByRole("button", { name: "Turn off" }).waitFor();
    });

    await step("at his next sign-in he is asked for a code", async () => {
      await page.getByRole("button", { name: "Log out" }).click();
      await page.getByLabel("Email").fill("dave@example.com");
      await page.getByLabel("Password").fill(DEMO_PASSWORD);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.getByRole("heading", { name: "Enter your code" }).waitFor();
      assert.equal(await page.getByRole("navigation", { name: "Channels" }).count(), 0);
      await e2e.shot(page, "mfa-challenge");
      // The code he just used does not work twice.
      await page.getByLabel("6-digit code").fill(codeAt(secret, used));
      await page.getByRole("button", { name: "Verify" }).click();
      await page.getByRole("alert").getByText("That code is not right").waitFor();
      used = Math.max(stepNow(), used + 1);
      await page.getByLabel("6-digit code").fill(codeAt(secret, used));
      await page.getByRole("button", { name: "Verify" }).click();
      await page.getByRole("navigation", { name: "Channels" }).waitFor();
    });

    await step("a reload keeps him signed in at aal2", async () => {
      await page.reload();
      await page.getByRole("navigation", { name: "Channels" }).waitFor();
    });

    await step("he lost his phone: an admin removes his two-factor authentication", async () => {
      await page.getByRole("button", { name: "Log out" }).click();
      const admin = await e2e.person();
      people.push(admin);
      await logIn(admin.page, url, "alice@example.com", DEMO_PASSWORD);
      await admin.page.locator(".me").getByRole("button", { name: "Admin" }).click();
      await admin.page.getByRole("tab", { name: "Users" }).click();
      admin.page.once("dialog", (d) => d.accept());
      await admin.page.getByRole("button", { name: "Remove two-factor authentication of @dave" })
        .click();
      await admin.page.getByText("Two-factor authentication of @dave is removed.").waitFor();
      await e2e.shot(admin.page, "mfa-admin-removed");
      // Dave signs in with his password alone.
      await logIn(page, url, "dave@example.com", DEMO_PASSWORD);
      await page.getByRole("button", { name: "Your profile" }).click();
      await page.getByRole("button", { name: "Set up two-factor authentication" }).waitFor();
    });
  },
});
