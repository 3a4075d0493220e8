/**
 * A labelled text input (the label wraps it, so its name is the label), with an optional hint
 * below it that the input is described by.
 */
import type { JSX } from "preact";
import { useId } from "preact/hooks";

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "value" | "onInput">;

export function Field(
  { label, value, onValue, hint, hintIsError = false, class: cls = "field", ...input }:
    & Omit<InputProps, "class">
    & {
      label: string;
      /** The label's classes (default `field`). */
      class?: string;
      value: string;
      onValue: (v: string) => void;
      hint?: string | undefined;
      hintIsError?: boolean;
    },
) {
  const hintId = useId();
  return (
    <>
      <label class={cls}>
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
