/**
 * Storage API errors as supabase/storage writes them: HTTP 400 for every client error, the
 * real status as a string in `statusCode`, plus `code`, `error` and `message`
 * (supabase/storage `src/internal/errors/codes.ts`, `src/http/error-handler.ts`). `error` is
 * the legacy name where Storage still sends one (`not_found`, `Duplicate`, …), else the code.
 */
export class StorageError extends Error {
  override name = "StorageError";
  constructor(
    readonly status: number,
    readonly code: string,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = () => new StorageError(404, "NoSuchKey", "not_found", "Object not found");
export const noBucket = () =>
  new StorageError(404, "NoSuchBucket", "Bucket not found", "Bucket not found");
export const denied = () =>
  new StorageError(
    403,
    "AccessDenied",
    "Unauthorized",
    "new row violates row-level security policy",
  );
export const invalid = (message: string) =>
  new StorageError(400, "InvalidRequest", "Invalid Input", message);
/** A request body that does not match the route's schema (Fastify's validation error). */
export const badBody = (message: string) =>
  new StorageError(400, "InvalidRequest", "Bad Request", `body/${message}`);
/** Storage's `InvalidKey`: a name it cannot store (here: too long, or clashing on disk). */
export const invalidKey = (key: string) =>
  new StorageError(400, "InvalidKey", "InvalidKey", `Invalid key: ${key}`);
export const invalidParameter = (name: string) =>
  new StorageError(400, "InvalidParameter", "InvalidParameter", `Invalid Parameter ${name}`);
export const duplicate = () =>
  new StorageError(409, "KeyAlreadyExists", "Duplicate", "The resource already exists");
export const bucketExists = () =>
  new StorageError(409, "ResourceAlreadyExists", "Duplicate", "The resource already exists");
export const bucketNotEmpty = () =>
  new StorageError(
    409,
    "ResourceNotEmpty",
    "ResourceNotEmpty",
    "The bucket you tried to delete is not empty",
  );
export const noContent = () =>
  new StorageError(400, "InvalidRequest", "InvalidRequest", "No content provided");
export const invalidSizeLimit = () =>
  new StorageError(
    400,
    "InvalidRequest",
    "InvalidRequest",
    "Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B",
  );
export const tooLarge = () =>
  new StorageError(
    413,
    "EntityTooLarge",
    "Payload too large",
    "The object exceeded the maximum allowed size",
  );
export const invalidMime = (type: string) =>
  new StorageError(
    415,
    "InvalidMimeType",
    "invalid_mime_type",
    `mime type ${type} is not supported`,
  );
export const invalidJwt = (message: string) =>
  new StorageError(400, "InvalidJWT", "Unauthorized", message);

/**
 * A Postgres error as Storage reports it (`src/storage/database/errors.ts`): a policy refusal
 * is 403 `AccessDenied`, a taken name 409, a missing bucket behind a foreign key 404; anything
 * else is left as it is (a 500).
 */
export function fromPg(e: unknown, onDuplicate: () => StorageError = duplicate): unknown {
  const code = (e as { code?: string }).code;
  if (code === "42501") return denied();
  if (code === "23505") return onDuplicate();
  if (code === "23503") {
    return new StorageError(
      404,
      "InvalidRequest",
      "InvalidRequest",
      "The related resource does not exist",
    );
  }
  return e;
}

export function errorBody(e: StorageError) {
  return { statusCode: String(e.status), code: e.code, error: e.error, message: e.message };
}
