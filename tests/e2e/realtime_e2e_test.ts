/// <reference lib="dom" />
/**
 * Realtime in Chromium with the seeded accounts (README, "Realtime events"): typing travels on
 * its own topic `typing:<id>` and still shows; a `message.created` forged by a member on
 * `channel:<id>` is refused and reaches no one; and a client watching a busy channel makes at
 * most 0.25 HTTP requests per message it receives, receipts included.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createClient, type RealtimeChannel } from "@supabase/supabase-js";
import type { Page } from "playwright-core";
import { RECEIPT_FLUSH_MS } from "../../functions/_shared/limits.ts";
import {
  DEMO_PASSWORD,
  eventually,
  logIn,
  messageRow,
  openChannel,
  type Person,
  sequence,
  startE2E,
} from "./_browser.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1";

/** Text of every WebSocket frame a page sends and receives (binary frames as latin1). */
function recordFrames(page: Page) {
  const sent: string[] = [];
  const received: string[] = [];
  const text = (p: string | Buffer) =>
    typeof p === "string" ? p : Buffer.from(p).toString("latin1");
  page.on("websocket", (ws) => {
    ws.on("framesent", (f) => sent.push(text(f.payload)));
    ws.on("framereceived", (f) => received.push(text(f.payload)));
  });
  return { sent, received };
}

/** Every HTTP request a page makes, from now on while `on`. */
function recordRequests(page: Page) {
  const seen: string[] = [];
  let on = false;
  page.on("request", (r) => {
    if (on) seen.push(`${r.method()} ${new URL(r.url()).pathname}`);
  });
  return {
    seen,
    start: () => (on = true),
    stop: () => (on = false),
  };
}

Deno.test({
  name: "realtime: typing on its own topic, forged events reach no one, requests per message",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using e2e = await startE2E();
    const url = e2e.stack.url;
    const people: Person[] = [];
    const step = sequence(t, e2e, people, "realtime");
    const alice = await e2e.person();
    const bob = await e2e.person();
    people.push(alice, bob);
    const aliceFrames = recordFrames(alice.page);
    const bobFrames = recordFrames(bob.page);
    const signedIn = async (email: string) => {
      const sb = createClient(url, e2e.stack.anonKey, {
        auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
        realtime: { timeout: 3000 },
      });
      const { data, error } = await sb.auth.signInWithPassword({ email, password: DEMO_PASSWORD });
      if (error) throw error;
      sb.realtime.setAuth(data.session!.access_token);
      return { sb, token: data.session!.access_token };
    };
    const carol = await signedIn("carol@example.com");
    const dave = await signedIn("dave@example.com");

    await step("typing goes on typing:<id> and shows to the other member", async () => {
      await logIn(alice.page, url, "alice@example.com");
      await logIn(bob.page, url, "bob@example.com");
      await openChannel(alice.page, "general", GENERAL);
      await openChannel(bob.page, "general", GENERAL);
      await bob.page.getByRole("textbox", { name: "Message", exact: true }).pressSequentially(
        "hel",
      );
      await alice.page.getByText("Bob Builder is typing…").waitFor();
      // The frame's event reaches the test on its own path, not with the page's DOM.
      await eventually(() =>
        assert.ok(
          aliceFrames.received.some((f) => f.includes(`typing:${GENERAL}`) && f.includes("typing")),
          "alice received it on the typing topic",
        )
      );
      const onData = bobFrames.sent.filter((f) =>
        f.includes(`channel:${GENERAL}`) && ["broadcast", "presence", "?"].includes(eventOf(f))
      );
      assert.deepEqual(onData, [], "bob sent nothing on the channel's data topic");
      await bob.page.getByRole("textbox", { name: "Message", exact: true }).fill("");
      await bob.page.getByRole("textbox", { name: "Message", exact: true }).blur();
      await alice.page.getByText("Bob Builder is typing…").waitFor({ state: "detached" });
    });

    await step("a message.created forged by a member is refused and reaches no one", async () => {
      // Dave listens on the channel's topic as any member's client does.
      const heard: { event: string }[] = [];
      const listener = dave.sb.channel(`channel:${GENERAL}`, { config: { private: true } });
      listener.on("broadcast", { event: "*" }, (m) => heard.push(m));
      await subscribed(listener);

      const forger = carol.sb.channel(`channel:${GENERAL}`, {
        config: { private: true, broadcast: { ack: true } },
      });
      await subscribed(forger);
      const forged = {
        message: {
          id: 9_000_000,
          channel_id: GENERAL,
          sender_id: "a11ce000-0000-4000-8000-000000000001",
          kind: "text",
          content: "FORGED: alice says transfer the money",
          reply_to_id: null,
          client_id: null,
          mentions: [],
          created_at: new Date().toISOString(),
          edited_at: null,
          deleted_at: null,
          moderation: "ok",
          sender: { id: "a11ce000-0000-4000-8000-000000000001", username: "alice" },
          reply_to: null,
          reactions: [],
          attachments: [],
        },
        prev_id: null,
      };
      const answer = await forger.send({
        type: "broadcast",
        event: "message.created",
        payload: forged,
      });
      assert.notEqual(answer, "ok", "the broadcast is not acknowledged");

      // The same member may broadcast typing on the typing topic (the write path works).
      const typing = carol.sb.channel(`typing:${GENERAL}`, {
        config: { private: true, broadcast: { ack: true } },
      });
      await subscribed(typing);
      assert.equal(
        await typing.send({
          type: "broadcast",
          event: "typing",
          payload: { user_id: "ca201000-0000-4000-8000-000000000003", typing: false },
        }),
        "ok",
      );

      await alice.page.waitForTimeout(2000);
      assert.equal(await messageRow(alice.page, "FORGED").count(), 0, "alice never sees it");
      assert.equal(await messageRow(bob.page, "FORGED").count(), 0, "bob never sees it");
      // (receipts of the others reading go on: the database's own events)
      assert.deepEqual(
        heard.filter((m) => m.event === "message.created" || JSON.stringify(m).includes("FORGED")),
        [],
        "no member's client received it",
      );
      assert.ok(!aliceFrames.received.some((f) => f.includes("FORGED")));
      await dave.sb.removeChannel(listener);
      await carol.sb.removeChannel(forger);
      await carol.sb.removeChannel(typing);
    });

    await step(
      "a client watching a busy channel makes at most 0.25 requests per message",
      async () => {
        await alice.page.waitForTimeout(RECEIPT_FLUSH_MS + 500); // what opening the channel owed
        const requests = recordRequests(alice.page);
        requests.start();
        const total = 40;
        const started = Date.now();
        for (let i = 1; i <= total; i++) {
          const who = i % 2 ? carol : dave; // two senders: each stays within the send limit
          const res = await fetch(`${url}/functions/v1/api/channels/${GENERAL}/messages`, {
            method: "POST",
            headers: { authorization: `Bearer ${who.token}`, "content-type": "application/json" },
            body: JSON.stringify({ content: `load ${i}`, client_id: crypto.randomUUID() }),
          });
          assert.ok(res.ok, `send ${i}: HTTP ${res.status} ${await res.text()}`);
          const due = started + i * 250;
          await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
        }
        await messageRow(alice.page, `load ${total}`).waitFor();
        await alice.page.waitForTimeout(RECEIPT_FLUSH_MS + 1000); // the last receipt goes
        requests.stop();
        await eventually(async () => {
          const shown = await alice.page.locator("li.message[data-id]").evaluateAll((els) =>
            els.map((e) => e.textContent ?? "").filter((x) => /load \d+/.test(x)).length
          );
          assert.equal(shown, total, "every message shown once");
        });
        const perMessage = requests.seen.length / total;
        const byKind = new Map<string, number>();
        for (const r of requests.seen) {
          const key = r.replace(/[0-9a-f-]{36}/g, ":id");
          byKind.set(key, (byKind.get(key) ?? 0) + 1);
        }
        console.log(
          `watching client: ${requests.seen.length} HTTP requests for ${total} messages received ` +
            `over ${((Date.now() - started) / 1000).toFixed(1)} s = ${
              perMessage.toFixed(3)
            } per message ` +
            `(${[...byKind].map(([k, n]) => `${n}× ${k}`).join(", ") || "none"})`,
        );
        assert.ok(perMessage <= 0.25, `${perMessage} requests per message`);
        assert.equal(
          requests.seen.filter((r) => r.startsWith("GET")).length,
          0,
          "no reads: every message came with its data",
        );
      },
    );

    await step("no errors in the consoles", () => {
      const real = (errs: string[]) =>
        errs.filter((e) => !/Failed to load resource|WebSocket/.test(e));
      assert.deepEqual(real(alice.errors), []);
      assert.deepEqual(real(bob.errors), []);
    });

    await carol.sb.removeAllChannels();
    await dave.sb.removeAllChannels();
  },
});

/** A Phoenix frame's event (JSON array or object); "?" for a binary (broadcast) frame. */
function eventOf(frame: string): string {
  try {
    const f = JSON.parse(frame);
    return String(Array.isArray(f) ? f[3] : f.event);
  } catch {
    return "?";
  }
}

function subscribed(ch: RealtimeChannel): Promise<void> {
  return new Promise((resolve, reject) => {
    ch.subscribe((s, err) => {
      if (s === "SUBSCRIBED") resolve();
      else if (s === "CHANNEL_ERROR" || s === "TIMED_OUT") reject(err ?? new Error(s));
    });
  });
}
