/** Inline error text for a failed call; nothing when there is none. */
export function ErrorText({ message }: { message: string | null }) {
  return message ? <p class="error admin-error" role="alert">{message}</p> : null;
}
