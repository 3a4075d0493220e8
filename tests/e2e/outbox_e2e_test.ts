/**
 * Issue 14, defects 1 and 2, in Chromium:
 * - a quick burst of 30 messages, well over the send rate limit, arrives complete and in the
 *   order typed, for the sender and for the reader, with no Retry clicked (the outbox waits for
 *   Retry-After and sends again by itself, later messages behind the refused one);
 * - "Send the mail again" really sends another mail, or says why it did not (too soon).
 */
import assert from "node:assert/strict";
import { DEMO_PASSWORD, logIn, openChannel, type Person, sequence, startE2E } from "./_browser.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1";

/** The "burst NN" messages, in the order shown (a compact row's text ends with its time). */
const shown = (p: Person, _tag: string) =>
  p.page.locator("li.message p.content").evaluateAll((els) =>
    els.map((e) => /^burst \d\d/.exec(e.textContent ?? "")?.[0]).filter((s): s is string => !!s)
  );

Deno.test({
  name: "outbox and mail: a burst over the rate limit arrives whole and in order; resend resends",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    // Three sends at once, then one a second: 30 quick ones meet 429s however slowly the
    // machine types them (they need 27 s at least).
    await using e2e = await startE2E((toml) => {
      (toml.auth!.email as Record<string, unknown>).max_frequency = "2s";
    }, { env: { API_RATE_LIMITS: '{"send":{"capacity":3,"refill_per_sec":1}}' } });
    const alice = await e2e.person();
    const bob = await e2e.person();
    const people = [alice, bob];
    const step = sequence(t, e2e, people, "outbox");

    await step(
      "Alice types 30 messages as fast as she can; both see all 30, in order",
      async () => {
        await logIn(alice.page, e2e.stack.url, "alice@example.com", DEMO_PASSWORD);
        await logIn(bob.page, e2e.stack.url, "bob@example.com", DEMO_PASSWORD);
        await openChannel(alice.page, "general", GENERAL);
        await openChannel(bob.page, "general", GENERAL);
        const box = alice.page.getByRole("textbox", { name: "Message", exact: true });
        const refused: number[] = [];
        alice.page.on("response", (r) => {
          if (r.url().includes("/messages") && r.status() === 429) refused.push(r.status());
        });
        const want = Array.from(
          { length: 30 },
          (_, i) => `burst ${String(i + 1).padStart(2, "0")}`,
        );
        for (const text of want) {
          await box.fill(text);
          await box.press("Enter");
        }
        for (const p of people) {
          let got: string[] = [];
          for (let i = 0; i < 240 && got.length < want.length; i++) {
            got = await shown(p, "burst ");
            if (got.length < want.length) {
              await p.page.waitForTimeout(250);
            }
          }
          assert.deepEqual(got, want, "every message, in the order typed");
        }
        assert.ok(refused.length > 0, "the burst did meet the rate limit");
        // Nothing waits for a click: no failed message, no Retry button.
        assert.equal(await alice.page.getByRole("button", { name: "Retry" }).count(), 0);
        await alice.page.reload();
        await openChannel(alice.page, "general", GENERAL);
        let after: string[] = [];
        for (let i = 0; i < 40 && after.length < want.length; i++) {
          after = await shown(alice, "burst ");
          if (after.length < want.length) await alice.page.waitForTimeout(250);
        }
        assert.deepEqual(after, want, "stored in that order (a reload shows the same)");
      },
    );

    await step("'Send the mail again' resends, or says it is too soon", async () => {
      const p = await e2e.person();
      people.push(p);
      const email = `resend-${crypto.randomUUID().slice(0, 8)}@example.com`;
      await p.page.goto(e2e.stack.url + "/");
      await p.page.getByRole("button", { name: "Create an account" }).click();
      await p.page.getByLabel("Email").fill(email);
      await p.page.getByLabel("Username").fill(`rs${crypto.randomUUID().slice(0, 6)}`);
      await p.page.getByLabel("Password", { exact: true }).fill("Correct-Horse-42");
      await p.page.getByRole("button", { name: "Sign up" }).click();
      await p.page.getByRole("heading", { name: "Check your inbox" }).waitFor();
      assert.equal((await e2e.stack.inbox(email)).length, 1);
      const again = p.page.getByRole("button", { name: "Send the mail again" });
      // At once: too soon (max_frequency), and the page says so instead of "Sent".
      await again.click();
      await p.page.getByRole("alert").waitFor();
      assert.doesNotMatch(await p.page.getByRole("alert").innerText(), /^Sent/);
      assert.equal((await e2e.stack.inbox(email)).length, 1, "nothing was sent");
      // After the interval: a second mail, and the page says it was sent.
      await p.page.waitForTimeout(2200);
      await again.click();
      await p.page.getByText("Sent. Look in your inbox").waitFor();
      const mails = await e2e.stack.inbox(email);
      assert.equal(mails.length, 2, "a second mail went out");
      const code = /\b(\d{6})\b/.exec(mails[0]!.text)?.[1];
      await p.page.getByLabel("Code from the mail").fill(code!);
      await p.page.getByRole("button", { name: "Confirm" }).click();
      await p.page.getByRole("navigation", { name: "Channels" }).waitFor();
    });
  },
});
