import assert from "node:assert/strict";
import type { Api } from "../api.ts";
import { ApiError } from "../api.ts";
import { CH, message } from "./_fixtures.ts";
import { createSaved, type SavedItem } from "./saved.ts";

const item = (id: number): SavedItem => ({
  message_id: id,
  channel_id: CH,
  saved_at: new Date(1_700_000_000_000 + id * 1000).toISOString(),
  message: message(id),
});

function server(answers: Record<string, unknown>) {
  const log: string[] = [];
  const call = (key: string) => {
    log.push(key);
    const a = answers[key];
    return a === undefined
      ? Promise.reject(new ApiError(404, "not_found", key))
      : Promise.resolve(a);
  };
  const api = {
    get: (p: string) => call(`GET ${p}`),
    put: (p: string) => call(`PUT ${p}`),
    del: (p: string) => call(`DELETE ${p}`),
  } as unknown as Pick<Api, "get" | "put" | "del">;
  return { api, log };
}

Deno.test("saved: the saved ids are read once, however often they are asked for", async () => {
  const { api, log } = server({ "GET /me/saved/ids": { ids: [4, 5] } });
  const saved = createSaved({ api });
  await Promise.all([saved.ensure(), saved.ensure()]);
  await saved.ensure();
  assert.ok(saved.isSaved(4) && saved.isSaved(5) && !saved.isSaved(6));
  assert.deepEqual(log, ["GET /me/saved/ids"]);
});

Deno.test("saved: the list comes in pages, following the cursor", async () => {
  const { api, log } = server({
    "GET /me/saved": { items: [item(9), item(8)], next_cursor: "c1" },
    "GET /me/saved?cursor=c1": { items: [item(2)], next_cursor: null },
  });
  const saved = createSaved({ api });
  await saved.load();
  assert.deepEqual(saved.items.value?.map((x) => x.message_id), [9, 8]);
  await saved.load(true);
  assert.deepEqual(saved.items.value?.map((x) => x.message_id), [9, 8, 2]);
  await saved.load(true); // no next page: no request
  assert.equal(log.length, 2);
  assert.equal(saved.next.value, null);
});

Deno.test("saved: save and unsave change the mark and the list at once", async () => {
  const m = message(3);
  const { api } = server({
    "GET /me/saved": { items: [item(1)], next_cursor: null },
    "PUT /messages/3/save": { saved: { message_id: 3, channel_id: CH, saved_at: "2030-01-01" } },
    "DELETE /messages/1/save": { message_id: 1, saved: false },
  });
  const saved = createSaved({ api });
  await saved.load();
  await saved.save(m);
  assert.ok(saved.isSaved(3));
  assert.deepEqual(saved.items.value?.map((x) => x.message_id), [3, 1], "newest first");
  assert.equal(saved.items.value?.[0]?.message, m);
  await saved.unsave(1);
  assert.ok(!saved.isSaved(1));
  assert.deepEqual(saved.items.value?.map((x) => x.message_id), [3]);
});

Deno.test("saved: saved.changed from another tab saves and forgets", () => {
  const { api } = server({});
  const saved = createSaved({ api });
  saved.event("saved.changed", {
    message_id: 6,
    channel_id: CH,
    saved: true,
    saved_at: "2030-01-01",
    message: message(6),
  });
  assert.ok(saved.isSaved(6));
  saved.event("saved.changed", { message_id: 6, channel_id: CH, saved: false });
  assert.ok(!saved.isSaved(6));
  saved.event("mention", { message_id: 7 });
  assert.ok(!saved.isSaved(7));
});

Deno.test("saved: a failed read shows as the error and is tried again next time", async () => {
  const answers: Record<string, unknown> = {};
  const { api, log } = server(answers);
  const saved = createSaved({ api });
  await saved.load();
  assert.ok(saved.error.value);
  await saved.ensure();
  answers["GET /me/saved/ids"] = { ids: [1] };
  await saved.ensure();
  assert.ok(saved.isSaved(1));
  assert.equal(log.filter((l) => l === "GET /me/saved/ids").length, 2);
});
