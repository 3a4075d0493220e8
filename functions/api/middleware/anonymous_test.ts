import assert from "node:assert/strict";
import { Hono } from "hono";
import { AppError } from "../../_shared/errors.ts";
import type { AuthEnv, Claims } from "./auth.ts";
import { guestsReadOnly } from "./anonymous.ts";

function app(claims: Partial<Claims> & { is_anonymous?: boolean }) {
  const a = new Hono<AuthEnv>().basePath("/api");
  a.use("*", async (c, next) => {
    c.set("claims", { sub: "u1", role: "authenticated", ...claims } as Claims);
    await next();
  });
  a.use("*", guestsReadOnly());
  a.all("*", (c) => c.json({ ok: true }));
  a.onError((e, c) =>
    e instanceof AppError
      ? c.json({ error: { code: e.code, message: e.message } }, 403)
      : c.text("", 500)
  );
  return a;
}

Deno.test("a guest's write is refused with 403 forbidden and a sentence saying why", async () => {
  const res = await app({ is_anonymous: true }).request("/api/channels/c1/messages", {
    method: "POST",
  });
  assert.equal(res.status, 403);
  const body = await res.json();
  assert.equal(body.error.code, "forbidden");
  assert.match(body.error.message, /Guests can read but not post/);
});

Deno.test("a guest reads, joins, leaves and marks read", async () => {
  const guest = app({ is_anonymous: true });
  for (
    const [method, path] of [
      ["GET", "/api/channels/public"],
      ["POST", "/api/channels/c1/join"],
      ["POST", "/api/channels/c1/leave"],
      ["POST", "/api/channels/c1/receipts"],
      ["POST", "/api/messages/7/thread/read"],
      ["POST", "/api/me/seen"],
    ] as const
  ) {
    assert.equal((await guest.request(path, { method })).status, 200, `${method} ${path}`);
  }
  assert.equal((await guest.request("/api/channels/c1/join/x", { method: "POST" })).status, 403);
});

Deno.test("a permanent user's writes pass untouched", async () => {
  for (const claims of [{ is_anonymous: false }, {}]) {
    const res = await app(claims).request("/api/channels/c1/messages", { method: "POST" });
    assert.equal(res.status, 200);
  }
});
