import assert from "node:assert/strict";
import { signal } from "@preact/signals";
import { CH, CH2, ME, message } from "./_fixtures.ts";
import { fakeEnv } from "./_fake_env.ts";
import { createNotifications } from "./notifications.ts";

function setup() {
  const f = fakeEnv();
  const opened: string[] = [];
  const n = createNotifications({
    env: f.env,
    myId: ME,
    channel: (id) =>
      id === CH
        ? { title: "trio", muted: false }
        : id === CH2
        ? { title: "quiet", muted: true }
        : null,
    open: (id) => opened.push(id),
  });
  return { f, n, opened };
}

Deno.test("while the tab is hidden each message from someone else notifies once", () => {
  const { f, n, opened } = setup();
  n.arrived(message(1));
  assert.equal(f.shown.length, 0, "the tab is seen: no notification");
  f.setVisible(false);
  n.arrived(message(2));
  n.arrived(message(2));
  n.arrived(message(3, { sender_id: ME }));
  n.arrived(message(4, { deleted_at: "2025-01-01T00:00:00Z" }));
  assert.deepEqual(f.shown.map((s) => [s.title, s.body]), [["trio", "m2"]]);
  f.shown[0]!.click();
  assert.deepEqual(opened, [CH]);
});

Deno.test("a mention is titled as such and notifies once whichever topic brings it first", () => {
  const { f, n } = setup();
  f.setVisible(false);
  n.mentioned({ channel_id: CH, message_id: 7, content: "hey @me" });
  n.arrived(message(7, { content: "hey @me", mentions: [ME] }));
  n.arrived(message(8, { content: "@me again", mentions: [ME] }));
  n.mentioned({ channel_id: CH, message_id: 8, content: "@me again" });
  assert.deepEqual(f.shown.map((s) => s.title), [
    "You were mentioned in trio",
    "You were mentioned in trio",
  ]);
});

Deno.test("muted channels notify only mentions; unknown channels not at all", () => {
  const { f, n } = setup();
  f.setVisible(false);
  n.arrived(message(1, { channel_id: CH2 }));
  n.arrived(message(2, { channel_id: "elsewhere" }));
  n.arrived(message(3, { channel_id: CH2, mentions: [ME] }));
  assert.deepEqual(f.shown.map((s) => s.body), ["m3"]);
});

Deno.test("without permission nothing shows; asking grants it", async () => {
  const { f, n } = setup();
  f.state.permission = "default";
  const again = createNotifications({ env: f.env, myId: ME, channel: () => null, open: () => {} });
  assert.equal(again.permission.value, "default");
  await again.ask();
  assert.equal(again.permission.value, "granted");
  assert.equal(n.permission.value, "granted");
});

Deno.test("the title carries the unread count", () => {
  const { f, n } = setup();
  const total = signal(0);
  const stop = n.title(total);
  assert.equal(f.state.title, "Chat");
  total.value = 3;
  assert.equal(f.state.title, "(3) Chat");
  total.value = 1200;
  assert.equal(f.state.title, "(999+) Chat");
  stop();
  assert.equal(f.state.title, "Chat");
});
