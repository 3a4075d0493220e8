import { useApp } from "../context.ts";
import { useSignedUrl } from "../lib/signed.ts";
import { t } from "../i18n/mod.ts";

/** A person's picture (or initials), with a presence dot when `online` is given. */
export function Avatar(
  { name, path, online, size = 36 }: {
    name: string;
    path?: string | null | undefined;
    online?: boolean | undefined;
    size?: number;
  },
) {
  const { sb } = useApp();
  const url = useSignedUrl(sb, "avatars", path);
  const initials = name.replace(/^@/, "").slice(0, 2).toUpperCase();
  const hue = [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7);
  return (
    <span class={`avatar s${size}`} aria-hidden="true">
      {url
        ? <img src={url} alt="" width={size} height={size} />
        : <span class={`initials h${Math.floor(hue / 30)}`}>{initials}</span>}
      {online !== undefined && (
        <span
          class={`dot ${online ? "on" : "off"}`}
          title={online ? t("presence.online") : t("presence.offline")}
        />
      )}
    </span>
  );
}
