/**
 * Storage API errors as supabase/storage writes them: HTTP 400 for every client error, the
 * real status as a string in `statusCode`, plus `code`, `error` and `message`
 * (supabase/storage `src/internal/errors/codes.ts`).
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
/** Storage's `InvalidKey`: a name it cannot store (here: too long, or clashing on disk). */
export const invalidKey = (key: string) =>
  new StorageError(400, "InvalidKey", "InvalidKey", `Invalid key: ${key}`);
export const duplicate = () =>
  new StorageError(409, "KeyAlreadyExists", "Duplicate", "The resource already exists");
export const tooLarge = () =>
  new StorageError(
    413,
    "EntityTooLarge",
    "Payload too large",
    "The object exceeded the maximum allowed size",
  );

export function errorBody(e: StorageError) {
  return { statusCode: String(e.status), code: e.code, error: e.error, message: e.message };
}
