/**
 * OpenAPI metadata for each route (npm `hono-openapi`): the document at /openapi.json is
 * generated from the routes themselves and the zod schemas they validate with.
 */
import { describeRoute, resolver } from "hono-openapi";
import type { z } from "zod";

/**
 * @example
 * app.post("/channels", doc("Create a group", { body: CreateGroup }), handler)
 */
export function doc(summary: string, opts: { body?: z.ZodType; public?: boolean } = {}) {
  return describeRoute({
    summary,
    security: opts.public ? [] : [{ bearer: [] }],
    ...(opts.body
      ? {
        requestBody: {
          required: true,
          content: { "application/json": { schema: resolver(opts.body) } },
        },
      }
      : {}),
    responses: {
      default: {
        description: "JSON. Errors: { error: { code, message } } with the status of contracts.md",
      },
    },
  });
}
