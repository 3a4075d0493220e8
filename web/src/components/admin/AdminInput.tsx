/** A labelled text field bound to a signal, without autocomplete or spellcheck. */
import type { JSX } from "preact";
import type { Signal } from "@preact/signals";
import { AdminField } from "./AdminField.tsx";

export function AdminInput(
  { label, class: cls, value, ...input }:
    & Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "id" | "value" | "onInput" | "class">
    & { label: string; class?: string; value: Signal<string> },
) {
  return (
    <AdminField label={label} class={cls}>
      {(id) => (
        <input
          {...input}
          id={id}
          autoComplete="off"
          spellcheck={false}
          value={value.value}
          onInput={(e) => (value.value = e.currentTarget.value)}
        />
      )}
    </AdminField>
  );
}
