import assert from "node:assert/strict";
import { ApiError } from "../api.ts";
import type { Message, Shown } from "../types.ts";
import { CH, CH2, ME, message } from "./_fixtures.ts";
import { signal } from "@preact/signals";
import { createOutboxes, OUTBOX_AUTO_RETRIES, postFromOutbox } from "./outbox.ts";

/** A server keeping one copy per client_id, as the API does. */
function server() {
  const rows: Message[] = [];
  let offline = false;
  return {
    rows,
    setOffline: (v: boolean) => (offline = v),
    api: {
      post<T>(_path: string, body: unknown): Promise<T> {
        if (offline) return Promise.reject(new ApiError(0, "network", "offline"));
        const b = body as { content: string; client_id: string };
        const same = rows.find((m) => m.client_id === b.client_id);
        const m = same ?? message(rows.length + 1, { ...b, sender_id: ME });
        if (!same) rows.push(m);
        return Promise.resolve({ message: m } as T);
      },
    },
  };
}

const entry = (client_id: string, content: string): Shown => ({
  ...message(0, { sender_id: ME, client_id, content }),
  id: null,
  state: "sending",
});

Deno.test("a send that fails offline waits, marked, and goes once when retried (twice, even)", async () => {
  const srv = server();
  const boxes = createOutboxes(srv.api);
  srv.setOffline(true);
  boxes.add(CH, entry("c1", "written offline"));
  assert.equal(await boxes.post(CH, boxes.of(CH).value[0]!), null);
  assert.equal(boxes.of(CH).value[0]!.state, "failed");
  assert.equal(boxes.of(CH).value[0]!.error, "offline");
  assert.equal(boxes.unsent(CH), 1);
  assert.deepEqual(boxes.waiting(), [CH]);
  srv.setOffline(false);
  const [a, b] = await Promise.all([boxes.retry(CH), boxes.retry(CH)]);
  assert.equal(a.length + b.length, 1);
  assert.equal(srv.rows.length, 1);
  assert.equal(boxes.of(CH).value.length, 0);
  assert.equal(boxes.unsent(CH), 0);
});

Deno.test("outboxes are per channel; discarding drops one entry", () => {
  const boxes = createOutboxes(server().api);
  boxes.add(CH, entry("c1", "a"));
  boxes.add(CH2, entry("c2", "b"));
  boxes.discard(CH, "c1");
  assert.equal(boxes.of(CH).value.length, 0);
  assert.equal(boxes.of(CH2).value.length, 1);
});

Deno.test("a refusal keeps the server's error code on the entry, for the view to translate", async () => {
  const boxes = createOutboxes({
    post: () => Promise.reject(new ApiError(422, "content_rejected", "That word is not allowed")),
  });
  boxes.add(CH, entry("c1", "bad"));
  await boxes.post(CH, boxes.of(CH).value[0]!);
  assert.equal(boxes.of(CH).value[0]!.error, "content_rejected");
  assert.equal(boxes.of(CH).value[0]!.refused, true, "moderation's no is final: no retry");
});

Deno.test("a burst goes out in the order written; over the rate limit it waits Retry-After and goes on its own", async () => {
  const rows: string[] = [];
  let budget = 3;
  const waits: number[] = [];
  const api = {
    post<T>(_path: string, body: unknown): Promise<T> {
      const b = body as { content: string; client_id: string };
      if (budget === 0) {
        budget = 2; // refilled by the time the writer comes back
        return Promise.reject(new ApiError(429, "rate_limited", "Too many requests", 2));
      }
      budget--;
      // Later sends answer sooner: only the client can keep the order.
      return new Promise((r) =>
        setTimeout(() => {
          rows.push(b.content);
          r({ message: message(rows.length, { ...b, sender_id: ME }) } as T);
        }, 20 - rows.length * 3)
      );
    },
  };
  const outbox = signal<Shown[]>([]);
  const wait = (ms: number) => (waits.push(ms), Promise.resolve());
  const sends = [];
  for (let i = 1; i <= 5; i++) {
    const m = entry(`b${i}`, `burst ${i}`);
    outbox.value = [...outbox.value, m];
    sends.push(postFromOutbox(api, CH, outbox, m, wait));
  }
  const stored = await Promise.all(sends);
  assert.deepEqual(rows, ["burst 1", "burst 2", "burst 3", "burst 4", "burst 5"]);
  assert.ok(stored.every((m) => m !== null), "every one stored, none left to retry by hand");
  assert.deepEqual(waits, [2000], "it waited what Retry-After said, once");
  assert.deepEqual(outbox.value, []);
});

Deno.test("a refusal that sending again cannot change offers no retry, and later messages still go", async () => {
  const api = {
    post<T>(_path: string, body: unknown): Promise<T> {
      const b = body as { content: string; client_id: string };
      if (b.content.includes("forbidden")) {
        return Promise.reject(new ApiError(400, "content_rejected", "Message rejected"));
      }
      return Promise.resolve({ message: message(9, { ...b, sender_id: ME }) } as T);
    },
  };
  const boxes = createOutboxes(api);
  boxes.add(CH, entry("r1", "a forbidden word"));
  boxes.add(CH, entry("r2", "fine"));
  const [a, b] = await Promise.all(boxes.of(CH).value.map((m) => boxes.post(CH, m)));
  assert.equal(a, null);
  assert.ok(b);
  const [left] = boxes.of(CH).value;
  assert.equal(left?.state, "failed");
  assert.equal(left?.refused, true);
  assert.deepEqual(await boxes.retry(CH), [], "retry leaves a refused message alone");
});

Deno.test("a passing server fault (503) is sent again on its own, 1 s then 2 s apart, still 'sending'", async () => {
  const srv = server();
  let faults = 2;
  const states: string[] = [];
  const api = {
    post<T>(path: string, body: unknown): Promise<T> {
      states.push(outbox.value[0]!.state);
      if (faults-- > 0) {
        return Promise.reject(new ApiError(503, "dependency_down", "try again shortly"));
      }
      return srv.api.post<T>(path, body);
    },
  };
  const outbox = signal<Shown[]>([entry("c1", "through a restart")]);
  const waits: number[] = [];
  const stored = await postFromOutbox(api, CH, outbox, outbox.value[0]!, (ms) => {
    waits.push(ms);
    return Promise.resolve();
  });
  assert.equal(stored?.content, "through a restart");
  assert.deepEqual(waits, [1000, 2000]);
  assert.deepEqual(states, ["sending", "sending", "sending"], "never shown as failed meanwhile");
  assert.equal(srv.rows.length, 1);
  assert.deepEqual(outbox.value, []);
});

Deno.test("a fault that lasts shows as failed after the automatic tries, and can be retried by hand", async () => {
  let calls = 0;
  const api = {
    post<T>(): Promise<T> {
      calls++;
      return Promise.reject(new ApiError(503, "dependency_down", "try again shortly"));
    },
  };
  const outbox = signal<Shown[]>([entry("c1", "during an outage")]);
  const waits: number[] = [];
  const stored = await postFromOutbox(api, CH, outbox, outbox.value[0]!, (ms) => {
    waits.push(ms);
    return Promise.resolve();
  });
  assert.equal(stored, null);
  assert.equal(calls, 1 + OUTBOX_AUTO_RETRIES);
  assert.deepEqual(waits, [1000, 2000, 4000, 8000]);
  assert.equal(outbox.value[0]!.state, "failed");
  assert.equal(outbox.value[0]!.error, "dependency_down");
  assert.equal(outbox.value[0]!.refused, undefined, "a retry button is offered");
});
