/**
 * A tab's data and the plumbing around it. The data loads when the component mounts and
 * whenever `deps` change; `load` loads it again, and only the newest load's answer or error
 * counts. `act` runs a change with `busy` set, keeping its error for the view.
 */
import { type Inputs, useEffect, useRef } from "preact/hooks";
import { type ReadonlySignal, useSignal } from "@preact/signals";
import { errorText } from "./_shared.ts";

/** What a view of loaded data reads: the data (null until it first comes), loading, error. */
export interface Loaded<T> {
  data: ReadonlySignal<T | null>;
  loading: ReadonlySignal<boolean>;
  error: ReadonlySignal<string | null>;
}

export function useAdminData<T>(fetch: () => Promise<T>, deps: Inputs) {
  const data = useSignal<T | null>(null);
  const loading = useSignal(false);
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  const seq = useRef(0);

  const load = async () => {
    const n = ++seq.current;
    const current = () => n === seq.current;
    loading.value = true;
    try {
      const d = await fetch();
      if (!current()) return;
      data.value = d;
      error.value = null;
    } catch (e) {
      if (current()) error.value = errorText(e);
    } finally {
      if (current()) loading.value = false;
    }
  };

  useEffect(() => {
    void load();
  }, deps);

  const act = async (change: () => Promise<unknown>) => {
    busy.value = true;
    error.value = null;
    try {
      await change();
    } catch (e) {
      error.value = errorText(e);
    } finally {
      busy.value = false;
    }
  };

  return { data, loading, error, busy, load, act };
}
