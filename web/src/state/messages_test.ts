/**
 * The message state against an in-memory API with the real API's paging rules (newest first;
 * `after` ascending; `limit` ≤ 100): catching up, jumping, sending from the past, the outbox.
 */
import assert from "node:assert/strict";
import { signal } from "@preact/signals";
import type { Api } from "../api.ts";
import { ApiError } from "../api.ts";
import type { Message, Shown } from "../types.ts";
import { createMessagesState } from "./messages.ts";

(globalThis as unknown as { document: unknown }).document = { visibilityState: "visible" };

const ME = "11111111-1111-4111-8111-111111111111";
const OTHER = "22222222-2222-4222-8222-222222222222";
const CH = "33333333-3333-4333-8333-333333333333";

function fakeServer(count: number) {
  const rows: Message[] = [];
  let offline = false;
  const gets: string[] = [];
  const add = (content: string, sender = OTHER, client_id: string | null = null): Message => {
    const m: Message = {
      id: rows.length + 1,
      channel_id: CH,
      sender_id: sender,
      kind: "text",
      content,
      reply_to_id: null,
      client_id,
      created_at: new Date().toISOString(),
      edited_at: null,
      deleted_at: null,
      moderation: "ok",
      sender: null,
      reply_to: null,
      reactions: [],
      attachments: [],
    };
    rows.push(m);
    return m;
  };
  for (let i = 1; i <= count; i++) add(`m${i}`);
  const api = {
    get<T>(path: string): Promise<T> {
      gets.push(path);
      if (offline) return Promise.reject(new ApiError(0, "network", "offline"));
      const url = new URL(path, "http://x");
      if (!url.pathname.endsWith("/messages")) return Promise.resolve({ members: [] } as T);
      const before = Number(url.searchParams.get("before") ?? 0) || null;
      const after = Number(url.searchParams.get("after") ?? 0) || null;
      const limit = Math.min(100, Number(url.searchParams.get("limit") ?? 50));
      let page: Message[];
      if (after !== null) page = rows.filter((m) => m.id > after).slice(0, limit);
      else {
        page = rows.filter((m) => before === null || m.id < before).slice(-limit).reverse();
      }
      return Promise.resolve({ messages: page } as T);
    },
    post<T>(path: string, body: { content?: string; client_id?: string } = {}): Promise<T> {
      if (offline) return Promise.reject(new ApiError(0, "network", "offline"));
      if (path.endsWith("/receipts")) return Promise.resolve({} as T);
      const same = rows.find((m) => m.sender_id === ME && m.client_id === body.client_id);
      return Promise.resolve({ message: same ?? add(body.content!, ME, body.client_id!) } as T);
    },
  } as unknown as Api;
  return {
    api,
    rows,
    gets,
    add,
    setOffline: (v: boolean) => (offline = v),
  };
}

const ids = (items: Shown[]) => items.map((m) => m.id);

Deno.test("catching up fetches every missed message, page after page, once each", async () => {
  const srv = fakeServer(60);
  const ms = createMessagesState({ api: srv.api, channelId: CH, me: () => null, myId: ME });
  await ms.open();
  assert.deepEqual(ids(ms.items.value), Array.from({ length: 50 }, (_, i) => i + 11));
  for (let i = 0; i < 250; i++) srv.add(`missed ${i}`);
  await ms.catchUp();
  const got = ids(ms.items.value);
  assert.equal(got.length, 50 + 250);
  assert.deepEqual(got, [...new Set(got)].sort((a, b) => a! - b!), "no duplicates, in order");
  assert.equal(got.at(-1), 310);
  ms.dispose();
});

Deno.test("an answer for a window that was replaced meanwhile is dropped", async () => {
  const srv = fakeServer(300);
  const ms = createMessagesState({ api: srv.api, channelId: CH, me: () => null, myId: ME });
  await ms.open();
  const older = ms.loadOlder(); // in flight while the reader jumps far back
  await ms.jumpTo(20);
  await older;
  const got = ids(ms.items.value) as number[];
  assert.ok(got.includes(20));
  assert.ok(Math.max(...got) < 100, `only the jump's window (${got[0]}…${got.at(-1)})`);
  assert.equal(ms.hasNewer.value, true);
  ms.dispose();
});

Deno.test("sending while reading the past goes back to now first: no gap before the new message", async () => {
  const srv = fakeServer(300);
  const ms = createMessagesState({ api: srv.api, channelId: CH, me: () => null, myId: ME });
  await ms.open();
  await ms.jumpTo(20);
  await ms.send("hello from the past");
  const got = ids(ms.items.value) as number[];
  assert.equal(ms.hasNewer.value, false);
  assert.equal(got.at(-1), 301);
  assert.deepEqual(got.slice(-51), Array.from({ length: 51 }, (_, i) => 251 + i), "contiguous");
  ms.dispose();
});

Deno.test("a send that fails offline waits in the outbox, survives the view, and goes once", async () => {
  const srv = fakeServer(3);
  const outbox = signal<Shown[]>([]);
  const ms = createMessagesState({ api: srv.api, channelId: CH, me: () => null, myId: ME, outbox });
  await ms.open();
  srv.setOffline(true);
  await ms.send("written offline");
  assert.equal(outbox.value.length, 1);
  assert.equal(outbox.value[0]!.state, "failed");
  assert.equal(ms.items.value.at(-1)!.content, "written offline");
  ms.dispose();
  // Back online, in a new view of the same channel: the same client_id goes (twice, even).
  srv.setOffline(false);
  const again = createMessagesState({
    api: srv.api,
    channelId: CH,
    me: () => null,
    myId: ME,
    outbox,
  });
  await again.open();
  await Promise.all([again.retry(), again.retry()]);
  assert.equal(srv.rows.filter((m) => m.content === "written offline").length, 1);
  assert.equal(outbox.value.length, 0);
  assert.equal(again.items.value.filter((m) => m.content === "written offline").length, 1);
  again.dispose();
});

Deno.test("refresh ignores ids that are not on screen (a forged event costs no request)", async () => {
  const srv = fakeServer(10);
  const ms = createMessagesState({ api: srv.api, channelId: CH, me: () => null, myId: ME });
  await ms.open();
  const before = srv.gets.length;
  await ms.refresh(1e12);
  assert.equal(srv.gets.length, before);
  ms.dispose();
});

Deno.test("what was seen is marked read even if the tab hides before the request goes; what arrives hidden is not", async () => {
  const srv = fakeServer(5);
  const posts: unknown[] = [];
  const api = {
    ...srv.api,
    post: (path: string, body: unknown) => {
      if (path.endsWith("/receipts")) posts.push(body);
      return srv.api.post(path, body as Record<string, string>);
    },
  } as unknown as Api;
  const doc = (globalThis as unknown as { document: { visibilityState: string } }).document;
  const ms = createMessagesState({ api, channelId: CH, me: () => null, myId: ME });
  await ms.open();
  ms.markRead(); // timer set while seen
  doc.visibilityState = "hidden";
  srv.add("while hidden");
  await ms.catchUp();
  ms.markRead();
  await new Promise((r) => setTimeout(r, 400));
  assert.deepEqual(posts, [{ read_up_to: 5 }], "only what was seen before hiding");
  doc.visibilityState = "visible";
  ms.markRead();
  await new Promise((r) => setTimeout(r, 1400));
  assert.deepEqual(posts, [{ read_up_to: 5 }, { read_up_to: 6 }]);
  ms.dispose();
});

Deno.test("a message written while the channel is opening is not lost: the catch-up waits for the page", async () => {
  const srv = fakeServer(10);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const slow = {
    ...srv.api,
    get: async <T>(path: string): Promise<T> => {
      const answer = await srv.api.get<T>(path); // read before the new message is written
      if (path.includes("/messages")) await gate;
      return answer;
    },
  } as unknown as Api;
  const ms = createMessagesState({ api: slow, channelId: CH, me: () => null, myId: ME });
  const opening = ms.open();
  srv.add("written while opening");
  const caught = ms.catchUp(); // the realtime event arrives before the page does
  release();
  await opening;
  await caught;
  assert.equal(ms.items.value.at(-1)?.content, "written while opening");
  ms.dispose();
});
