import assert from "node:assert/strict";
import { AuthError } from "./errors.ts";
import { mailBudgets, MailLimits } from "./mail_limits.ts";

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const refusal = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    assert.ok(e instanceof AuthError);
    assert.equal(e.status, 429);
    assert.equal(e.code, "over_email_send_rate_limit");
    return e.message;
  }
};

Deno.test("mailBudgets gives an address a fifth of the cap (at most 5) and a client half", () => {
  assert.deepEqual(mailBudgets(30), { perAddress: 5, perClient: 15 });
  assert.deepEqual(mailBudgets(2), { perAddress: 1, perClient: 1 });
  assert.deepEqual(mailBudgets(1000), { perAddress: 5, perClient: 500 });
});

Deno.test("a second mail of a kind within max_frequency is refused with GoTrue's message", () => {
  const c = clock();
  const limits = new MailLimits(
    { maxFrequencyMs: 60_000, perInstance: 30, perAddress: 5, perClient: 15 },
    c.now,
  );
  // What the database would say: when the user's last mail of each kind went.
  const sentAt = new Map<string, Date>();
  const ask = (kind = "recovery") => () => {
    limits.admit({
      kind,
      address: "A@x.test",
      client: "1.1.1.1",
      lastSentAt: sentAt.get(kind),
      send: true,
    });
    sentAt.set(kind, new Date(c.now()));
  };
  assert.equal(refusal(ask()), undefined);
  c.advance(20_000);
  assert.equal(
    refusal(ask()),
    "For security purposes, you can only request this after 40 seconds.",
  );
  assert.equal(refusal(ask("signup")), undefined, "another kind has its own interval");
  c.advance(40_000);
  assert.equal(refusal(ask()), undefined, "after the interval it goes again");
});

Deno.test("the database's last send counts too (it survives a restart)", () => {
  const c = clock();
  const limits = new MailLimits(
    { maxFrequencyMs: 60_000, perInstance: 30, perAddress: 5, perClient: 15 },
    c.now,
  );
  const msg = refusal(() =>
    limits.admit({
      kind: "recovery",
      address: "a@x.test",
      client: "1.1.1.1",
      lastSentAt: new Date(c.now() - 50_000),
      send: true,
    })
  );
  assert.match(msg ?? "", /after 10 seconds/);
});

Deno.test("one address gets at most perAddress mails an hour; refusals spend nothing from the cap", () => {
  const c = clock();
  const limits = new MailLimits(
    { maxFrequencyMs: 0, perInstance: 10, perAddress: 3, perClient: 100 },
    c.now,
  );
  const to = (address: string, client = "1.1.1.1") => () =>
    limits.admit({ kind: "recovery", address, client, lastSentAt: null, send: true });
  const flood = Array.from({ length: 50 }, () => refusal(to("victim@x.test")));
  assert.equal(flood.filter((m) => m === undefined).length, 3, "three mails, then refused");
  assert.ok(flood.slice(3).every((m) => m === "Email rate limit exceeded"));
  // 3 of the instance's 10 are spent: seven other people still get theirs.
  for (let i = 0; i < 7; i++) assert.equal(refusal(to(`p${i}@x.test`)), undefined);
  assert.equal(refusal(to("late@x.test")), "Email rate limit exceeded", "the cap itself holds");
  c.advance(60 * 60_000);
  assert.equal(refusal(to("victim@x.test")), undefined, "an hour later the address may again");
});

Deno.test("one client causes at most perClient mails an hour, whatever the addresses", () => {
  const c = clock();
  const limits = new MailLimits(
    { maxFrequencyMs: 0, perInstance: 10, perAddress: 5, perClient: 4 },
    c.now,
  );
  const from = (client: string, address: string) => () =>
    limits.admit({ kind: "signup", address, client, lastSentAt: null, send: true });
  const sent = Array.from({ length: 20 }, (_, i) => refusal(from("6.6.6.6", `n${i}@x.test`)));
  assert.equal(sent.filter((m) => m === undefined).length, 4);
  for (let i = 0; i < 4; i++) {
    assert.equal(refusal(from("2.2.2.2", `o${i}@x.test`)), undefined, "others still get mail");
  }
  assert.equal(refusal(from("3.3.3.3", "p@x.test")), undefined, "and the cap still has room");
});

Deno.test("an unknown address is judged and charged like a known one", () => {
  const c = clock();
  const limits = new MailLimits(
    { maxFrequencyMs: 60_000, perInstance: 1, perAddress: 5, perClient: 1 },
    c.now,
  );
  const ghost = () =>
    limits.admit({
      kind: "recovery",
      address: "ghost@x.test",
      client: "1.1.1.1",
      lastSentAt: null,
      send: false,
    });
  assert.equal(refusal(ghost), undefined);
  assert.match(refusal(ghost) ?? "", /after 60 seconds/, "a repeat is refused as for a real user");
  assert.equal(
    refusal(() =>
      limits.admit({
        kind: "recovery",
        address: "real@x.test",
        client: "1.1.1.1",
        lastSentAt: null,
        send: true,
      })
    ),
    "Email rate limit exceeded",
    "the unknown address spent the client's one mail, as a known one would",
  );
});
