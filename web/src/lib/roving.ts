/**
 * The roving tabindex of the message list (WAI-ARIA Authoring Practices, "Managing focus
 * within components"): the list is one tab stop, held by one message; the arrow keys move it
 * (`lib/shortcuts.ts` says where); Enter goes into the message's controls and Esc comes back.
 * One `Rover` per open channel's messages, shared by its rows.
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
}
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
    rovers.set(ms, r = { chosen, current });
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
  const to = moveIndex(e, rows.indexOf(li), rows.length);
  if (to !== null) {
    e.preventDefault();
    const next = rows[to]!;
    rover.chosen.value = next.id;
    next.focus();
    return;
  }
  if (e.key === "Enter") {
    e.preventDefault();
    (li.querySelector<HTMLElement>(".actions button") ?? li.querySelector<HTMLElement>(FOCUSABLE))
      ?.focus();
  }
}
