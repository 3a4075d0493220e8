/**
 * For the state's unit tests: an in-memory API with the real one's paging rules (newest first;
 * `after` pages; `limit` at most 100), one copy per `client_id`, receipts that only move
 * forward, edits and deletes answered with the message, and a log of every request (the client's request budget is what several tests
 * measure).
 */
import type { Api } from "../api.ts";
import { ApiError } from "../api.ts";
import type { Channel, Member, Message } from "../types.ts";
import { CH, channel, ME, member, message } from "./_fixtures.ts";

export interface Logged {
  method: string;
  path: string;
  body?: unknown;
}

export function fakeApi(opts: { channels?: Channel[]; members?: Member[] } = {}) {
  const rows: Message[] = [];
  const log: Logged[] = [];
  const channels = opts.channels ?? [channel(CH)];
  const members = opts.members ?? [member(ME)];
  let offline = false;
  let gate: Promise<void> | null = null;

  /** Stores a message as the API would; answers it with its `prev_id`. */
  function add(fields: Partial<Message> = {}): { message: Message; prev_id: number | null } {
    const channelId = fields.channel_id ?? CH;
    const prev = rows.filter((m) => m.channel_id === channelId).at(-1)?.id ?? null;
    const m = message(rows.length + 1, { channel_id: channelId, ...fields });
    rows.push(m);
    return { message: m, prev_id: prev };
  }

  function page(channelId: string, q: URLSearchParams): Message[] {
    const before = Number(q.get("before") ?? 0) || null;
    const after = Number(q.get("after") ?? 0) || null;
    const limit = Math.min(100, Number(q.get("limit") ?? 50));
    const mine = rows.filter((m) => m.channel_id === channelId);
    const around = Number(q.get("around") ?? 0) || null;
    if (around !== null) {
      // floor(limit / 2) older, the message, the rest newer (404 when it is not there).
      const at = mine.findIndex((m) => m.id === around);
      if (at < 0) throw new ApiError(404, "not_found", "No such message in this channel");
      const older = Math.floor(limit / 2);
      return mine.slice(Math.max(0, at - older), at + limit - older).reverse();
    }
    if (after !== null) return mine.filter((m) => m.id > after).slice(0, limit).reverse();
    return mine.filter((m) => before === null || m.id < before).slice(-limit).reverse();
  }

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    log.push({ method, path, ...(body !== undefined ? { body } : {}) });
    if (offline) throw new ApiError(0, "network", "offline");
    // The answer is read now and delivered after the gate, as a slow server's would be.
    const answer = answerOf<T>(method, path, body);
    if (gate) await gate;
    return answer;
  }

  function answerOf<T>(method: string, path: string, body?: unknown): T {
    const url = new URL(path, "http://x");
    const parts = url.pathname.split("/").filter(Boolean);
    if (method === "GET" && path === "/channels") return { channels } as T;
    if (method === "GET" && parts[0] === "channels" && parts[2] === "messages") {
      return { messages: page(parts[1]!, url.searchParams) } as T;
    }
    if (method === "GET" && parts[0] === "channels" && parts.length === 2) {
      return { channel: { id: parts[1] }, members } as T;
    }
    if (method === "POST" && parts[2] === "messages") {
      const b = body as { content: string; client_id: string };
      const same = rows.find((m) => m.sender_id === ME && m.client_id === b.client_id);
      return {
        message: same ?? add({ channel_id: parts[1]!, ...b, sender_id: ME }).message,
      } as T;
    }
    if ((method === "PATCH" || method === "DELETE") && parts[0] === "messages") {
      // An edit or a delete of a stored message, answered with the message as it is now.
      const at = rows.findIndex((m) => m.id === Number(parts[1]));
      if (at < 0) throw new ApiError(404, "not_found", "No such message");
      const now = new Date(1_800_000_000_000).toISOString();
      rows[at] = method === "PATCH"
        ? { ...rows[at]!, content: (body as { content: string }).content, edited_at: now }
        : { ...rows[at]!, content: "", deleted_at: now };
      return { message: rows[at] } as T;
    }
    if (method === "POST" && parts[2] === "receipts") {
      const b = body as { delivered_up_to?: number; read_up_to?: number };
      return {
        last_delivered_message_id: Math.max(b.delivered_up_to ?? 0, b.read_up_to ?? 0),
        last_read_message_id: b.read_up_to ?? 0,
      } as T;
    }
    return {} as T;
  }

  const api: Api = {
    get: (path) => call("GET", path),
    post: (path, body = {}) => call("POST", path, body),
    patch: (path, body) => call("PATCH", path, body),
    put: (path) => call("PUT", path),
    del: (path) => call("DELETE", path),
  };

  return {
    api,
    rows,
    log,
    add,
    /** Requests that are not receipts. */
    reads: () => log.filter((r) => r.method === "GET"),
    setOffline: (v: boolean) => (offline = v),
    /** Holds every answer until `release()` (answers are computed after it, as a slow server's). */
    hold() {
      let release!: () => void;
      gate = new Promise<void>((r) => (release = r));
      return () => {
        gate = null;
        release();
      };
    },
  };
}
