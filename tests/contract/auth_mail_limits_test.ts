/**
 * Auth mail limits that protect other people: one flooded address is refused after its first
 * mail (429 over_email_send_rate_limit, as GoTrue answers), a refusal spends nothing from the
 * instance-wide cap, an unknown address is refused alike (no account enumeration), and
 * sign-ups and resets for everyone else still get their mails.
 */
import assert from "node:assert/strict";
import type { AuthError } from "@supabase/supabase-js";
import { newEmail, startTestStack, type TestStack } from "../_helpers/stack.ts";

const PASSWORD = "Correct-horse-9";

async function person(stack: TestStack, tag: string): Promise<string> {
  const email = newEmail(tag);
  const { error } = await stack.admin().auth.admin.createUser({
    email,
    password: PASSWORD,
    email_confirm: true,
    user_metadata: { username: `${tag}_${email.slice(tag.length + 1, tag.length + 9)}` },
  });
  assert.equal(error, null);
  return email;
}

/** What each of `n` quick requests got: "ok" or the error's status, code and message. */
async function flood(n: number, ask: () => Promise<{ error: AuthError | null }>) {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const { error } = await ask();
    out.push(error ? `${error.status} ${error.code} ${error.message}` : "ok");
  }
  return out;
}

Deno.test("a flooded address gets one reset mail; an unknown one is refused alike; others still get theirs", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const victim = await person(stack, "victim");
  const other = await person(stack, "other");
  const c = stack.client();

  const answers = await flood(20, () => c.auth.resetPasswordForEmail(victim));
  assert.equal(answers[0], "ok");
  assert.equal(answers.filter((a) => a === "ok").length, 1, "one mail, then refused");
  for (const a of answers.slice(1)) {
    assert.match(
      a,
      /^429 over_email_send_rate_limit For security purposes, you can only request this after \d+ seconds\.$/,
    );
  }
  assert.equal((await stack.inbox(victim)).length, 1, "the address received one mail");

  const ghost = newEmail("ghost");
  const ghostAnswers = await flood(2, () => c.auth.resetPasswordForEmail(ghost));
  assert.deepEqual(
    ghostAnswers.map((a) => a.split(" For")[0]),
    ["ok", "429 over_email_send_rate_limit"],
    "an address without an account answers exactly as one with an account",
  );
  assert.equal((await stack.inbox(ghost)).length, 0);

  const newcomer = newEmail("newcomer");
  const signUp = await c.auth.signUp({
    email: newcomer,
    password: PASSWORD,
    options: { data: { username: `nc_${newcomer.slice(9, 17)}` } },
  });
  assert.equal(signUp.error, null);
  assert.match((await stack.inbox(newcomer))[0]?.subject ?? "", /Confirm/, "sign-up mail sent");
  assert.equal((await c.auth.resetPasswordForEmail(other)).error, null);
  assert.match((await stack.inbox(other))[0]?.subject ?? "", /Reset/, "someone else's reset sent");
});

Deno.test("with no minimum interval, the per-address cap stops a flood before it spends the instance cap", async () => {
  // email_sent 6 → an address may get 1 mail an hour, a client cause 3.
  await using stack = await startTestStack((toml) => {
    const auth = toml.auth as Record<string, Record<string, unknown>>;
    auth.email!.max_frequency = "0s";
    auth.rate_limit!.email_sent = 6;
  });
  if (!stack.local) return;
  const victim = await person(stack, "victim");
  const other = await person(stack, "other");
  const c = stack.client();

  const answers = await flood(15, () => c.auth.resetPasswordForEmail(victim));
  assert.equal(answers.filter((a) => a === "ok").length, 1);
  assert.ok(
    answers.slice(1).every((a) => a === "429 over_email_send_rate_limit Email rate limit exceeded"),
    answers.join("\n"),
  );
  assert.equal((await stack.inbox(victim)).length, 1);

  const newcomer = newEmail("newcomer");
  const signUp = await c.auth.signUp({
    email: newcomer,
    password: PASSWORD,
    options: { data: { username: `nc_${newcomer.slice(9, 17)}` } },
  });
  assert.equal(signUp.error, null, "the instance cap was not spent by the refused requests");
  assert.equal((await stack.inbox(newcomer)).length, 1);
  assert.equal((await c.auth.resetPasswordForEmail(other)).error, null);
  assert.equal((await stack.inbox(other)).length, 1);
});
