/** Light, dark or the system's choice, kept in localStorage and set on <html data-theme>. */
import { signal } from "@preact/signals";

export type Theme = "system" | "light" | "dark";
const STORE = "chat.theme";

const saved = globalThis.localStorage?.getItem(STORE);
export const theme = signal<Theme>(saved === "light" || saved === "dark" ? saved : "system");

export function applyTheme() {
  document.documentElement.dataset.theme = theme.value;
}

export function setTheme(t: Theme) {
  theme.value = t;
  localStorage.setItem(STORE, t);
  applyTheme();
}
