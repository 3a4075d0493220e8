/**
 * Every limit the API enforces and the web client mirrors, in one place: the API's schemas,
 * the rate limiter and the web client's composer all read them from here (the client bundles
 * this file; it must stay free of Deno and server imports).
 *
 * `supabase/config.toml` repeats the Storage buckets' types and sizes because the Supabase CLI
 * reads them from there; `limits_test.ts` fails when the two disagree.
 */

/** Longest message, in UTF-16 code units (what `String.length` and a textarea's maxLength count). */
export const MESSAGE_MAX_CHARS = 4000;
/** Attachments one message may carry. */
export const ATTACHMENTS_PER_MESSAGE = 10;
/** Largest JSON request body the API reads, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Longest a request may take before it is answered 503 and abandoned, in ms. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** Longest one statement of a request may run (Postgres `statement_timeout`), in ms. */
export const STATEMENT_TIMEOUT_MS = 8_000;

/**
 * Connections in the API's Postgres pool (API_DB_POOL overrides it). A request holds one for its
 * transaction, commit included: fewer than the requests in flight and they queue for it.
 */
export const DB_POOL = 10;

/** Message pages (`GET /channels/:id/messages?limit=`). */
export const MESSAGE_PAGE = { default: 50, max: 100 } as const;
/** Search hits per page (`GET /search?limit=`). */
export const SEARCH_PAGE = { default: 20, max: 50 } as const;
/** Recent messages a channel summary reads (`GET /channels/:id/summary?limit=`). */
export const SUMMARY_MESSAGES = { default: 50, max: 100 } as const;

const MiB = 1024 * 1024;

/** What the `attachments` bucket accepts (checked again by content in `POST /attachments`). */
export const ATTACHMENT_MIME_TYPES: readonly string[] = [
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "audio/mpeg",
  "audio/ogg",
  "audio/wav",
  "audio/webm",
  "audio/mp4",
  "video/mp4",
  "video/webm",
  "application/pdf",
  "text/plain",
  "application/zip",
];
export const ATTACHMENT_MAX_BYTES = 25 * MiB;
/** A video's poster frame, a JPEG taken by the browser. */
export const POSTER_MAX_BYTES = 2 * MiB;

/** What the `avatars` bucket accepts. */
export const AVATAR_MIME_TYPES: readonly string[] = [
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
];
export const AVATAR_MAX_BYTES = 5 * MiB;

/** A token bucket: `capacity` requests at once, then `refillPerSec` a second. */
export interface RateRule {
  capacity: number;
  refillPerSec: number;
}

export type RateAction =
  | "send"
  | "edit"
  | "react"
  | "search"
  | "upload"
  | "report"
  | "receipt"
  | "write";

/** Per user and action. Operators override them with API_RATE_LIMITS (see `config.ts`). */
export const RATE_LIMITS: Readonly<Record<RateAction, RateRule>> = {
  send: { capacity: 20, refillPerSec: 1 },
  edit: { capacity: 20, refillPerSec: 0.5 },
  react: { capacity: 30, refillPerSec: 1 },
  // Search as you type: a query per pause in typing (the client waits 200 ms), not per key.
  search: { capacity: 30, refillPerSec: 2 },
  upload: { capacity: 10, refillPerSec: 0.2 },
  report: { capacity: 5, refillPerSec: 0.05 },
  // A reader in a busy channel moves its watermarks often (clients coalesce to about 1/s).
  receipt: { capacity: 60, refillPerSec: 2 },
  write: { capacity: 30, refillPerSec: 1 },
};

/** Several users can share an address (NAT): the per-IP bucket is this many times larger. */
export const PER_IP_FACTOR = 5;

/**
 * Receipts (read ticks). Channels of at most this many members broadcast each member's
 * watermarks (`receipt.updated`); larger ones an aggregated `receipt.summary`. The migration
 * `…_create_realtime_events.sql` holds the same numbers (`limits_test.ts` compares them).
 */
export const RECEIPT_DETAIL_MAX_MEMBERS = 20;
/** The newest messages of a channel a `receipt.summary` counts readers for. */
export const RECEIPT_SUMMARY_MESSAGES = 20;
/** At most one `receipt.summary` per channel this often, in ms. */
export const RECEIPT_SUMMARY_INTERVAL_MS = 1000;
/** A client sends at most one receipt request per channel this often, in ms. */
export const RECEIPT_FLUSH_MS = 3000;

/**
 * Pins and saved messages (issue 14). The migration `…_create_pins_and_saved.sql` holds the
 * same caps (its triggers refuse the next one).
 */
export const PINS_PER_CHANNEL = 50;
export const SAVED_PER_USER = 1000;
/** `GET /me/saved?cursor=&limit=`. */
export const SAVED_PAGE = { default: 30, max: 100 } as const;

/**
 * Link previews (issue 14): what the server fetches for the first link of a message. One
 * deadline for the whole preview (page, redirects and image), the HTML read only up to its
 * limit, the image refused past its limit or when it is not one of these types.
 */
export const LINK_PREVIEW = {
  timeoutMs: 5000,
  maxRedirects: 3,
  maxHtmlBytes: 1 * MiB,
  maxImageBytes: 2 * MiB,
  imageMimeTypes: ["image/png", "image/jpeg", "image/gif", "image/webp"],
  titleChars: 200,
  descriptionChars: 400,
  siteNameChars: 100,
  /** Previews fetched at once per API process; a message sent past that gets none. */
  concurrent: 8,
} as const;
