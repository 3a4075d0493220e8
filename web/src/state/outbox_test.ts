import assert from "node:assert/strict";
import { ApiError } from "../api.ts";
import type { Message, Shown } from "../types.ts";
import { CH, CH2, ME, message } from "./_fixtures.ts";
import { createOutboxes } from "./outbox.ts";

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

Deno.test("a refusal keeps the server's reason on the entry", async () => {
  const boxes = createOutboxes({
    post: () => Promise.reject(new ApiError(422, "blocked_term", "That word is not allowed")),
  });
  boxes.add(CH, entry("c1", "bad"));
  await boxes.post(CH, boxes.of(CH).value[0]!);
  assert.equal(boxes.of(CH).value[0]!.error, "That word is not allowed");
});
