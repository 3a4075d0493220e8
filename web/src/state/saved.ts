/**
 * My saved messages (personal bookmarks): which ids are saved (`GET /me/saved/ids`, read once,
 * so every message can show "Save" or "Unsave"), and the list for the Saved panel, newest first,
 * in pages (`GET /me/saved?cursor=`). `saved.changed` on `user:<me>` keeps other tabs in step.
 */
import { signal } from "@preact/signals";
import type { Api } from "../api.ts";
import { qs } from "../api.ts";
import type { Message } from "../types.ts";

export interface SavedItem {
  message_id: number;
  channel_id: string;
  saved_at: string;
  message: Message | null;
}

type Payload = Record<string, unknown>;
const isId = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

export function createSaved({ api }: { api: Pick<Api, "get" | "put" | "del"> }) {
  const ids = signal<ReadonlySet<number>>(new Set());
  /** The panel's list (null until it is first read). */
  const items = signal<readonly SavedItem[] | null>(null);
  const next = signal<string | null>(null);
  const loading = signal(false);
  const error = signal<string | null>(null);
  let idsRead: Promise<void> | null = null;
  let listSeq = 0;

  function mark(id: number, on: boolean) {
    if (ids.value.has(id) === on) return;
    const s = new Set(ids.value);
    if (on) s.add(id);
    else s.delete(id);
    ids.value = s;
  }

  function put(item: SavedItem) {
    mark(item.message_id, true);
    if (!items.value) return;
    items.value = [item, ...items.value.filter((x) => x.message_id !== item.message_id)];
  }

  function drop(id: number) {
    mark(id, false);
    if (items.value) items.value = items.value.filter((x) => x.message_id !== id);
  }

  /** Reads which messages are saved, once (again after `reset`). */
  function ensure(): Promise<void> {
    idsRead ??= api.get<{ ids: number[] }>("/me/saved/ids").then(
      (r) => {
        ids.value = new Set([...ids.value, ...r.ids]);
      },
      () => {
        idsRead = null; // asked again next time
      },
    );
    return idsRead;
  }

  /** The first page (`more`: the next one after what is shown). */
  async function load(more = false): Promise<void> {
    if (more && !next.value) return;
    const n = ++listSeq;
    loading.value = true;
    error.value = null;
    try {
      const r = await api.get<{ items: SavedItem[]; next_cursor: string | null }>(
        `/me/saved${qs({ cursor: more ? next.value : null })}`,
      );
      if (n !== listSeq) return;
      const got = r.items.filter((x) => x.message);
      items.value = more ? [...(items.value ?? []), ...got] : got;
      next.value = r.next_cursor;
      for (const x of got) mark(x.message_id, true);
    } catch (e) {
      if (n === listSeq) error.value = e instanceof Error ? e.message : String(e);
    } finally {
      if (n === listSeq) loading.value = false;
    }
  }

  async function save(m: Message): Promise<void> {
    const r = await api.put<{ saved: Omit<SavedItem, "message"> }>(`/messages/${m.id}/save`);
    put({ ...r.saved, message: m });
  }

  async function unsave(id: number): Promise<void> {
    await api.del(`/messages/${id}/save`);
    drop(id);
  }

  /** `saved.changed` on `user:<me>` (another tab of mine saved or forgot a message). */
  function event(name: string, p: Payload): void {
    if (name !== "saved.changed" || !isId(p.message_id)) return;
    if (p.saved === true && typeof p.channel_id === "string") {
      put({
        message_id: p.message_id,
        channel_id: p.channel_id,
        saved_at: typeof p.saved_at === "string" ? p.saved_at : new Date().toISOString(),
        message: (p.message as Message | null) ?? null,
      });
    } else if (p.saved === false) drop(p.message_id);
  }

  return {
    ids,
    items,
    next,
    loading,
    error,
    isSaved: (id: number | null) => id !== null && ids.value.has(id),
    ensure,
    load,
    save,
    unsave,
    event,
  };
}

export type Saved = ReturnType<typeof createSaved>;
