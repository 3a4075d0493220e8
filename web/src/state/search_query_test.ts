import assert from "node:assert/strict";
import { BOB, CH, CH2 } from "./_fixtures.ts";
import {
  addChips,
  type Chip,
  chipOf,
  dayStart,
  type Resolver,
  splitInput,
  toParams,
  wordsOf,
} from "./search_query.ts";

const kinds = (chips: Chip[]) => chips.map((c) => `${c.kind}=${c.value}`);

const resolver: Resolver = {
  channel: (name) => ({ general: CH, "release notes": CH2 })[name.toLowerCase()] ?? null,
  user: (u) => Promise.resolve(u === "bob" ? BOB : null),
};

Deno.test("chipOf reads every filter and leaves words and links alone", () => {
  assert.deepEqual(
    kinds([
      chipOf("from:@Bob")!,
      chipOf("in:#general")!,
      chipOf('in:"release notes"')!,
      chipOf("before:2025-01-10")!,
      chipOf("after:2025-01-01")!,
      chipOf("has:attachment")!,
      chipOf("is:thread")!,
      chipOf("in:thread")!,
      chipOf("mentions:me")!,
      chipOf("in:archive")!,
    ]),
    [
      "from=bob",
      "in=general",
      "in=release notes",
      "before=2025-01-10",
      "after=2025-01-01",
      "has=attachment",
      "thread=thread",
      "thread=thread",
      "mentions=me",
      "archive=archive",
    ],
  );
  for (const word of ["zebra", "http://x.org/a:b", ":from", "to:bob", '"from:bob"']) {
    assert.equal(chipOf(word), null, word);
  }
});

Deno.test("chipOf marks filters that cannot be used as typed", () => {
  assert.equal(chipOf("before:2025-02-30")!.invalid, "search.bad.date");
  assert.equal(chipOf("after:yesterday")!.invalid, "search.bad.date");
  assert.equal(chipOf("has:pizza")!.invalid, "search.bad.value");
  assert.equal(chipOf("mentions:bob")!.invalid, "search.bad.value");
  assert.equal(chipOf("from:")!.invalid, "search.bad.empty");
  assert.equal(chipOf("from:bob")!.invalid, undefined);
});

Deno.test("splitInput takes out only finished filters; Enter finishes the last", () => {
  const typing = splitInput("zebra from:bob in:gen");
  assert.deepEqual(kinds(typing.chips), ["from=bob"]);
  assert.equal(typing.rest, "zebra in:gen");
  const spaced = splitInput("from:bob ");
  assert.deepEqual(kinds(spaced.chips), ["from=bob"]);
  assert.equal(spaced.rest, "");
  const next = splitInput("zebra in:general ");
  assert.equal(next.rest, "zebra ", "the space typed stays for the next word");
  const enter = splitInput('migration in:"release notes"', { all: true });
  assert.deepEqual(kinds(enter.chips), ["in=release notes"]);
  assert.equal(enter.rest, "migration ", "ready for the next word");
  const untouched = "plain words  here";
  assert.equal(splitInput(untouched).rest, untouched, "no filter: the text as it was");
  const quoted = splitInput('in:"release no');
  assert.deepEqual(quoted.chips, [], "an open quote is still being typed");
});

Deno.test("wordsOf leaves out a filter still being typed", () => {
  assert.equal(wordsOf("zebra from:bo"), "zebra");
  assert.equal(wordsOf("zebra from:bob "), "zebra");
  assert.equal(wordsOf('"exact phrase" zebra'), '"exact phrase" zebra');
});

Deno.test("addChips keeps one chip of a kind, the later one", () => {
  const one = addChips([], [chipOf("from:bob")!, chipOf("has:attachment")!]);
  const two = addChips(one, [chipOf("from:carol")!, chipOf("has:attachments")!]);
  assert.deepEqual(kinds(two), ["from=carol", "has=attachment"]);
});

Deno.test("dayStart is local midnight and refuses dates that do not exist", () => {
  assert.equal(dayStart("2025-03-09")!.getTime(), new Date(2025, 2, 9).getTime());
  assert.equal(dayStart("2025-12-31", 1)!.getTime(), new Date(2026, 0, 1).getTime());
  assert.equal(dayStart("2025-13-01"), null);
  assert.equal(dayStart("25-01-01"), null);
});

Deno.test("toParams maps chips to GET /search's parameters", async () => {
  const chips = [
    "from:bob",
    "in:General",
    "before:2025-01-10",
    "after:2025-01-01",
    "has:attachment",
    "is:thread",
    "mentions:me",
    "in:archive",
  ].map((t) => chipOf(t)!);
  const r = await toParams(" zebra ", chips, resolver);
  assert.deepEqual(r, {
    ok: true,
    params: {
      q: "zebra",
      sender_id: BOB,
      channel_id: CH,
      before: new Date(2025, 0, 10).toISOString(),
      after: new Date(2025, 0, 2).toISOString(),
      has: "attachment",
      in: "thread",
      mentions: "me",
      archive: "true",
    },
  });
});

Deno.test("toParams names the chip that cannot be resolved", async () => {
  const nobody = await toParams("x", [chipOf("from:nobody")!], resolver);
  assert.equal(nobody.ok, false);
  assert.equal(!nobody.ok && nobody.reason, "search.bad.user");
  const nowhere = await toParams("x", [chipOf("in:nowhere")!], resolver);
  assert.equal(!nowhere.ok && nowhere.reason, "search.bad.channel");
  const bad = await toParams("x", [chipOf("before:soon")!], resolver);
  assert.equal(!bad.ok && bad.reason, "search.bad.date");
});
