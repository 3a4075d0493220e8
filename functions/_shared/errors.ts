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
  /**
   * Staff with a verified MFA factor whose session is still aal1 (password only): staff routes
   * wait for the second factor (GoTrue's own code for the same refusal).
   */
  insufficient_aal: 403,
  not_found: 404,
  route_not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  content_rejected: 422,
  rate_limited: 429,
  service_unavailable: 503,
  /** The database (or another service a route needs) is unreachable or too slow right now. */
  dependency_down: 503,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * The message of a guest's refused write (403 `forbidden`, `api/middleware/anonymous.ts`): the
 * web client tells it apart from other refusals by it.
 */
export const GUEST_READ_ONLY_MESSAGE =
  "Guests can read but not post: sign up with an email address to write here";

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
    super("dependency_down", message, options);
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
    // Data exceptions a caller's value can cause that validation should already have refused;
    // should one slip through, it is still the caller's input, not a fault of ours.
    case "22003": // numeric_value_out_of_range
    case "22007": // invalid_datetime_format
    case "22008": // datetime_field_overflow
    case "22009": // invalid_time_zone_displacement_value
      return new AppError("validation_failed", "A value is out of range", { cause: e });
    case "22021": // character_not_in_repertoire (a NUL in text)
    case "22P05": // untranslatable_character (\u0000 in jsonb)
      return new AppError("validation_failed", "Text must not contain NUL characters", {
        cause: e,
      });
    case "23503":
      return new AppError("not_found", pe.message ?? "A referenced row does not exist", {
        cause: e,
      });
    default:
      return e;
  }
}
