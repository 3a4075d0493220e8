/**
 * supabase/config.toml repeats the Storage buckets' limits for the Supabase CLI, and the
 * messages table checks the length once more; they must say what limits.ts says, or input
 * passes one check and fails the other.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "smol-toml";
import { SUPABASE_DIR } from "../../local/paths.ts";
import { parseSize } from "../../local/storage/mod.ts";
import {
  ATTACHMENT_MAX_BYTES,
  ATTACHMENT_MIME_TYPES,
  AVATAR_MAX_BYTES,
  AVATAR_MIME_TYPES,
  MESSAGE_MAX_CHARS,
  PER_IP_FACTOR,
  RATE_LIMITS,
  RECEIPT_DETAIL_MAX_MEMBERS,
  RECEIPT_SUMMARY_INTERVAL_MS,
  RECEIPT_SUMMARY_MESSAGES,
} from "./limits.ts";

const toml = parse(await Deno.readTextFile(join(SUPABASE_DIR, "config.toml"))) as {
  storage: { buckets: Record<string, { file_size_limit: string; allowed_mime_types: string[] }> };
};

Deno.test("config.toml's attachments and avatars buckets agree with limits.ts", () => {
  const { attachments, avatars } = toml.storage.buckets;
  assert.deepEqual([...attachments!.allowed_mime_types].sort(), [...ATTACHMENT_MIME_TYPES].sort());
  assert.equal(parseSize(attachments!.file_size_limit), ATTACHMENT_MAX_BYTES);
  assert.deepEqual([...avatars!.allowed_mime_types].sort(), [...AVATAR_MIME_TYPES].sort());
  assert.equal(parseSize(avatars!.file_size_limit), AVATAR_MAX_BYTES);
});

Deno.test("the messages table's length check and the assistant's answers use MESSAGE_MAX_CHARS", async () => {
  const dir = join(SUPABASE_DIR, "migrations");
  const table = await Deno.readTextFile(join(dir, "20251124000400_create_messages.sql"));
  assert.match(table, new RegExp(`char_length\\(content\\) <= ${MESSAGE_MAX_CHARS}\\)`));
  const assistant = await Deno.readTextFile(join(dir, "20251124001400_create_assistant.sql"));
  assert.match(assistant, new RegExp(`left\\(answer, ${MESSAGE_MAX_CHARS}\\)`));
});

Deno.test("every default rate limit fits the Postgres limiter (whole, positive, refilling)", () => {
  for (const [action, r] of Object.entries(RATE_LIMITS)) {
    assert.ok(Number.isInteger(r.capacity) && r.capacity >= 1, action);
    assert.ok(r.refillPerSec > 0, action);
  }
  assert.ok(Number.isInteger(PER_IP_FACTOR) && PER_IP_FACTOR >= 1);
});

Deno.test("the realtime events migration uses limits.ts's receipt numbers", async () => {
  const sql = await Deno.readTextFile(
    join(SUPABASE_DIR, "migrations", "20251124005000_create_realtime_events.sql"),
  );
  const n = RECEIPT_DETAIL_MAX_MEMBERS;
  assert.ok(sql.includes(`private.member_count(r.channel_id, ${n + 1}) <= ${n} then`));
  assert.ok(sql.includes(`order by x.id desc limit ${RECEIPT_SUMMARY_MESSAGES}) m)`));
  assert.equal(RECEIPT_SUMMARY_INTERVAL_MS, 1000);
  assert.ok(sql.includes("s.sent_at <= clock_timestamp() - interval '1 second'"));
});
