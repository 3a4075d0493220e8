import assert from "node:assert/strict";
import { createModerator, normalizeText } from "./moderation.ts";

Deno.test("moderation rejects, masks and flags by the admin's terms, and masks profanity in leetspeak", async () => {
  let loads = 0;
  const m = createModerator(() => {
    loads++;
    return Promise.resolve([
      { term: "badword", action: "reject" as const },
      { term: "darn", action: "mask" as const },
      { term: "spoiler", action: "flag" as const },
    ]);
  });
  assert.equal((await m.check("this has a BadWord in it")).outcome, "rejected");
  assert.deepEqual(await m.check("well darn it"), { outcome: "masked", text: "well **** it" });
  assert.equal((await m.check("huge spoiler ahead")).outcome, "flagged");
  assert.equal((await m.check("darned fine")).outcome, "ok", "whole words only");
  const leet = await m.check("you are a fvck1ng idiot");
  assert.equal(leet.outcome, "masked");
  assert.doesNotMatch(leet.text, /fvck/);
  assert.deepEqual(await m.check("@assistant @sassy_cat hi"), {
    outcome: "ok",
    text: "@assistant @sassy_cat hi",
  }, "mentions are left alone");
  assert.equal(loads, 1, "terms are cached");
  m.invalidate();
  await m.check("hello");
  assert.equal(loads, 2, "invalidate reloads them");
});

Deno.test("normalizeText applies NFC, removes control characters and the search markers, trims", () => {
  assert.equal(normalizeText("  e\u0301cole\u0000\u0002x\u0003\n ok\t "), "école" + "x\n ok");
});

Deno.test("moderation leaves UUIDs, hashes and URLs alone, but not leetspeak words", async () => {
  const m = createModerator(() => Promise.resolve([]));
  for (
    const text of [
      "45b7d176-5f19-4a55-9a45-51ab2c37e269.png",
      "commit 4a55b3e9 fixed it",
      "see https://example.com/4a55/x",
      "colour #a55a55",
    ]
  ) {
    assert.deepEqual(await m.check(text), { outcome: "ok", text }, text);
  }
  assert.equal((await m.check("f4ck you")).outcome, "masked");
  assert.equal((await m.check("4a55")).outcome, "masked", "too short to be an id");
});
