/**
 * What the reader has typed and not sent, per channel: kept when they switch channels, and
 * across a reload of the tab (the tab's session storage, per user, so it ends with the tab and
 * never outlives a sign-out on a shared computer). Storage that refuses (private mode, quota)
 * only loses the reload part.
 */
export interface DraftStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function createDrafts(
  { myId, storage }: { myId: string; storage?: DraftStorage | undefined },
) {
  const drafts = new Map<string, string>();
  const key = (channelId: string) => `chat.draft.${myId}.${channelId}`;
  const quietly = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch {
      return undefined;
    }
  };

  return {
    get(channelId: string): string {
      return drafts.get(channelId) ?? quietly(() => storage?.getItem(key(channelId))) ?? "";
    },
    /** Remembers `text` for the channel; empty (or only spaces) forgets it. */
    set(channelId: string, text: string) {
      if (text.trim()) {
        drafts.set(channelId, text);
        quietly(() => storage?.setItem(key(channelId), text));
      } else {
        drafts.set(channelId, "");
        quietly(() => storage?.removeItem(key(channelId)));
      }
    },
  };
}

export type Drafts = ReturnType<typeof createDrafts>;
