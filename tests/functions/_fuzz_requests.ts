/**
 * The HTTP fuzzer's requests: the routes read from the API's own OpenAPI document, one request
 * per route built from hostile inputs. Every request is a plain value, so a failure prints as
 * something one can send again.
 */
import type { Inputs, JsonSchema } from "./_fuzz_inputs.ts";

export interface Route {
  method: string;
  /** OpenAPI template under the function, e.g. `/api/channels/{id}/messages`. */
  path: string;
  params: string[];
  /** Query parameters the route's summary documents (`?q=&limit=`). */
  query: string[];
  body: JsonSchema | undefined;
}

/** Every operation of an OpenAPI 3.1 document. */
export function routesOf(doc: { paths: Record<string, Record<string, unknown>> }): Route[] {
  const out: Route[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(ops)) {
      const op = raw as {
        summary?: string;
        parameters?: { in: string; name: string }[];
        requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
      };
      out.push({
        method: method.toUpperCase(),
        path,
        params: (op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name),
        query: [...(op.summary ?? "").matchAll(/[?&](\w+)=/g)].map((m) => m[1]!),
        body: op.requestBody?.content?.["application/json"]?.schema,
      });
    }
  }
  return out;
}

export interface FuzzRequest {
  method: string;
  /** Path and query, already encoded, under the stack's origin. */
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** One request for a route, as a caller with `token` (or none). */
export function fuzzRequest(
  inputs: Inputs,
  route: Route,
  base: string,
  token: string | undefined,
): FuzzRequest {
  const r = inputs.rng;
  let path = route.path;
  for (const p of route.params) path = path.replace(`{${p}}`, inputs.segment(p, route.path));
  const url = `${base}${path}${inputs.query(route.query, route.path)}`;
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const hasBody = route.body !== undefined || r.chance(0.2);
  if (!hasBody || route.method === "GET") return { method: route.method, url, headers };
  const b = inputs.body(route.body);
  if (b.type) headers["content-type"] = b.type;
  return { method: route.method, url, headers, ...(b.text !== undefined ? { body: b.text } : {}) };
}

/** A request as one line a person can read and send again. */
export function describe(req: FuzzRequest): string {
  const body = req.body === undefined
    ? ""
    : ` body(${req.body.length} B, ${req.headers["content-type"] ?? "no type"}): ${
      JSON.stringify(req.body.slice(0, 200))
    }`;
  const url = req.url.length > 300 ? `${req.url.slice(0, 300)}…(${req.url.length} chars)` : req.url;
  return `${req.method} ${url}${req.headers.authorization ? " [token]" : ""}${body}`;
}
