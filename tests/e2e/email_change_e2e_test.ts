/// <reference lib="dom" />
/**
 * Changing the email address from the profile: a new address, confirmed by the links Auth
 * mails to the current and the new address (read from the local inbox page), then the
 * profile shows the new address and it signs in.
 */
import assert from "node:assert/strict";
import { DEMO_PASSWORD, eventually, logIn, type Person, sequence, startE2E } from "./_browser.ts";

Deno.test({
  name: "email change: profile → both inbox links → new address signs in",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using e2e = await startE2E();
    const url = e2e.stack.url;
    const people: Person[] = [];
    const step = sequence(t, e2e, people, "email-change");
    const carol = await e2e.person();
    people.push(carol);
    const page = carol.page;
    const next = "carol.new@example.com";

    await step("Carol asks for a new address in her profile", async () => {
      await logIn(page, url, "carol@example.com", DEMO_PASSWORD);
      await page.getByRole("button", { name: "Your profile" }).click();
      await page.getByText("Current address: carol@example.com").waitFor();
      await page.getByLabel("New email address").fill("bob@example.com");
      await page.getByRole("button", { name: "Change email" }).click();
      await page.getByRole("alert").getByText("An account with this email already exists.")
        .waitFor();
      await page.getByLabel("New email address").fill(next);
      await page.getByRole("button", { name: "Change email" }).click();
      await page.getByText("Check both inboxes").waitFor();
      await e2e.shot(page, "email-change-requested");
    });

    await step("she confirms from both inboxes", async () => {
      await page.goto(`${url}/_inbox?to=carol%40example.com`);
      await page.locator("a[href*='type=email_change']").first().click();
      await page.waitForURL(/message=/);
      await page.getByRole("navigation", { name: "Channels" }).waitFor();
      await page.goto(`${url}/_inbox?to=${encodeURIComponent(next)}`);
      await page.locator("a[href*='type=email_change']").first().click();
      await page.getByRole("navigation", { name: "Channels" }).waitFor();
      await page.getByRole("button", { name: "Your profile" }).click();
      await page.getByText(`Current address: ${next}`).waitFor();
      await e2e.shot(page, "email-change-done");
    });

    await step("the new address signs in, the old one does not", async () => {
      await page.getByRole("button", { name: "Log out" }).click();
      await page.getByRole("heading", { name: "Log in" }).waitFor();
      await page.getByLabel("Email").fill("carol@example.com");
      await page.getByLabel("Password").fill(DEMO_PASSWORD);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.getByRole("alert").waitFor();
      await logIn(page, url, next, DEMO_PASSWORD);
    });

    await step("on a phone the email form fits the screen", async () => {
      const phone = await e2e.person({ viewport: { width: 390, height: 844 } });
      people.push(phone);
      await logIn(phone.page, url, "dave@example.com", DEMO_PASSWORD);
      await phone.page.getByRole("button", { name: "Your profile" }).click();
      const button = phone.page.getByRole("button", { name: "Change email" });
      await button.scrollIntoViewIfNeeded();
      // The profile fills in as its data arrives: measure once it has settled.
      await eventually(async () => {
        const box = (await button.boundingBox())!;
        assert.ok(box.x >= 0 && box.x + box.width <= 390, "the button is on screen");
        const input = (await phone.page.getByLabel("New email address").boundingBox())!;
        assert.ok(input.x >= 0 && input.x + input.width <= 390, "the field is on screen");
      });
      await e2e.shot(phone.page, "email-change-phone");
    });
  },
});
