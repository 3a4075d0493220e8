/**
 * The pin and bookmark icons, drawn as `Icon.tsx` draws its own (Feather-style strokes, the
 * text colour, hidden from screen readers).
 */
const PATHS = {
  pin: "M12 17v5M9 10.76V4h6v6.76l3 3.24v2H6v-2zM8 4h8",
  bookmark: "M19 21l-7-5l-7 5V5a2 2 0 0 1 2-2h10a2 2 0 0 1 2 2z",
} as const;

export function PinIcon(
  { name, size = 16, filled = false }: {
    name: keyof typeof PATHS;
    size?: number;
    filled?: boolean;
  },
) {
  return (
    <svg
      class="i"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill={filled ? "currentColor" : "none"}
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
