/**
 * `listV2`'s continuation token, in Storage's format (supabase/storage `src/storage/object.ts`
 * `encodeContinuationToken`): base64 of `k:value` lines, `l` the last name shown, `o` the
 * order, `c` the sort column, `a` that column's value on the last row; defaults left out.
 */
export interface ListCursor {
  startAfter: string;
  sortOrder?: string;
  sortColumn?: string;
  sortColumnAfter?: string;
}

const PARTS: [string, keyof ListCursor][] = [
  ["l", "startAfter"],
  ["o", "sortOrder"],
  ["c", "sortColumn"],
  ["a", "sortColumnAfter"],
];
const DEFAULTS: Partial<ListCursor> = { sortOrder: "asc", sortColumn: "name" };
const ALLOWED: Partial<Record<string, string[]>> = {
  o: ["asc", "desc"],
  c: ["name", "created_at", "updated_at"],
};

const utf8 = new TextEncoder();

export function encodeCursor(cursor: ListCursor): string {
  const lines = PARTS.flatMap(([k, field]) => {
    const v = cursor[field];
    return v && v !== DEFAULTS[field] ? [`${k}:${v}`] : [];
  });
  return btoa(String.fromCharCode(...utf8.encode(lines.join("\n"))));
}

/** The cursor a token names, or undefined for anything Storage would call invalid. */
export function decodeCursor(token: string): ListCursor | undefined {
  let text: string;
  try {
    const bytes = Uint8Array.from(atob(token), (ch) => ch.charCodeAt(0));
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  const cursor: ListCursor = { startAfter: "", ...DEFAULTS };
  for (const line of text.split("\n")) {
    const m = /^(\S):(.*)$/s.exec(line);
    const field = m && PARTS.find(([k]) => k === m[1])?.[1];
    if (!m || !field) return undefined;
    if (ALLOWED[m[1]!] && !ALLOWED[m[1]!]!.includes(m[2]!)) return undefined;
    cursor[field] = m[2]!;
  }
  return cursor;
}
