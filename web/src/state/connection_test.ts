import assert from "node:assert/strict";
import { fakeEnv } from "./_fake_env.ts";
import { createConnection } from "./connection.ts";

Deno.test("online once every topic is subscribed; a second SUBSCRIBED is a rejoin", () => {
  const f = fakeEnv();
  const c = createConnection({ env: f.env });
  assert.equal(c.connection.value, "connecting");
  assert.equal(c.report("user:me", "SUBSCRIBED"), "first");
  assert.equal(c.report("channel:a", "CHANNEL_ERROR"), null);
  assert.equal(c.connection.value, "connecting");
  assert.equal(c.report("channel:a", "SUBSCRIBED"), "first");
  assert.equal(c.connection.value, "online");
  f.state.online = false;
  c.dropped();
  assert.equal(c.connection.value, "offline");
  f.state.online = true;
  c.refresh();
  assert.equal(c.connection.value, "connecting");
  assert.equal(c.report("channel:a", "SUBSCRIBED"), "again");
  c.forget("user:me");
  assert.equal(c.connection.value, "online");
  assert.equal(c.report("user:me", "SUBSCRIBED"), "first", "forgotten: a new first join");
});
