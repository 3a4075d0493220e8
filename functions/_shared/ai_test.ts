import assert from "node:assert/strict";
import { localAi } from "./ai.ts";

Deno.test("local AI: lexicon sentiment, and an extractive summary of the sentences that matter", async () => {
  const ai = localAi();
  assert.equal((await ai.sentiment("I love this, it is great and wonderful")).label, "positive");
  assert.equal((await ai.sentiment("this is terrible, awful and broken")).label, "negative");
  assert.equal((await ai.sentiment("the meeting is at noon")).label, "neutral");
  const summary = await ai.summarize([
    {
      author: "alice",
      content: "The release is planned for Friday. Please test the release build today.",
    },
    { author: "bob", content: "lol ok" },
    {
      author: "carol",
      content: "The release build fails on the login page. I am fixing the login page now.",
    },
    { author: "dave", content: "Anyone up for lunch?" },
  ], 2);
  assert.equal(summary.length, 2);
  assert.ok(summary.every((s) => /release|login/.test(s)), summary.join(" | "));
  assert.match(summary[0]!, /^alice: /, "kept in their original order, with their authors");
});
