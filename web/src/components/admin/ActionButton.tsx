/** A button that acts on one item; `label` names it with its item, for screen readers. */
import type { ComponentChildren } from "preact";

export function ActionButton(
  { label, danger = false, disabled, onClick, children }: {
    label: string;
    danger?: boolean;
    disabled: boolean;
    onClick: () => void;
    children: ComponentChildren;
  },
) {
  return (
    <button
      type="button"
      class={danger ? "btn danger" : "btn"}
      disabled={disabled}
      aria-label={label}
      onClick={() => onClick()}
    >
      {children}
    </button>
  );
}
