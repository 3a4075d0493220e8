/**
 * A Realtime client as lean as a benchmark needs and as faithful as it must be: the frames
 * realtime-js 2.119 sends (vsn 2.0.0 JSON arrays; `phx_join` with the supabase-js config and
 * the user's `access_token`; a heartbeat every 25 s), for thousands of sockets in one process.
 */

/** `[join_ref, ref, topic, event, payload]` */
export type PhxFrame = [string | null, string | null, string, string, Record<string, unknown>];

/** realtime-js's heartbeat interval. */
export const HEARTBEAT_MS = 25_000;

/** The join a supabase-js `supabase.channel(topic, { config: { private: true } })` sends. */
export function joinFrame(ref: string, topic: string, token: string): string {
  return JSON.stringify([ref, ref, `realtime:${topic}`, "phx_join", {
    config: {
      broadcast: { ack: false, self: false },
      presence: { key: "", enabled: false },
      postgres_changes: [],
      private: true,
    },
    access_token: token,
  }]);
}

/**
 * A Broadcast-from-Database event in a frame: `{ event, payload }`, or undefined for anything
 * else (replies, heartbeats, presence).
 */
export function broadcastOf(
  data: string,
): { event: string; payload: Record<string, unknown> } | undefined {
  if (!data.includes('"broadcast"')) return undefined;
  const f = JSON.parse(data) as PhxFrame;
  if (f[3] !== "broadcast") return undefined;
  const p = f[4] as { event?: string; payload?: Record<string, unknown> };
  return typeof p.event === "string" ? { event: p.event, payload: p.payload ?? {} } : undefined;
}

/**
 * Opens `tokens.length` sockets to `url`, socket i joined privately to `topicOf(i)` with
 * `tokens[i]`, `batch` at a time; resolves once every join was answered `ok` (rejects with the
 * first refusal). Every other frame, during the joins and after, goes to `onFrame(i, data)`.
 */
export async function openJoined(
  url: string,
  tokens: string[],
  topicOf: (i: number) => string,
  onFrame: (i: number, data: string) => void,
  { batch = 200, timeoutMs = 120_000 } = {},
): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let start = 0; start < tokens.length; start += batch) {
    const joins: Promise<void>[] = [];
    for (let i = start; i < Math.min(tokens.length, start + batch); i++) {
      joins.push(
        new Promise<void>((resolve, reject) => {
          const ws = new WebSocket(url);
          sockets[i] = ws;
          let joined = false;
          const ref = `j${i}`;
          const t = setTimeout(() => reject(new Error(`socket ${i}: no join reply`)), timeoutMs);
          ws.onerror = (e) => {
            if (!joined) reject(new Error(`socket ${i}: ${(e as ErrorEvent).message ?? "error"}`));
          };
          ws.onclose = (e) => {
            if (!joined) reject(new Error(`socket ${i} closed before joining: ${e.code}`));
          };
          ws.onopen = () => ws.send(joinFrame(ref, topicOf(i), tokens[i]!));
          ws.onmessage = (e) => {
            const data = String(e.data);
            if (!joined && data.includes('"phx_reply"')) {
              const f = JSON.parse(data) as PhxFrame;
              if (f[1] === ref) {
                clearTimeout(t);
                const status = (f[4] as { status?: string }).status;
                if (status !== "ok") {
                  return reject(new Error(`socket ${i}: join refused: ${JSON.stringify(f[4])}`));
                }
                joined = true;
                return resolve();
              }
            }
            onFrame(i, data);
          };
        }),
      );
    }
    await Promise.all(joins);
  }
  return sockets;
}

/** Opens `n` plain sockets (no protocol), `batch` at a time; frames go to `onFrame(i, data)`. */
export async function openPlain(
  url: string,
  n: number,
  onFrame: (i: number, data: string) => void,
  { batch = 200 } = {},
): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let start = 0; start < n; start += batch) {
    const opens: Promise<void>[] = [];
    for (let i = start; i < Math.min(n, start + batch); i++) {
      opens.push(
        new Promise<void>((resolve, reject) => {
          const ws = new WebSocket(url);
          sockets[i] = ws;
          ws.onerror = () => reject(new Error(`socket ${i}: error`));
          ws.onopen = () => resolve();
          ws.onmessage = (e) => onFrame(i, String(e.data));
        }),
      );
    }
    await Promise.all(opens);
  }
  return sockets;
}

/**
 * Sends each open socket a heartbeat every HEARTBEAT_MS, spread evenly over the interval (as
 * sockets opened at different moments do). Returns the function that stops it.
 */
export function heartbeats(sockets: WebSocket[]): () => void {
  const slots = 25;
  let tick = 0;
  let ref = 0;
  const timer = setInterval(() => {
    const slot = tick++ % slots;
    for (let i = slot; i < sockets.length; i += slots) {
      const ws = sockets[i];
      if (ws?.readyState === WebSocket.OPEN) {
        ws.send(JSON.stringify([null, `h${ref++}`, "phoenix", "heartbeat", {}]));
      }
    }
  }, HEARTBEAT_MS / slots);
  return () => clearInterval(timer);
}

/** Closes every socket and waits until all are closed (or `timeoutMs` passed). */
export async function closeAll(sockets: WebSocket[], timeoutMs = 30_000): Promise<void> {
  const closed = sockets.map((ws) =>
    ws.readyState === WebSocket.CLOSED ? Promise.resolve() : new Promise<void>((resolve) => {
      ws.onclose = () => resolve();
      ws.onerror = () => resolve();
      try {
        ws.close();
      } catch {
        resolve();
      }
    })
  );
  let t: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.all(closed),
    new Promise((r) => (t = setTimeout(r, timeoutMs))),
  ]);
  clearTimeout(t);
}
