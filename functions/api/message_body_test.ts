/** What a message body may hold, before any database work: the schema of POST and PATCH. */
import assert from "node:assert/strict";
import { AppError } from "../_shared/errors.ts";
import { MESSAGE_MAX_CHARS } from "../_shared/limits.ts";
import { EditBody, SendBody } from "./messages.ts";
import { parse } from "./validate.ts";

const refusal = (schema: typeof SendBody | typeof EditBody, value: unknown) => {
  try {
    parse(schema, value);
  } catch (e) {
    assert.ok(e instanceof AppError);
    return { code: e.code, message: e.message };
  }
  assert.fail("accepted");
};

Deno.test("a message made only of invisible characters is refused with 400 validation_failed", () => {
  for (const content of ["\u200B\u200D\u2060", "\u3164", "\u00AD \uFEFF", "\u202E\u2066"]) {
    assert.deepEqual(refusal(SendBody, { content, client_id: "c1" }), {
      code: "validation_failed",
      message: content.startsWith("\u202E")
        ? "content: must not be empty"
        : "content: must contain visible characters, not only invisible ones",
    }, JSON.stringify(content));
    assert.equal(refusal(EditBody, { content }).code, "validation_failed");
  }
});

Deno.test("a message is stored without bidirectional overrides, emoji sequences intact", () => {
  const got = parse(SendBody, {
    content: " \u202Eevil\u202C 👩\u200D💻 Grüße ",
    client_id: "c1",
  });
  assert.equal(got.content, "evil 👩\u200D💻 Grüße");
});

Deno.test("the message length limit comes from limits.ts", () => {
  parse(SendBody, { content: "x".repeat(MESSAGE_MAX_CHARS), client_id: "c1" });
  assert.deepEqual(
    refusal(SendBody, { content: "x".repeat(MESSAGE_MAX_CHARS + 1), client_id: "c1" }),
    {
      code: "validation_failed",
      message: `content: must be at most ${MESSAGE_MAX_CHARS} characters`,
    },
  );
});
