import assert from "node:assert/strict";
import { Hono } from "hono";
import { AppError } from "../../_shared/errors.ts";
import { deadline, type DeadlineEnv } from "./deadline.ts";

function app(ms: number, seen: AbortSignal[] = []) {
  const a = new Hono<DeadlineEnv>();
  a.use("*", deadline({ ms }));
  a.get("/fast", (c) => {
    seen.push(c.get("deadline")!);
    return c.json({ aborted: c.get("deadline")?.aborted });
  });
  a.get("/slow", async (c) => {
    await new Promise((r) => setTimeout(r, ms * 4));
    return c.json({});
  });
  a.onError((e, c) => c.json({ code: e instanceof AppError ? e.code : "?" }, 503));
  return a;
}

// The deadline's timer is cleared when the request ends: it does not fire later (building an
// abort and a DOMException for every request that was answered long ago).
Deno.test("deadline: a quick request's timer is cleared, never fires", async () => {
  const seen: AbortSignal[] = [];
  const res = await app(30, seen).request("/fast");
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { aborted: false });
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(seen[0]!.aborted, false);
});

Deno.test("deadline: a request past it is answered 503 dependency_down", async () => {
  const t0 = performance.now();
  const res = await app(50).request("/slow");
  assert.equal(res.status, 503);
  assert.deepEqual(await res.json(), { code: "dependency_down" });
  assert.ok(performance.now() - t0 < 190, "answered at the deadline, not when the work ended");
  await new Promise((r) => setTimeout(r, 200)); // the abandoned work's own timer
});
