/** zod at the edge of every route: bodies, params and queries, or 400 validation_failed. */
import type { Context } from "hono";
import { z } from "zod";
import { AppError } from "../_shared/errors.ts";

export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
    throw new AppError("validation_failed", `${where}${issue.message}`);
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

/**
 * A user's text made literal inside a LIKE pattern: `\`, `%` and `_` escaped.
 *
 * @example
 * sql`... where name like ${"%" + escapeLike("50%_off") + "%"}`; // matches "50%_off" only
 */
export const escapeLike = (s: string): string => s.replace(/[\\%_]/g, "\\$&");
