/**
 * Auth hooks of type `pg-functions://postgres/<schema>/<function>`, called as GoTrue calls
 * them: `select <schema>.<function>(<event jsonb>)` on Auth's own connection (role
 * supabase_auth_admin), inside the transaction that issues the token or checks the password.
 * An output `{ error: { http_code, message } }` becomes that HTTP error.
 */
import { AuthError } from "./errors.ts";
import type { Tx } from "./users.ts";

export async function callHook(
  tx: Tx,
  uri: string,
  event: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const m = /^pg-functions:\/\/[^/]+\/([A-Za-z_][A-Za-z0-9_]*)\/([A-Za-z_][A-Za-z0-9_]*)$/.exec(
    uri,
  );
  if (!m) throw new AuthError(500, "unexpected_failure", `unsupported hook URI ${uri}`);
  const fn = `"${m[1]}"."${m[2]}"`;
  const [row] = await tx.unsafe(`select ${fn}($1::text::jsonb) as out`, [JSON.stringify(event)]);
  const out = (row?.out ?? {}) as Record<string, unknown>;
  const err = out.error as { http_code?: number; message?: string } | undefined;
  if (err) {
    const status = typeof err.http_code === "number" ? err.http_code : 500;
    throw new AuthError(status, "unexpected_failure", err.message ?? "Error running hook");
  }
  return out;
}
