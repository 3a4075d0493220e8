/**
 * One step of signing in: a heading, fields, the error, the submit button, links below. The
 * sign-in screen, the email sign-in and the invite's password step are all made of these.
 */
import type { ComponentChildren } from "preact";

export function Step(
  { title, intro, submit, busy, error, info, onSubmit, links, children, disabled = false }: {
    title: string;
    intro?: string;
    submit: string;
    busy: boolean;
    error: string | null;
    info?: string | null;
    onSubmit: () => void;
    links: [string, () => void][];
    children?: ComponentChildren;
    disabled?: boolean;
  },
) {
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <h1>{title}</h1>
      {intro && <p>{intro}</p>}
      {children}
      {error && <p class="error" role="alert">{error}</p>}
      {info && <p class="info" role="status">{info}</p>}
      <button type="submit" class="btn primary" disabled={busy || disabled}>{submit}</button>
      <p class="links">
        {links.map(([label, go]) => (
          <button type="button" class="link" key={label} disabled={busy} onClick={go}>
            {label}
          </button>
        ))}
      </p>
    </form>
  );
}
