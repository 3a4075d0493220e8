/**
 * Runs a user's action and keeps its error for the view: `const [error, act] = useAction()`,
 * then `act(() => api.post(…))`. Resolves true when the action succeeded; the third element
 * sets the error by hand.
 */
import { useState } from "preact/hooks";

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
      setError(e instanceof Error ? e.message : String(e));
      return false;
    }
  };
  return [error, act, setError];
}
