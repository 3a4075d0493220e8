import assert from "node:assert/strict";
import { signal } from "@preact/signals";
import type { MessagesState } from "../state/messages.ts";
import type { Shown } from "../types.ts";
import { roverOf, rowId } from "./roving.ts";

const row = (id: number | null, client_id = `c${id}`) => ({ id, client_id }) as Shown;

Deno.test("the list's tab stop is the newest message until the reader moves it, and falls back when that one goes", () => {
  const items = signal<Shown[]>([row(1), row(2), row(3)]);
  const ms = { items } as unknown as MessagesState;
  const rover = roverOf(ms);
  assert.equal(roverOf(ms), rover, "one rover per list");
  assert.equal(rover.current.value, "msg-3");
  items.value = [...items.value, row(null, "p1")];
  assert.equal(rover.current.value, "pending-p1", "a message being sent is the newest");
  rover.chosen.value = "msg-2";
  assert.equal(rover.current.value, "msg-2");
  items.value = [row(3), row(4)];
  assert.equal(rover.current.value, "msg-4", "the chosen one left the window: the newest again");
  assert.equal(rowId(row(7)), "msg-7");
  assert.equal(roverOf({ items: signal([]) } as unknown as MessagesState).current.value, null);
});
