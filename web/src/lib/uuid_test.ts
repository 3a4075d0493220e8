import assert from "node:assert/strict";
import { uuid } from "./uuid.ts";

Deno.test("uuid makes distinct v4 UUIDs", () => {
  const a = uuid();
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(a, uuid());
});
