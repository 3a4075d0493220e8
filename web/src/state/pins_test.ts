import assert from "node:assert/strict";
import type { Api } from "../api.ts";
import { ApiError } from "../api.ts";
import { BOB, CH, CH2, ME, message } from "./_fixtures.ts";
import { createPins, type Pin } from "./pins.ts";

const pinOf = (id: number, at: number, channel = CH): Pin => ({
  message_id: id,
  channel_id: channel,
  pinned_by: BOB,
  pinned_by_name: "bob",
  pinned_at: new Date(1_700_000_000_000 + at * 1000).toISOString(),
  message: message(id, { channel_id: channel }),
});

/** An API that answers from `answers` by "METHOD path" and logs every request. */
function server(answers: Record<string, unknown | (() => Promise<unknown>)>) {
  const log: string[] = [];
  const call = async (key: string) => {
    log.push(key);
    const a = answers[key];
    if (a === undefined) throw new ApiError(404, "not_found", key);
    return typeof a === "function" ? await (a as () => Promise<unknown>)() : a;
  };
  const api = {
    get: (p: string) => call(`GET ${p}`),
    put: (p: string) => call(`PUT ${p}`),
    del: (p: string) => call(`DELETE ${p}`),
  } as unknown as Pick<Api, "get" | "put" | "del">;
  return { api, log };
}

Deno.test("pins: a channel's pins are read newest first and counted", async () => {
  const { api } = server({ [`GET /channels/${CH}/pins`]: { pins: [pinOf(1, 1), pinOf(2, 5)] } });
  const pins = createPins({ api });
  assert.equal(pins.count(CH), 0);
  await pins.load(CH);
  assert.deepEqual(pins.of(CH).map((p) => p.message_id), [2, 1]);
  assert.equal(pins.count(CH), 2);
  assert.ok(pins.isPinned(CH, 1));
  assert.ok(!pins.isPinned(CH2, 1), "pins belong to their channel");
});

Deno.test("pins: pin.changed adds and removes pins with no request", async () => {
  const { api, log } = server({ [`GET /channels/${CH}/pins`]: { pins: [pinOf(1, 1)] } });
  const pins = createPins({ api });
  await pins.load(CH);
  pins.event(CH, "pin.changed", {
    message_id: 7,
    action: "pinned",
    pin: pinOf(7, 9),
    pin_count: 2,
  });
  assert.deepEqual(pins.of(CH).map((p) => p.message_id), [7, 1]);
  pins.event(CH, "pin.changed", { message_id: 1, action: "unpinned", pin: null, pin_count: 1 });
  assert.deepEqual(pins.of(CH).map((p) => p.message_id), [7]);
  // The same event twice (my own answer, then its broadcast) is one pin.
  pins.event(CH, "pin.changed", { message_id: 7, action: "pinned", pin: pinOf(7, 9) });
  assert.equal(pins.count(CH), 1);
  assert.deepEqual(log, [`GET /channels/${CH}/pins`]);
});

Deno.test("pins: an edit of a pinned message shows in the list; a delete unpins it", async () => {
  const { api } = server({ [`GET /channels/${CH}/pins`]: { pins: [pinOf(1, 1), pinOf(2, 2)] } });
  const pins = createPins({ api });
  await pins.load(CH);
  pins.event(CH, "message.updated", { message: message(1, { content: "edited" }) });
  assert.equal(pins.of(CH).find((p) => p.message_id === 1)?.message?.content, "edited");
  pins.event(CH, "message.deleted", { id: 2, channel_id: CH, deleted_at: "x" });
  assert.deepEqual(pins.of(CH).map((p) => p.message_id), [1]);
});

Deno.test("pins: pin and unpin merge the answer at once", async () => {
  const m = message(3);
  const { api, log } = server({
    [`GET /channels/${CH}/pins`]: { pins: [] },
    "PUT /messages/3/pin": {
      pin: { message_id: 3, channel_id: CH, pinned_by: ME, pinned_at: "2030-01-01T00:00:00.000Z" },
    },
    "DELETE /messages/3/pin": { message_id: 3, pinned: false },
  });
  const pins = createPins({ api });
  await pins.load(CH);
  await pins.pin(m);
  assert.equal(pins.of(CH)[0]?.message, m, "the pin shows the message I pinned");
  await pins.unpin(CH, 3);
  assert.equal(pins.count(CH), 0);
  assert.deepEqual(log.slice(1), ["PUT /messages/3/pin", "DELETE /messages/3/pin"]);
});

Deno.test("pins: an older answer never overwrites a newer one", async () => {
  let release!: () => void;
  const slow = new Promise<void>((r) => (release = r));
  let first = true;
  const { api } = server({
    [`GET /channels/${CH}/pins`]: async () => {
      if (first) {
        first = false;
        await slow;
        return { pins: [pinOf(1, 1)] };
      }
      return { pins: [pinOf(1, 1), pinOf(2, 2)] };
    },
  });
  const pins = createPins({ api });
  const a = pins.load(CH);
  await pins.load(CH);
  release();
  await a;
  assert.equal(pins.count(CH), 2);
});

Deno.test("pins: a refused read is kept as the channel's error", async () => {
  const { api } = server({});
  const pins = createPins({ api });
  await pins.load(CH);
  assert.ok(pins.errors.value.get(CH));
  assert.equal(pins.count(CH), 0);
});
