/**
 * A labelled text input (the label wraps it, so its name is the label), with an optional hint
 * below it that the input is described by.
 */
import type { JSX } from "preact";
import { useId } from "preact/hooks";

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "value" | "onInput">;

export function Field(
  { label, value, onValue, hint, hintIsError = false, ...input }: InputProps & {
    label: string;
    value: string;
    onValue: (v: string) => void;
    hint?: string | undefined;
    hintIsError?: boolean;
  },
) {
  const hintId = useId();
  return (
    <>
      <label class="field">
        <span>{label}</span>
        <input
          {...input}
          value={value}
          onInput={(e) => onValue(e.currentTarget.value)}
          {...(hint ? { "aria-describedby": hintId } : {})}
        />
      </label>
      {hint && <small id={hintId} class={`hint ${hintIsError ? "error" : "muted"}`}>{hint}</small>}
    </>
  );
}
