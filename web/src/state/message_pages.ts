/**
 * The only reads of a channel's messages: the latest page when it opens, older pages on
 * scrolling up, newer ones after a jump into the past, a window around one message (search
 * hits, quotes), and catching up — everything after the newest held, page by page — after a
 * reconnect or when an event shows a gap. An answer for a window replaced meanwhile (another
 * jump, a reopen) is dropped.
 */
import { signal } from "@preact/signals";
import { MESSAGE_PAGE } from "../../../functions/_shared/limits.ts";
import { type Api, qs } from "../api.ts";
import type { Message } from "../types.ts";
import type { MessageStore } from "./message_store.ts";

export const PAGE = MESSAGE_PAGE.default;
const CATCH_UP_PAGE = MESSAGE_PAGE.max;
/** Messages held at most while paging: farther ones go, and are read again on scrolling back. */
export const WINDOW = 3 * PAGE;
/** `?around=` answers this many older messages, the message, and up to the rest newer. */
const AROUND_OLDER = Math.floor(PAGE / 2);
const AROUND_NEWER = PAGE - 1 - AROUND_OLDER;

export interface MessagePagesDeps {
  api: Pick<Api, "get">;
  channelId: string;
  store: MessageStore;
  /** Messages a catch-up found that are newer than anything held before. */
  onArrived?: (messages: Message[]) => void;
  onError?: (e: unknown) => void;
}

export function createMessagePages(
  { api, channelId, store, onArrived, onError }: MessagePagesDeps,
) {
  const loading = signal(true);
  const loadingOlder = signal(false);
  const loadingNewer = signal(false);
  let disposed = false;
  /** Bumped whenever the window is replaced (open, jump): answers for an older one are dropped. */
  let epoch = 0;
  /** The window being (re)loaded: a catch-up waits for it, then fetches what is newer. */
  let windowLoad: Promise<void> | null = null;

  const page = (q: { before?: number; after?: number; around?: number; limit?: number }) =>
    api.get<{ messages: Message[] }>(`/channels/${channelId}/messages${qs(q)}`)
      .then((r) => r.messages);

  const fail = (e: unknown) => {
    if (!disposed) onError?.(e);
  };

  /** Loads a new window; `fetch` answers its messages and the edges' flags. */
  function replaceWindow(
    fetch: () => Promise<{ msgs: Message[]; older: boolean; newer: boolean }>,
  ): Promise<void> {
    const my = ++epoch;
    loading.value = true;
    const p = (async () => {
      try {
        const { msgs, older, newer } = await fetch();
        if (my !== epoch || disposed) return;
        // What events merged meanwhile that is newer than this page stays (not after a jump).
        const top = Math.max(0, ...msgs.map((m) => m.id));
        const kept = newer ? [] : store.server.value.filter((m) => m.id! > top);
        store.merge(msgs, { replace: true, contiguous: true });
        if (kept.length) store.merge(kept as Message[]);
        store.hasOlder.value = older;
        store.hasNewer.value = newer;
      } catch (e) {
        fail(e);
      } finally {
        if (my === epoch) loading.value = false;
      }
    })();
    windowLoad = p;
    return p;
  }

  /** The latest page (opening the channel, or back from the past). */
  const open = () =>
    replaceWindow(async () => {
      const msgs = await page({ limit: PAGE });
      return { msgs, older: msgs.length === PAGE, newer: false };
    });

  /**
   * Message `id` in its context (from a search hit or a quoted reply): one `?around=` page,
   * whose halves are fixed, so a full half means there may be more on that side.
   */
  const around = (id: number) =>
    replaceWindow(async () => {
      const msgs = await page({ around: id, limit: PAGE });
      return {
        msgs,
        older: msgs.filter((m) => m.id < id).length === AROUND_OLDER,
        newer: msgs.filter((m) => m.id > id).length === AROUND_NEWER,
      };
    });

  /**
   * The page that starts with message `id` (the last one read; 0 for none), where the first
   * unread message is when more came than the latest page holds. Ids are shared by every
   * channel, so `after: id - 1` starts with `id` itself, and the view can draw the "new
   * messages" line below it. (The API's ids start at 1: for 0 or 1 the channel's first page.)
   */
  const after = (id: number) =>
    replaceWindow(async () => {
      const msgs = await page({ after: Math.max(1, id - 1), limit: PAGE });
      return { msgs, older: id > 1, newer: msgs.length === PAGE };
    });

  /** The next page away from the window's edge: older (scrolling up) or newer (after a jump). */
  async function loadPage(dir: "older" | "newer") {
    const edge = dir === "older" ? store.oldestId() : store.contiguousId() || null;
    const more = dir === "older" ? store.hasOlder : store.hasNewer;
    const busy = dir === "older" ? loadingOlder : loadingNewer;
    if (!more.value || busy.value || edge === null) return;
    const my = epoch;
    busy.value = true;
    try {
      const got = await page(
        dir === "older" ? { before: edge, limit: PAGE } : { after: edge, limit: PAGE },
      );
      if (my !== epoch || disposed) return;
      store.merge(got, { contiguous: dir === "newer" });
      more.value = got.length === PAGE;
      store.trim(WINDOW, dir);
    } catch (e) {
      fail(e);
    } finally {
      busy.value = false;
    }
  }

  let catching: Promise<void> | null = null;
  let again = false;
  /** Everything after the newest message held, page by page; calls made meanwhile coalesce. */
  function catchUp(): Promise<void> {
    if (catching) {
      again = true;
      return catching;
    }
    catching = (async () => {
      do {
        again = false;
        if (loading.value && windowLoad) await windowLoad;
        // The reader is in the past: newer pages load on scroll.
        if (store.hasNewer.value || disposed) return;
        const my = epoch;
        let after = store.contiguousId();
        // Nothing held without a hole (an empty channel): the latest page, older ones on scroll.
        if (after === 0) {
          const msgs = await page({ limit: PAGE });
          if (my !== epoch || disposed) return;
          store.merge(msgs, { contiguous: true });
          store.hasOlder.value = msgs.length === PAGE;
          if (msgs.length) onArrived?.([...msgs].sort((a, b) => a.id - b.id));
          continue;
        }
        for (;;) {
          const batch = await page({ after, limit: CATCH_UP_PAGE });
          if (my !== epoch || disposed) return;
          const fresh = batch.filter((m) => !store.has(m.id)).sort((a, b) => a.id - b.id);
          store.merge(batch, { contiguous: true });
          if (fresh.length) onArrived?.(fresh);
          if (batch.length < CATCH_UP_PAGE) break;
          after = Math.max(after, ...batch.map((m) => m.id));
        }
      } while (again && !disposed);
    })().catch(fail).finally(() => {
      catching = null;
    });
    return catching;
  }

  /** One held message read again (an event that came without its data). */
  async function refresh(id: number) {
    if (!store.has(id)) return;
    try {
      const [m] = await page({ after: id - 1, limit: 1 });
      if (m && m.id === id && !disposed) store.updated(m);
    } catch (e) {
      fail(e);
    }
  }

  function dispose() {
    disposed = true;
    epoch++;
  }

  return {
    loading,
    loadingOlder,
    loadingNewer,
    open,
    around,
    after,
    loadOlder: () => loadPage("older"),
    loadNewer: () => loadPage("newer"),
    catchUp,
    /** A catch-up is under way. */
    catchingUp: () => catching !== null,
    refresh,
    dispose,
  };
}

export type MessagePages = ReturnType<typeof createMessagePages>;
