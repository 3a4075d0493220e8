/**
 * Domain errors: thrown by routes and the plain functions they call, they know nothing about
 * HTTP. `functions/api/app.ts` maps them, once, to `{ error: { code, message } }`.
 */

/** Every error code the API answers with, and the HTTP status it goes with. */
export const ERROR_CODES = {
  validation_failed: 400,
  bad_json: 400,
  unauthorized: 401,
  invalid_token: 401,
  forbidden: 403,
  not_found: 404,
  route_not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  content_rejected: 422,
  rate_limited: 429,
  service_unavailable: 503,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Base of every error the API reports to its caller as such. */
export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions & { details?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options);
    this.details = options?.details;
    this.headers = options?.headers ?? {};
  }
  readonly details: unknown;
  /** Extra response headers (for example `Retry-After`). */
  readonly headers: Record<string, string>;
}

export class NotFoundError extends AppError {
  override name = "NotFoundError";
  constructor(message = "Not found", options?: ErrorOptions) {
    super("not_found", message, options);
  }
}

export class DependencyDownError extends AppError {
  override name = "DependencyDownError";
  constructor(message: string, options?: ErrorOptions) {
    super("service_unavailable", message, options);
  }
}

/** Postgres errors the chat's constraints and policies raise, as domain errors. */
export function fromDbError(e: unknown): unknown {
  const pe = e as { code?: string; message?: string; constraint_name?: string };
  switch (pe.code) {
    case "42501":
      return new AppError("forbidden", "You may not do that here", { cause: e });
    case "23505":
      return new AppError("conflict", "That already exists", { cause: e });
    case "23514":
    case "22001":
    case "22P02":
      return new AppError("validation_failed", pe.message ?? "Invalid value", { cause: e });
    case "23503":
      return new AppError("not_found", pe.message ?? "A referenced row does not exist", {
        cause: e,
      });
    default:
      return e;
  }
}
