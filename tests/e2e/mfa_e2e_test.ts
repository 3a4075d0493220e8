/// <reference lib="dom" />
/**
 * Two-factor authentication in the browser: Dave sets it up from his profile (QR code and key,
 * confirmed with a code computed from that key, as his authenticator app would), is asked for
 * a code at his next sign-in (a wrong one is refused), and, having "lost his phone", gets back
 * in after an admin removes his factor from the admin view (through Auth's admin API).
 */
import assert from "node:assert/strict";
import { codeAt, stepNow } from "../_helpers/totp.ts";
import { DEMO_PASSWORD, e2eTest, eventually, logIn, openAdminUsers } from "./_browser.ts";

e2eTest(
  "two-factor: set up in the profile → code at sign-in → an admin removes it",
  "mfa",
  async ({ e2e, url, step, person }) => {
    const { page } = await person();
    let secret = "";
    let used = 0;

    await step("Dave turns on two-factor authentication in his profile", async () => {
      await logIn(page, url, "dave@example.com", DEMO_PASSWORD);
      await page.getByRole("button", { name: "Your profile" }).click();
      await page.getByRole("heading", { name: "Two-factor authentication" }).waitFor();
      await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
      const qr = page.getByRole("img", { name: "QR code for your authenticator app" });
      await qr.waitFor();
      // The image decodes after it is in the page.
      await eventually(async () => {
        const size = await qr.evaluate((img) => (img as HTMLImageElement).naturalWidth);
        assert.ok(size > 0, "the QR code image loads");
      });
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
      const admin = await person();
      await openAdminUsers(admin.page, url);
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
);
