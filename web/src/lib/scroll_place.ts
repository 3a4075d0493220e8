/**
 * Where the reader is in the message list, kept across changes to the messages it holds: the
 * list holds a bounded window (`WINDOW` in `state/message_pages.ts`), so a page that comes on
 * one side may take messages from the other. The message at the top of the view (the anchor)
 * stays where it was on the screen; without it, the old rule: a page above moves the view down
 * by the height that came.
 */
export interface Place {
  /** `scrollHeight` and `scrollTop` when measured. */
  height: number;
  scrollTop: number;
  /** The oldest message held then. */
  first: number | null;
  /** The element id of the first message row seen, and its top from the view's top. */
  anchor: string | null;
  anchorTop: number;
}

/** The first of `count` rows (in document order) whose bottom is below `top`: a bisection. */
export function firstBelow(count: number, bottomOf: (i: number) => number, top: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bottomOf(mid) > top) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function placeOf(box: HTMLElement, list: HTMLElement | null, first: number | null): Place {
  const top = box.getBoundingClientRect().top;
  let anchor: string | null = null;
  let anchorTop = 0;
  if (list) {
    const rows = list.querySelectorAll<HTMLElement>(":scope > li.message");
    const row = rows[firstBelow(rows.length, (i) => rows[i]!.getBoundingClientRect().bottom, top)];
    if (row?.id) {
      anchor = row.id;
      anchorTop = row.getBoundingClientRect().top - top;
    }
  }
  return { height: box.scrollHeight, scrollTop: box.scrollTop, first, anchor, anchorTop };
}

/**
 * Puts the view back at `p` after the rows changed: by its anchor when that row is still
 * there, else (`grew`: a page came above) down by the height that came. False: neither.
 */
export function keepPlace(box: HTMLElement, p: Place, grew: boolean): boolean {
  const row = p.anchor ? box.ownerDocument.getElementById(p.anchor) : null;
  if (row && box.contains(row)) {
    const now = row.getBoundingClientRect().top - box.getBoundingClientRect().top;
    box.scrollTop += now - p.anchorTop;
    return true;
  }
  if (!grew) return false;
  box.scrollTop = p.scrollTop + (box.scrollHeight - p.height);
  return true;
}
