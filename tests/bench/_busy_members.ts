/**
 * Simulated members of one busy channel for `busy_channel_bench.ts`, many per process, each
 * following the web client's protocol (README "Realtime events"): it opens the channel (one
 * GET of its newest messages), joins `channel:<id>` privately with its access token, merges
 * every event without a request, fetches only when `prev_id` shows a gap, and coalesces its
 * receipts: at most one POST /channels/:id/receipts per RECEIPT_FLUSH_MS carrying the highest
 * delivered and read ids (the channel is open and visible, so what arrives is read at once);
 * and "last seen" (POST /me/seen) once a minute. It joins only `channel:<id>`: the client's
 * other topics (`typing:<id>`, `user:<me>`, `online`) carry nothing in this scenario.
 *
 * Driven over stdin/stdout: `CONFIG <json>` → opens and joins, prints `READY`; `START` → counts
 * frames and requests from now on; `END <json ids>` → waits (up to 20 s) until every member
 * holds every sent message, then prints `RESULT <json>` and exits.
 */
import { RECEIPT_FLUSH_MS } from "../../functions/_shared/limits.ts";
import { broadcastOf, closeAll, heartbeats, openJoined, type PhxFrame } from "./_phoenix.ts";
import { printResult } from "./_procs.ts";
import { nowMs } from "./_stack.ts";

/** web/src/state/receipts.ts's pause before the first receipt of a quiet spell. */
const FIRST_DELAY_MS = 300;
/** web/src/state/chat.ts's "last seen" heartbeat (POST /me/seen) while connected. */
const SEEN_EVERY_MS = 60_000;

export interface MembersConfig {
  wsUrl: string;
  api: string;
  channelId: string;
  tokens: string[];
}

export interface MembersResult {
  members: number;
  /** Delivery latencies (ms) of the first copy of each expected message at each member. */
  latencies: number[];
  missing: number;
  duplicates: number;
  /** Deliveries of messages not in the expected list (a failed send that was stored anyway). */
  unexpected: number;
  /** Members that lack at least one message. */
  incomplete: number;
  frames: Record<string, number>;
  requests: { receipts: number; gapFetches: number; seen: number; failed: number };
  firstError?: string;
}

interface Member {
  token: string;
  /** Ids held: fetched or received. */
  held: Set<number>;
  /** How many times each message.created arrived. */
  created: Map<number, number>;
  newest: number;
  flushedUpTo: number;
  lastFlush: number;
  inFlight: boolean;
  flushTimer: ReturnType<typeof setTimeout> | undefined;
  fetching: boolean;
}

const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
let cfg: MembersConfig | undefined;
let members: Member[] = [];
let counting = false;
const latencies: number[] = [];
const frames: Record<string, number> = {};
const requests = { receipts: 0, gapFetches: 0, seen: 0, failed: 0 };
const timers: ReturnType<typeof setTimeout>[] = [];
let firstError: string | undefined;

async function api(m: Member, method: string, path: string, body?: unknown): Promise<unknown> {
  try {
    const res = await fetch(`${cfg!.api}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${m.token}`,
        ...(body ? { "content-type": "application/json" } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
    return JSON.parse(text);
  } catch (e) {
    requests.failed++;
    firstError ??= e instanceof Error ? e.message : String(e);
    return undefined;
  }
}

function hold(m: Member, ids: number[]) {
  for (const id of ids) {
    m.held.add(id);
    if (id > m.newest) m.newest = id;
  }
}

async function openChannel(m: Member) {
  const page = await api(m, "GET", `/channels/${cfg!.channelId}/messages?limit=50`) as
    | { messages: { id: number }[] }
    | undefined;
  if (!page) throw new Error(`opening the channel failed: ${firstError}`);
  hold(m, page.messages.map((x) => Number(x.id)));
}

/** The client's gap fill: everything after the newest message it held before the gap. */
async function fetchGap(m: Member, after: number) {
  if (m.fetching) return;
  m.fetching = true;
  if (counting) requests.gapFetches++;
  const page = await api(
    m,
    "GET",
    `/channels/${cfg!.channelId}/messages?after=${after}&limit=100`,
  ) as { messages: { id: number }[] } | undefined;
  m.fetching = false;
  if (page) hold(m, page.messages.map((x) => Number(x.id)));
}

/**
 * The client's receipts (web/src/state/receipts.ts, mirrored here because that module is typed
 * for the browser): the first request of a quiet spell after FIRST_DELAY_MS plus a random part
 * of RECEIPT_FLUSH_MS (the channel is large), then at most one per RECEIPT_FLUSH_MS from the
 * previous one's start, one in flight, carrying the highest id.
 */
function scheduleReceipt(m: Member) {
  if (m.inFlight || m.flushTimer !== undefined || m.newest <= m.flushedUpTo) return;
  const first = FIRST_DELAY_MS + Math.random() * RECEIPT_FLUSH_MS;
  const wait = Math.max(first, m.lastFlush + RECEIPT_FLUSH_MS - Date.now());
  m.flushTimer = setTimeout(async () => {
    m.flushTimer = undefined;
    const upTo = m.newest;
    m.inFlight = true;
    m.lastFlush = Date.now();
    if (counting) requests.receipts++;
    await api(m, "POST", `/channels/${cfg!.channelId}/receipts`, {
      delivered_up_to: upTo,
      read_up_to: upTo,
    });
    m.flushedUpTo = upTo;
    m.inFlight = false;
    scheduleReceipt(m);
  }, wait);
}

function onFrame(i: number, data: string) {
  const m = members[i]!;
  const b = broadcastOf(data);
  if (counting) {
    const kind = b ? b.event : (JSON.parse(data) as PhxFrame)[3];
    frames[kind] = (frames[kind] ?? 0) + 1;
  }
  if (b?.event !== "message.created") return;
  const msg = b.payload.message as { id: number; content: string };
  const id = Number(msg.id);
  const seen = m.created.get(id) ?? 0;
  m.created.set(id, seen + 1);
  if (seen) return;
  const sentAt = Number(/^busy \d+ at ([\d.]+)$/.exec(msg.content)?.[1]);
  if (sentAt) latencies.push(Math.round((nowMs() - sentAt) * 10) / 10);
  const prev = b.payload.prev_id;
  const gap = typeof prev === "number" && !m.held.has(prev);
  const after = m.newest;
  hold(m, [id]);
  if (gap) void fetchGap(m, after);
  scheduleReceipt(m);
}

async function finish(expected: number[]) {
  const complete = () => members.every((m) => expected.every((id) => m.created.has(id)));
  const deadline = Date.now() + 20_000;
  while (!complete() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  counting = false;
  let missing = 0;
  let duplicates = 0;
  let incomplete = 0;
  let unexpected = 0;
  const wanted = new Set(expected);
  for (const m of members) {
    for (const id of m.created.keys()) if (!wanted.has(id)) unexpected++;
    const lacks = expected.filter((id) => !m.created.has(id)).length;
    missing += lacks;
    if (lacks) incomplete++;
    for (const n of m.created.values()) duplicates += n - 1;
    clearTimeout(m.flushTimer);
  }
  const result: MembersResult = {
    members: members.length,
    latencies,
    missing,
    duplicates,
    unexpected,
    incomplete,
    frames,
    requests,
    ...(firstError ? { firstError } : {}),
  };
  printResult(result);
}

let buf = "";
let sockets: WebSocket[] = [];
let stopBeats = () => {};
for await (const chunk of lines) {
  buf += chunk;
  let nl;
  while ((nl = buf.indexOf("\n")) >= 0) {
    const line = buf.slice(0, nl);
    buf = buf.slice(nl + 1);
    if (line.startsWith("CONFIG ")) {
      cfg = JSON.parse(line.slice(7)) as MembersConfig;
      members = cfg.tokens.map((token) => ({
        token,
        held: new Set(),
        created: new Map(),
        newest: 0,
        flushedUpTo: 0,
        lastFlush: -Infinity,
        inFlight: false,
        flushTimer: undefined,
        fetching: false,
      }));
      // Opening the channel: its newest messages, 20 members at a time.
      for (let k = 0; k < members.length; k += 20) {
        await Promise.all(members.slice(k, k + 20).map(openChannel));
      }
      sockets = await openJoined(
        cfg.wsUrl,
        cfg.tokens,
        () => `channel:${cfg!.channelId}`,
        onFrame,
        { batch: 100 },
      );
      stopBeats = heartbeats(sockets);
      // "Last seen": each client's own minute, started when it was opened.
      for (const m of members) {
        timers.push(setTimeout(() => {
          const seen = () => {
            if (counting) requests.seen++;
            void api(m, "POST", "/me/seen", {});
          };
          seen();
          timers.push(setInterval(seen, SEEN_EVERY_MS));
        }, Math.random() * SEEN_EVERY_MS));
      }
      console.log("READY");
    } else if (line === "START") {
      counting = true;
    } else if (line.startsWith("END ")) {
      await finish(JSON.parse(line.slice(4)) as number[]);
      stopBeats();
      for (const t of timers) clearTimeout(t);
      await closeAll(sockets, 5_000);
      Deno.exit(0);
    }
  }
}
