import assert from "node:assert/strict";
import { shownError } from "./use_action.ts";
import { ApiError } from "../api.ts";
import { lang } from "../i18n/mod.ts";

Deno.test("an action's error is shown in the reader's language: coded errors mapped, words kept", () => {
  lang.value = "de";
  try {
    const refused = shownError(new ApiError(403, "forbidden", "Not a member of this channel"));
    assert.doesNotMatch(refused, /Not a member/, "not the server's English");
    assert.equal(shownError(new Error("Schon übersetzt")), "Schon übersetzt");
  } finally {
    lang.value = "en";
  }
});
