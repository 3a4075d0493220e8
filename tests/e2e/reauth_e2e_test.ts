/// <reference lib="dom" />
/**
 * Changing the password from the profile with `[auth.email] secure_password_change` on, as
 * `supabase/config.toml` has it: from a fresh session it changes at once; from a session that
 * began more than 24 hours ago (moved back in the database rather than waited for) Auth asks to
 * reauthenticate, so the profile mails a code, says where, takes it (a wrong one is refused,
 * and a new one can be sent), and the new password signs in. Mails are read from the local
 * inbox. `max_frequency` is shortened so "Send the code again" need not wait a minute.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { codeIn, type TestStack } from "../_helpers/stack.ts";
import { DEMO_PASSWORD, e2eTest, eventually, logIn } from "./_browser.ts";

const DAVE = "dave@example.com";
const NEW_PASSWORD = "Reauth-horse-42";

/** `email`'s sessions began a day and an hour ago, and were last refreshed then. */
async function ageSessions(stack: TestStack, email: string) {
  const aged = await stack.db!.admin`
    update auth.sessions
       set created_at = now() - interval '25 hours',
           refreshed_at = (now() at time zone 'utc') - interval '25 hours'
     where user_id = (select id from auth.users where email = ${email})`;
  assert.ok(aged.count > 0, "the signed-in session is in the database");
}

/** The newest reauthentication mail to `email` (the one that just came), its code. */
async function mailedCode(stack: TestStack, email: string, notBefore: number): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const mails = (await stack.inbox(email)).filter((m) => m.subject === "Confirm it is you");
    if (mails.length > notBefore) return codeIn(mails[0]!.text);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no new reauthentication mail to ${email}`);
}

/** In the open profile: the new password, twice, then "Change password". */
async function changePassword(page: Page, password: string) {
  await page.getByLabel("New password", { exact: true }).fill(password);
  await page.getByLabel("Repeat the new password").fill(password);
  await page.getByRole("button", { name: "Change password" }).click();
}

e2eTest(
  "reauthentication: an old session changes the password with a mailed code",
  "reauth",
  async ({ e2e, url, step, person }) => {
    const stack = e2e.stack;
    const dave = await person();
    const page = dave.page;
    let code = "";

    await step("from a fresh session the password changes without a code", async () => {
      const carol = await person();
      await logIn(carol.page, url, "carol@example.com");
      await carol.page.getByRole("button", { name: "Your profile" }).click();
      await changePassword(carol.page, "Fresh-session-9");
      await carol.page.getByText("Password changed.").waitFor();
      assert.equal(await carol.page.getByLabel("Code from the mail").count(), 0);
    });

    await step("Dave's session is a day old; changing the password mails him a code", async () => {
      await logIn(page, url, DAVE);
      await ageSessions(stack, DAVE);
      await page.getByRole("button", { name: "Your profile" }).click();
      await changePassword(page, NEW_PASSWORD);
      await page.getByText(`We sent a code to ${DAVE}`).waitFor();
      await page.getByLabel("Code from the mail").waitFor();
      await e2e.shot(page, "reauth-code");
      code = await mailedCode(stack, DAVE, 0);
      assert.match(code, /^\d{6}$/);
    });

    await step("a wrong code is refused, and he asks for the code again", async () => {
      await page.getByLabel("Code from the mail").fill(code === "000000" ? "111111" : "000000");
      await page.getByRole("button", { name: "Change password" }).click();
      await page.getByRole("alert").getByText("That confirmation code is wrong or has expired.")
        .waitFor();
      await page.getByRole("button", { name: "Send the code again" }).click();
      await page.getByText(`We sent a new code to ${DAVE}`).waitFor();
      code = await mailedCode(stack, DAVE, 1);
    });

    await step("the mailed code changes the password", async () => {
      await page.getByLabel("Code from the mail").fill(code);
      await page.getByRole("button", { name: "Change password" }).click();
      await page.getByText("Password changed.").waitFor();
      await eventually(async () =>
        assert.equal(await page.getByLabel("Code from the mail").count(), 0, "the code field goes")
      );
      await e2e.shot(page, "reauth-done");
    });

    await step("the new password signs in, the old one does not", async () => {
      await page.getByLabel("Close").click();
      await page.getByRole("button", { name: "Log out" }).click();
      await page.getByRole("heading", { name: "Log in" }).waitFor();
      await page.getByLabel("Email").fill(DAVE);
      await page.getByLabel("Password").fill(DEMO_PASSWORD);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.getByRole("alert").waitFor();
      await logIn(page, url, DAVE, NEW_PASSWORD);
    });

    await step("nothing failed in the page but Auth's expected refusals", () => {
      const unexpected = dave.errors.filter((e) =>
        !/^HTTP (400|422) (PUT \S+\/auth\/v1\/user|POST \S+\/auth\/v1\/token)/.test(e) &&
        !/Failed to load resource: the server responded with a status of (400|422)/.test(e)
      );
      assert.deepEqual(unexpected, []);
    });
  },
  {
    tweak: (toml) => {
      const auth = toml.auth as Record<string, Record<string, unknown>>;
      auth.email!.max_frequency = "1ms";
    },
  },
);
