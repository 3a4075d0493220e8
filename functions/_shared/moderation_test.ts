import assert from "node:assert/strict";
import { createModerator, hasVisibleText, normalizeText } from "./moderation.ts";

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

const terms = () =>
  createModerator(() =>
    Promise.resolve([
      { term: "badword", action: "reject" as const },
      { term: "darn", action: "mask" as const },
      { term: "дурак", action: "mask" as const },
    ])
  );

Deno.test("a blocked term still matches with an invisible character inside it", async () => {
  const m = terms();
  for (const joiner of ["\u200D", "\u200B", "\u200C", "\u2060", "\u00AD", "\uFEFF", "\u180E"]) {
    const v = await m.check(`this is a bad${joiner}word here`);
    assert.equal(v.outcome, "rejected", `U+${joiner.codePointAt(0)!.toString(16)}`);
  }
});

Deno.test("a blocked term still matches with Cyrillic or Greek look-alike letters", async () => {
  const m = terms();
  assert.equal((await m.check("b\u0430dword")).outcome, "rejected", "Cyrillic а");
  assert.equal((await m.check("badw\u03BFrd")).outcome, "rejected", "Greek ο");
  assert.equal((await m.check("\u0412AD\u0412ORD")).outcome, "ok", "Cyrillic В is not b");
  assert.equal((await m.check("BADW0RD")).outcome, "rejected", "digit zero for o");
});

Deno.test("a blocked term written in full-width letters matches; the rest stays as written", async () => {
  const m = terms();
  assert.equal((await m.check("ｂａｄｗｏｒｄ")).outcome, "rejected");
  assert.deepEqual(await m.check("ｗｅｌｌ ｄａｒｎ ｉｔ"), {
    outcome: "masked",
    text: "ｗｅｌｌ **** ｉｔ",
  });
});

Deno.test("masking covers the original span, dropping the invisible characters inside it", async () => {
  const m = terms();
  assert.deepEqual(await m.check("well d\u200Da\u00ADrn it, D\u0410RN!"), {
    outcome: "masked",
    text: "well **** it, ****!",
  });
  assert.deepEqual(await m.check("ты дурак"), { outcome: "masked", text: "ты *****" });
  assert.deepEqual(await m.check("darn👩‍💻"), { outcome: "masked", text: "****👩‍💻" });
});

Deno.test("ordinary text in other scripts and emoji sequences pass unchanged", async () => {
  const m = terms();
  for (
    const text of [
      "Grüße aus Köln, das ist schön! Straße, Äpfel, Öl.",
      "Привет, как дела? Всё хорошо, спасибо.",
      "Καλημέρα, τι κάνεις;",
      "مرحبا كيف حالك؟",
      "こんにちは、元気ですか？",
      "👩‍💻 coding with 👨‍👩‍👧 and 🏳️‍🌈, thumbs 👍🏽",
    ]
  ) {
    assert.equal(normalizeText(text), text, text);
    assert.ok(hasVisibleText(text), text);
    assert.deepEqual(await m.check(text), { outcome: "ok", text }, text);
  }
});

Deno.test("normalizeText strips bidirectional overrides and isolates, keeps the RTL marks", () => {
  assert.equal(normalizeText("invoice\u202Egnp.exe"), "invoicegnp.exe");
  assert.equal(
    normalizeText("\u202Aa\u202Bb\u202Cc\u202Dd\u2066e\u2067f\u2068g\u2069"),
    "abcdefg",
  );
  assert.equal(normalizeText("abc \u200F(עברית)\u200E"), "abc \u200F(עברית)\u200E");
});

Deno.test("hasVisibleText is false for a message made only of invisible characters", () => {
  for (
    const text of [
      "",
      " \n\t",
      "\u200B\u200D\u2060",
      "\u00AD\uFEFF\u180E",
      "\u3164\u115F\u2800",
      "\u034F\uFE0F\u{E0020}",
    ]
  ) {
    assert.equal(hasVisibleText(text), false, JSON.stringify(text));
  }
  assert.equal(hasVisibleText("\u200B.\u200B"), true);
});
