import assert from "node:assert/strict";
import { lang, LANGUAGES, missingKeys, t } from "./mod.ts";

Deno.test("every language has every string English has", () => {
  for (const l of Object.keys(LANGUAGES) as (keyof typeof LANGUAGES)[]) {
    assert.deepEqual(missingKeys(l), [], `missing in ${l}`);
  }
});

Deno.test("plurals follow Intl.PluralRules and numbers the language's format", () => {
  lang.value = "en";
  assert.equal(t("channels.unread", { count: 1 }), "1 unread message");
  assert.equal(t("channels.unread", { count: 1200 }), "1,200 unread messages");
  lang.value = "de";
  assert.equal(t("channels.unread", { count: 1 }), "1 ungelesene Nachricht");
  assert.equal(t("channels.unread", { count: 1200 }), "1.200 ungelesene Nachrichten");
  assert.equal(t("composer.label"), "Nachricht");
  lang.value = "en";
});

Deno.test("a missing key shows the key, a missing placeholder stays visible", () => {
  assert.equal(t("no.such.key"), "no.such.key");
  assert.equal(t("typing.one"), "{name} is typing…");
});
