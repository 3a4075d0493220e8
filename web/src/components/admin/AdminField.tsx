/** A field of a form or toolbar: its label, then the control that `children` makes for the id. */
import type { ComponentChildren } from "preact";
import { useId } from "preact/hooks";

export function AdminField(
  { label, class: cls = "field", children }: {
    label: string;
    class?: string | undefined;
    children: (id: string) => ComponentChildren;
  },
) {
  const id = useId();
  return (
    <div class={cls}>
      <label for={id}>{label}</label>
      {children(id)}
    </div>
  );
}
