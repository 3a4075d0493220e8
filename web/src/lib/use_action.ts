/**
 * Runs a user's action and keeps its error for the view: `const [error, act] = useAction()`,
 * then `act(() => api.post(…))`. Resolves true when the action succeeded; the third element
 * sets the error by hand.
 */
import { useState } from "preact/hooks";
import { ApiError } from "../api.ts";
import { errorMessage } from "../i18n/errors.ts";

/**
 * The error as the reader's language says it: the API's, Auth's and Storage's errors by their
 * code; an error the view threw itself (already in words) as it is.
 */
export function shownError(e: unknown): string {
  const coded = e instanceof ApiError ||
    (typeof e === "object" && e !== null &&
      (typeof (e as { code?: unknown }).code === "string" ||
        ["UploadError", "AuthRetryableFetchError", "TypeError"].includes(
          (e as { name?: string }).name ?? "",
        )));
  return coded ? errorMessage(e) : e instanceof Error ? e.message : String(e);
}

export function useAction(): [
  string | null,
  (f: () => Promise<unknown>) => Promise<boolean>,
  (e: string | null) => void,
] {
  const [error, setError] = useState<string | null>(null);
  const act = async (f: () => Promise<unknown>) => {
    setError(null);
    try {
      await f();
      return true;
    } catch (e) {
      setError(shownError(e));
      return false;
    }
  };
  return [error, act, setError];
}
