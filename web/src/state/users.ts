/**
 * People seen anywhere (members, senders, DMs, search), by id: names for search hits,
 * reactions and quotes, and status text and last seen where a source carries them. A person
 * seen again with another name, status or time replaces the old one (what the new sighting
 * does not carry is kept).
 */
import { signal } from "@preact/signals";
import type { UserRef } from "../types.ts";

export function createUsers() {
  const users = signal<ReadonlyMap<string, UserRef>>(new Map());

  function remember(list: readonly UserRef[]) {
    let next: Map<string, UserRef> | null = null;
    for (const u of list) {
      const had = (next ?? users.value).get(u.id);
      if (
        had && had.display_name === u.display_name && had.username === u.username &&
        had.avatar_path === u.avatar_path &&
        (!("status_text" in u) || had.status_text === u.status_text) &&
        (!("last_seen_at" in u) || had.last_seen_at === u.last_seen_at)
      ) continue;
      next ??= new Map(users.value);
      next.set(u.id, { ...had, ...u });
    }
    if (next) users.value = next;
  }

  /** A display name for `id`, or "?" for someone never seen. */
  const nameOf = (id: string) => {
    const u = users.value.get(id);
    return u?.display_name || u?.username || "?";
  };

  return { users, remember, nameOf };
}

export type Users = ReturnType<typeof createUsers>;
