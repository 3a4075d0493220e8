/**
 * The stack's `/metrics`, as Prometheus scrapes it: Realtime's own counters (connections,
 * joins, frames out, Broadcast from Database fan-out latency, the database link) and the
 * database ping move with real traffic through supabase-js.
 */
import assert from "node:assert/strict";
import { startTestStack } from "../_helpers/stack.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1"; // seed: alice is a member

/** Each unlabelled sample of the scrape, by name. */
async function scrape(url: string): Promise<Map<string, number>> {
  const res = await fetch(`${url}/functions/v1/api/metrics`, {
    headers: { authorization: "Bearer tok" },
  });
  assert.equal(res.status, 200);
  const out = new Map<string, number>();
  for (const m of (await res.text()).matchAll(/^([a-z_]+) ([0-9.e+-]+)$/gm)) {
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

Deno.test("metrics: Realtime's counters and the database ping follow real traffic", async () => {
  await using stack = await startTestStack(() => {}, { env: { METRICS_TOKEN: "tok" } });
  if (!stack.local) return; // a project's METRICS_TOKEN is its own secret
  // Realtime links to the database (its WAL stream) a moment after the stack starts.
  let before = await scrape(stack.url);
  for (let i = 0; i < 200 && before.get("realtime_database_linked") !== 1; i++) {
    await new Promise((r) => setTimeout(r, 50));
    before = await scrape(stack.url);
  }
  assert.equal(before.get("realtime_connections"), 0);
  assert.equal(before.get("realtime_database_linked"), 1);
  assert.equal(before.get("db_up"), 1);
  assert.ok(before.get("db_ping_seconds")! > 0);
  assert.equal(before.get("rate_limited_total"), 0, "declared before the first refusal");

  const client = stack.client();
  const { data } = await client.auth.signInWithPassword({
    email: "alice@example.com",
    password: "chat-demo-2024",
  });
  const token = data.session!.access_token;
  await client.realtime.setAuth(token);
  const heard = Promise.withResolvers<void>();
  const ch = client.channel(`channel:${GENERAL}`, { config: { private: true } });
  ch.on("broadcast", { event: "message.created" }, () => heard.resolve());
  await new Promise<void>((resolve) => ch.subscribe((s) => s === "SUBSCRIBED" && resolve()));
  const res = await fetch(`${stack.url}/functions/v1/api/channels/${GENERAL}/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ content: "counted", client_id: "metrics-1" }),
  });
  assert.equal(res.status, 201);
  await heard.promise;

  const during = await scrape(stack.url);
  assert.equal(during.get("realtime_connections"), 1);
  assert.equal(during.get("realtime_connections_opened_total"), 1);
  assert.equal(during.get("realtime_joins_total"), 1);
  // The join's reply and the message.created broadcast, at least.
  assert.ok(during.get("realtime_frames_out_total")! >= 2);
  assert.equal(during.get("realtime_fanout_seconds_count"), 1);
  assert.ok(during.get("realtime_fanout_seconds_sum")! < 5);
  assert.equal(during.get("messages_sent_total"), 1);

  await client.removeAllChannels();
  client.realtime.disconnect();
  for (let i = 0; i < 100; i++) {
    const after = await scrape(stack.url);
    if (after.get("realtime_disconnects_total") === 1) {
      assert.equal(after.get("realtime_connections"), 0);
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail("the disconnect was not counted");
});
