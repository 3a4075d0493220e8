/**
 * zod at the edge of every route: bodies, params and queries, or 400 validation_failed. Also
 * the shared pieces of input that Postgres is stricter about than JSON: text (no NUL), instants
 * (no year 0) and the search cursor (a `real` and a `bigint`).
 */
import type { Context } from "hono";
import { z } from "zod";
import { AppError } from "../_shared/errors.ts";

/**
 * Where in `value` a string (a value or a key) is not text Postgres can store: a NUL (`text`
 * and `jsonb` refuse U+0000) or an unpaired surrogate (not Unicode at all). Iterative, so that
 * a deeply nested value cannot exhaust the stack; `""` is the value itself.
 *
 * @example
 * badText({ a: ["ok", "x\u0000"] }); // "a.1"
 * badText({ a: "ok" }); // undefined
 */
export function badText(value: unknown): string | undefined {
  const bad = (s: string) => s.includes("\u0000") || !s.isWellFormed();
  const todo: [unknown, string][] = [[value, ""]];
  for (let item = todo.pop(); item; item = todo.pop()) {
    const [v, at] = item;
    if (typeof v === "string") {
      if (bad(v)) return at;
    } else if (v && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) {
        const where = at ? `${at}.${k}` : k;
        if (bad(k)) return where;
        todo.push([child, where]);
      }
    }
  }
  return undefined;
}

export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
    throw new AppError("validation_failed", `${where}${issue.message}`);
  }
  // What the schema lets through is what reaches Postgres, so it is checked here, once, for
  // every route (a schema that strips control characters, as message content does, passes).
  // Postgres would refuse such text with an error, and the caller get a 500 instead of a reason.
  const at = badText(r.data);
  if (at !== undefined) {
    throw new AppError(
      "validation_failed",
      `${at ? `${at}: ` : ""}must not contain NUL characters or unpaired surrogates`,
    );
  }
  return r.data;
}

export async function body<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    throw new AppError("bad_json", "The body must be JSON");
  }
  return parse(schema, json);
}

export const uuid = z.string().uuid("must be a uuid");
export const messageId = z.coerce.number().int().positive();

/** Instants both Postgres and postgres.js write back as they were read: years 0001 to 9999 in UTC. */
const FIRST = Date.parse("0001-01-01T00:00:00Z");
const LAST = Date.parse("9999-12-31T23:59:59.999Z");

/**
 * An ISO 8601 instant with an offset that a `timestamptz` parameter takes. Postgres has no year
 * 0 (it refuses `0000-…` whatever the offset), and postgres.js sends such a parameter as
 * `toISOString()`, whose `+010000-…` for an instant past 9999 in UTC Postgres also refuses.
 */
export const isoInstant = z.iso.datetime({ offset: true }).refine(
  (s) => !s.startsWith("0000") && Date.parse(s) >= FIRST && Date.parse(s) <= LAST,
  "must be an instant between the years 0001 and 9999 (UTC)",
);

/**
 * The search cursor `<score>:<id>` of an earlier page, parsed: a finite `real` and a message id.
 *
 * @example
 * parse(searchCursor, "0.0607927:12"); // { score: 0.0607927, id: 12 }
 */
export const searchCursor = z.string().max(64, "not a cursor from an earlier page")
  .regex(/^-?\d+(\.\d+)?(e[-+]?\d+)?:\d{1,16}$/i, "not a cursor from an earlier page")
  .transform((s) => {
    const [score, id] = s.split(":");
    return { score: Number(score), id: Number(id) };
  })
  // Within what a `real` holds (Postgres refuses an overflow, and an underflow to zero).
  .refine(
    (c) =>
      (c.score === 0 || (Math.abs(c.score) > 1e-37 && Math.abs(c.score) < 3e38)) &&
      Number.isSafeInteger(c.id),
    "not a cursor from an earlier page",
  );

/**
 * A user's text made literal inside a LIKE pattern: `\`, `%` and `_` escaped.
 *
 * @example
 * sql`... where name like ${"%" + escapeLike("50%_off") + "%"}`; // matches "50%_off" only
 */
export const escapeLike = (s: string): string => s.replace(/[\\%_]/g, "\\$&");
