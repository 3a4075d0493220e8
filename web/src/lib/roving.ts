/**
 * The roving tabindex of the message list (WAI-ARIA Authoring Practices, "Managing focus
 * within components"): the list is one tab stop, held by one message; the arrow keys move it
 * (`lib/shortcuts.ts` says where); Enter goes into the message's controls and Esc comes back.
 * One `Rover` per open channel's messages, shared by its rows. The list holds a window of the
 * channel's messages: a move past its edge reads the next page, then focuses the row there.
 */
import { computed, type ReadonlySignal, type Signal, signal } from "@preact/signals";
import type { MessagesState } from "../state/messages.ts";
import type { Shown } from "../types.ts";
import { moveIndex } from "./shortcuts.ts";

/** The row's element id (a pending message has no id yet: its client id). */
export const rowId = (m: Shown) => m.id !== null ? `msg-${m.id}` : `pending-${m.client_id}`;

export interface Rover {
  /** The message the reader moved to (null: none yet). */
  chosen: Signal<string | null>;
  /** The one message in the tab order: the chosen one while it is listed, else the newest. */
  current: ReadonlySignal<string | null>;
  /**
   * The list holds a window of the channel's messages: reads the next page `dir` (or waits for
   * the one on its way), true when the window changed.
   */
  extend: (dir: "older" | "newer") => Promise<boolean>;
  /** There are messages `dir` of the window. */
  more: (dir: "older" | "newer") => boolean;
  /** The rows' ids as held (what the list renders), oldest first. */
  ids: () => string[];
}
const tick = () => new Promise((r) => setTimeout(r, 16));
const rovers = new WeakMap<MessagesState, Rover>();

/** The list's roving focus: one per open channel's message list. */
export function roverOf(ms: MessagesState): Rover {
  let r = rovers.get(ms);
  if (!r) {
    const chosen = signal<string | null>(null);
    const current = computed(() => {
      const items = ms.items.value;
      const c = chosen.value;
      if (c !== null && items.some((m) => rowId(m) === c)) return c;
      const last = items[items.length - 1];
      return last ? rowId(last) : null;
    });
    const extend = async (dir: "older" | "newer") => {
      const more = dir === "older" ? ms.hasOlder : ms.hasNewer;
      const busy = dir === "older" ? ms.loadingOlder : ms.loadingNewer;
      const was = ms.items.value;
      for (let i = 0; busy.value && i < 600; i++) await tick();
      if (ms.items.value === was && more.value) {
        await (dir === "older" ? ms.loadOlder() : ms.loadNewer());
      }
      return ms.items.value !== was;
    };
    const ids = () => ms.items.value.map(rowId);
    const more = (dir: "older" | "newer") => (dir === "older" ? ms.hasOlder : ms.hasNewer).value;
    rovers.set(ms, r = { chosen, current, extend, more, ids });
  }
  return r;
}

export const FOCUSABLE =
  "a[href], button, input, select, textarea, audio[controls], video[controls], [tabindex]";

/**
 * Takes the controls of a message that is not the list's tab stop out of the tab order (and
 * puts them back when it is): the ones this file renders and the ones its children do
 * (links in the text, attachments), marked so that only what was taken out goes back.
 */
export function rove(li: HTMLElement, inOrder: boolean) {
  for (const el of li.querySelectorAll<HTMLElement>(FOCUSABLE)) {
    if (inOrder) {
      if (el.dataset.roved) {
        el.removeAttribute("tabindex");
        delete el.dataset.roved;
      }
    } else if (el.getAttribute("tabindex") === null) {
      el.setAttribute("tabindex", "-1");
      el.dataset.roved = "1";
    }
  }
}

/** How far the keys that move by rows go (Home and End: within what the list holds). */
const STEPS: Record<string, number> = { ArrowUp: -1, ArrowDown: 1, PageUp: -10, PageDown: 10 };

function focusRow(rover: Rover, row: HTMLElement) {
  rover.chosen.value = row.id;
  row.focus();
}

/**
 * Moves `step` rows from row `from` into messages the window does not hold yet: reads them,
 * waits for their rows to render, and focuses the one `step` away (or `fallback`, the last row
 * held that way, when nothing came).
 */
async function moveBeyond(
  rover: Rover,
  from: string,
  step: number,
  dir: "older" | "newer",
  fallback: HTMLElement,
) {
  const changed = await rover.extend(dir);
  const ids = rover.ids();
  const at = ids.indexOf(from);
  const id = changed && at >= 0 ? ids[Math.max(0, Math.min(ids.length - 1, at + step))] : null;
  // The rows render after the state changed: a few frames at most.
  let row: HTMLElement | null = null;
  for (let i = 0; id && !row && i < 60; i++) {
    row = document.getElementById(id);
    if (!row) await tick();
  }
  // The reader went elsewhere meanwhile: the focus stays there.
  const active = document.activeElement as HTMLElement | null;
  if (active && active.id !== from && active !== document.body) return;
  const target = row ?? (fallback.isConnected ? fallback : null);
  if (target) focusRow(rover, target);
}

/** The message rows of the list `li` is in. */
export const rowsOf = (li: HTMLElement) =>
  [...(li.parentElement?.children ?? [])].filter((el): el is HTMLElement =>
    el instanceof HTMLElement && el.classList.contains("message")
  );

/**
 * A key on a message row: on the row itself ↑/↓/PageUp/PageDown/Home/End move the tab stop
 * and the focus, Enter goes to its first action; on one of its controls Esc comes back to the
 * row (unless `busy`: an open picker closes first).
 */
export function rowKeyDown(
  e: KeyboardEvent & { currentTarget: HTMLElement },
  rover: Rover,
  busy: boolean,
) {
  const li = e.currentTarget;
  if (e.target !== li) {
    if (e.key === "Escape" && !busy && !e.defaultPrevented) {
      e.stopPropagation();
      li.focus();
    }
    return;
  }
  const rows = rowsOf(li);
  const index = rows.indexOf(li);
  const to = moveIndex(e, index, rows.length);
  if (to !== null) {
    e.preventDefault();
    const step = STEPS[e.key] ?? 0;
    const beyond = index < 0 || !step
      ? null
      : index + step < 0
      ? "older"
      : index + step >= rows.length
      ? "newer"
      : null;
    if (beyond && rover.more(beyond)) {
      // Past the window's edge: the next page first, then the focus moves there.
      moveBeyond(rover, li.id, step, beyond, rows[to]!);
      return;
    }
    focusRow(rover, rows[to]!);
    return;
  }
  if (e.key === "Enter") {
    e.preventDefault();
    (li.querySelector<HTMLElement>(".actions button") ?? li.querySelector<HTMLElement>(FOCUSABLE))
      ?.focus();
  }
}
