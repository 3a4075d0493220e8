/**
 * Finding people and public channels, and when someone was last seen: lookups that combine
 * the API with what the client already holds (presence, the channel list, profiles met).
 */
import type { ReadonlySignal } from "@preact/signals";
import { type Api, qs } from "../api.ts";
import type { Channel, PublicChannel, UserRef } from "../types.ts";
import { type createPresence, latestOf } from "./presence.ts";
import type { createUsers } from "./users.ts";

export interface DirectoryDeps {
  api: Api;
  users: ReturnType<typeof createUsers>;
  presence: ReturnType<typeof createPresence>;
  channels: ReadonlySignal<readonly Channel[]>;
}

export function createDirectory({ api, users, presence, channels }: DirectoryDeps) {
  const findUsers = (q: string) =>
    api.get<{ users: UserRef[] }>(`/users${qs({ q })}`).then((r) => {
      users.remember(r.users);
      return r.users;
    });
  const publicChannels = (q: string) =>
    api.get<{ channels: PublicChannel[] }>(`/channels/public${qs({ q })}`).then((r) => r.channels);

  /**
   * When someone was last seen (null: online now, or unknown): the latest of when they left
   * while I watched and what the server said (a DM's other person, or a profile found).
   */
  function lastSeen(userId: string): string | null {
    if (presence.online.value.has(userId)) return null;
    const dm = channels.value.find((c) => c.other_user?.id === userId)?.other_user;
    return latestOf([
      presence.left.value.get(userId),
      dm?.last_seen_at,
      users.users.value.get(userId)?.last_seen_at,
    ]);
  }

  return { findUsers, publicChannels, lastSeen };
}
