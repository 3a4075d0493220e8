import assert from "node:assert/strict";
import { z } from "zod";
import { AppError } from "../_shared/errors.ts";
import { badText, isoInstant, parse, searchCursor } from "./validate.ts";

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof AppError, String(e));
    return `${e.code}: ${e.message}`;
  }
  assert.fail("expected a refusal");
};

Deno.test("badText finds a NUL or an unpaired surrogate anywhere, keys included, and nothing else", () => {
  assert.equal(badText({ a: ["ok", "x\u0000"] }), "a.1");
  assert.equal(badText({ deep: { "k\u0000": 1 } }), "deep.k\u0000");
  assert.equal(badText("\ud800"), "");
  assert.equal(badText(["x\udfffy"]), "0");
  assert.equal(badText({ a: "👍🏽 é \u202e", n: 1, b: null, t: true }), undefined);
});

Deno.test("badText walks a value nested 100,000 deep without running out of stack", () => {
  const deep = JSON.parse("[".repeat(100_000) + '"\\u0000"' + "]".repeat(100_000));
  assert.equal(badText(deep)?.split(".").length, 100_000);
});

Deno.test("parse refuses text Postgres cannot store with 400 and the field's name", () => {
  const Name = z.object({ name: z.string().max(80) });
  assert.equal(
    refusal(() => parse(Name, { name: "a\u0000b" })),
    "validation_failed: name: must not contain NUL characters or unpaired surrogates",
  );
  assert.match(refusal(() => parse(z.string(), "\ud800")), /^validation_failed: must not/);
  // What a schema strips on its way through does not count against it.
  const stripped = z.string().transform((s) => s.replaceAll("\u0000", ""));
  assert.equal(parse(stripped, "a\u0000b"), "ab");
});

Deno.test("isoInstant takes years 0001 to 9999 in UTC only (Postgres and postgres.js refuse the others)", () => {
  for (
    const bad of [
      "0000-01-01T00:00:00Z",
      "0000-12-31T23:59:59-01:00",
      "0001-01-01T00:00:00+14:00",
      "10000-01-01T00:00:00Z",
      "9999-12-31T23:59:59-14:00", // 10000-01-01 in UTC
    ]
  ) {
    assert.match(refusal(() => parse(isoInstant, bad)), /^validation_failed/, bad);
  }
  for (
    const ok of ["2024-05-01T12:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59+14:00"]
  ) {
    assert.equal(parse(isoInstant, ok), ok);
  }
});

Deno.test("searchCursor takes what a page hands out and refuses what no page would", () => {
  assert.deepEqual(parse(searchCursor, "0.0607927:12"), { score: 0.0607927, id: 12 });
  assert.deepEqual(parse(searchCursor, "1e-7:3"), { score: 1e-7, id: 3 });
  assert.deepEqual(parse(searchCursor, "0:1"), { score: 0, id: 1 });
  for (
    const bad of [
      "1e999:1", // Infinity
      "1e39:1", // past a real
      "1e-50:1", // a real underflows to an error
      "0.5:99999999999999999999", // past a bigint
      "0.5:9007199254740993", // past 2^53
      `${"9".repeat(5000)}:1`,
      "NaN:1",
      "-e-:0",
      ":",
      "0.5:-1",
    ]
  ) {
    assert.match(
      refusal(() => parse(searchCursor, bad)),
      /^validation_failed: not a cursor/,
      bad.slice(0, 40),
    );
  }
});
