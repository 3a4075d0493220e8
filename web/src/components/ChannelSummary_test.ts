import assert from "node:assert/strict";
import { summaryLines } from "./ChannelSummary.tsx";

Deno.test("summaryLines keeps one point a line, from the API's list or from text", () => {
  assert.deepEqual(summaryLines(["bob: first point.", " carol: second. ", ""]), [
    "bob: first point.",
    "carol: second.",
  ]);
  assert.deepEqual(summaryLines("bob: one\n\ncarol: two"), ["bob: one", "carol: two"]);
  assert.deepEqual(summaryLines([]), []);
  assert.deepEqual(summaryLines(null), []);
});
