/// <reference lib="dom" />
/**
 * Link previews in Chromium (issue 14), in #general, against a local fake site that
 * LINK_PREVIEW_ALLOW lets through. Alice (desktop) sends a link; Carol (phone, 390×844) sees its
 * card arrive live — site, title as plain text (the page's `<b>` stays text), description and the
 * image from Storage — with no "hide" for her; Alice hides it and both stop seeing it.
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
import { startFakeSite } from "../_helpers/fake_site.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1"; // alice, bob, carol, dave
const PHONE = { width: 390, height: 844 };
const TITLE = "Fish & Chips <b>weekly</b>";

const card = (page: Page, text: string) => messageRow(page, text).locator(".link-preview");

Deno.test({
  name: "link previews: the card arrives live for the other person, the sender hides it for both",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using site = await startFakeSite();
    await using e2e = await startE2E(() => {}, { env: { LINK_PREVIEW_ALLOW: site.hostPort } });
    const url = e2e.stack.url;
    const alice = await e2e.person();
    const carol = await e2e.person({ viewport: PHONE });
    const step = sequence(t, e2e, [alice, carol], "link-previews");
    const text = `Have a look: ${site.origin}/og`;

    await step("Alice and Carol open #general", async () => {
      await logIn(alice.page, url, "alice@example.com");
      await logIn(carol.page, url, "carol@example.com");
      await openChannel(alice.page, "general", GENERAL);
      await openChannel(carol.page, "general", GENERAL);
    });

    await step("Alice sends a link: Carol sees the card arrive live, text only", async () => {
      const t0 = Date.now();
      await send(alice.page, text);
      await messageRow(carol.page, text).waitFor();
      const theirs = card(carol.page, text);
      await theirs.waitFor();
      console.log(`preview card shown to the other person ${Date.now() - t0} ms after sending`);
      assert.equal(await theirs.locator(".link-preview-title").innerText(), TITLE);
      assert.equal(await theirs.locator("b").count(), 0, "the page's markup stays text");
      assert.equal(await theirs.locator(".link-preview-site").innerText(), "Fake Site");
      assert.equal(
        await theirs.locator(".link-preview-description").innerText(),
        "All about frying, in one page.",
      );
      assert.equal(
        await theirs.locator(".link-preview-title").getAttribute("href"),
        `${site.origin}/og`,
      );
      const img = theirs.locator("img.link-preview-image");
      await img.waitFor();
      await carol.page.waitForFunction(
        (el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth === 4,
        await img.elementHandle(),
      );
      assert.equal(await theirs.getByRole("button", { name: "Hide link preview" }).count(), 0);
      await eventually(async () => {
        const box = await theirs.boundingBox();
        assert.ok(
          box && box.x >= 0 && box.x + box.width <= PHONE.width,
          `fits the phone: ${JSON.stringify(box)}`,
        );
      });
      await card(alice.page, text).waitFor();
      await e2e.shot(carol.page, "link-previews-01-phone-card");
      await e2e.shot(alice.page, "link-previews-02-desktop-card");
    });

    await step("Alice hides the preview: both stop seeing it", async () => {
      await card(alice.page, text).getByRole("button", { name: "Hide link preview" }).click();
      await card(alice.page, text).waitFor({ state: "detached" });
      await card(carol.page, text).waitFor({ state: "detached" });
      // The message itself stays.
      await messageRow(carol.page, text).waitFor();
      await carol.page.reload();
      await messageRow(carol.page, text).waitFor();
      assert.equal(await card(carol.page, text).count(), 0, "still hidden after a reload");
      await e2e.shot(carol.page, "link-previews-03-phone-hidden");
    });

    const errors = [alice, carol].flatMap((p) =>
      p.errors.filter((e) => !/Failed to load resource/.test(e))
    );
    assert.deepEqual(errors, []);
  },
});
