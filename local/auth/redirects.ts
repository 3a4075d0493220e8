/**
 * Where Auth may send a browser, as GoTrue decides it (supabase/auth
 * `internal/utilities/request.go`, `IsRedirectURLValid`):
 * - the site URL's host with its scheme and port (any port for a loopback host, RFC 8252 §7.3);
 * - any loopback IP address (127.0.0.0/8, ::1); no other IP, and never a decimal IP
 *   ("http://2130706433/");
 * - an http(s) URL with an unusual host name never;
 * - otherwise a match, fragment cut off, of an `additional_redirect_urls` entry read as a
 *   gobwas/glob pattern with separators "." and "/" (GoTrue compiles them so): `*` matches
 *   within one host label or path segment, `**` across them, `?` one character, `[a-z]`,
 *   `[!a-z]` and `{a,b}` as in the glob library. Exact strings match only themselves.
 * Anything else falls back to the site URL, which callers do.
 *
 * Also here: how configured URLs follow the address the stack really serves on.
 */

const DECIMAL_HOST = /^[0-9]+$/;
const REGULAR_HOST = /^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/;
const LOCALHOSTS = new Set(["localhost", "127.0.0.1", "::1", "0.0.0.0", "::"]);

interface RawUrl {
  scheme: string;
  /** As Go's URL.Hostname(): as written (not normalised), IPv6 without brackets. */
  hostname: string;
  port: string;
}

/** A URL split as Go's url.Parse does it (no normalisation); undefined if Go would refuse it. */
export function parseRawUrl(s: string): RawUrl | undefined {
  if (/%(?![0-9a-fA-F]{2})/.test(s)) return undefined; // invalid escape
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s.exec(s);
  const scheme = m ? m[1]! : "";
  const rest = m ? m[2]! : s;
  if (!m && /^[^/?#]*:/.test(s)) return undefined; // "first path segment cannot contain colon"
  if (!rest.startsWith("//")) return { scheme, hostname: "", port: "" };
  const authority = rest.slice(2).split(/[/?#]/, 1)[0]!;
  const host = authority.slice(authority.lastIndexOf("@") + 1);
  let hostname = host;
  let port = "";
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    if (end < 0) return undefined;
    hostname = host.slice(1, end);
    const after = host.slice(end + 1);
    if (after && !after.startsWith(":")) return undefined;
    port = after.slice(1);
  } else {
    const colon = host.lastIndexOf(":");
    if (colon >= 0) {
      hostname = host.slice(0, colon);
      port = host.slice(colon + 1);
    }
  }
  if (!/^[0-9]*$/.test(port)) return undefined;
  return { scheme, hostname, port };
}

/** net.ParseIP's answer for a loopback address: true/false for an IP, undefined otherwise. */
function ipLoopback(host: string): boolean | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) {
    const parts = v4.slice(1).map((p) => (p.length > 1 && p.startsWith("0") ? NaN : Number(p)));
    if (parts.some((p) => !(p >= 0 && p <= 255))) return undefined;
    return parts[0] === 127;
  }
  if (!host.includes(":") || !/^[0-9a-fA-F:.]+$/.test(host)) return undefined;
  try {
    const canonical = new URL(`http://[${host}]/`).hostname;
    if (canonical === "[::1]") return true;
    const mapped = /^\[::ffff:([0-9a-f]+):[0-9a-f]+\]$/.exec(canonical);
    return mapped ? parseInt(mapped[1]!, 16) >> 8 === 127 : false;
  } catch {
    return undefined;
  }
}

function isLocalhost(host: string): boolean {
  const h = host.toLowerCase();
  return LOCALHOSTS.has(h) || h.endsWith(".localhost");
}

/**
 * A gobwas/glob pattern compiled with separators "." and "/", as a RegExp that must match the
 * whole string.
 *
 * @example
 * compileRedirectGlob("https://*.example.com/**").test("https://app.example.com/a/b") // true
 */
export function compileRedirectGlob(pattern: string): RegExp {
  const notSep = "[^./]";
  let i = 0;
  const escape = (ch: string) => ch.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
  // Reads up to (not including) one of `stops` at depth 0; returns the regexp source.
  const read = (stops: string): string => {
    let out = "";
    while (i < pattern.length && !stops.includes(pattern[i]!)) {
      const ch = pattern[i]!;
      if (ch === "\\" && i + 1 < pattern.length) {
        out += escape(pattern[i + 1]!);
        i += 2;
      } else if (ch === "*") {
        let n = 0;
        while (pattern[i] === "*") (n++, i++);
        out += n > 1 ? ".*" : `${notSep}*`;
      } else if (ch === "?") {
        out += notSep;
        i++;
      } else if (ch === "[") {
        const end = pattern.indexOf("]", i + 1);
        if (end < 0) throw new Error(`unclosed "[" in redirect URL pattern "${pattern}"`);
        let body = pattern.slice(i + 1, end);
        const negate = body.startsWith("!");
        if (negate) body = body.slice(1);
        out += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
        i = end + 1;
      } else if (ch === "{") {
        i++;
        const alternatives: string[] = [];
        for (;;) {
          alternatives.push(read(",}"));
          if (i >= pattern.length) {
            throw new Error(`unclosed "{" in redirect URL pattern "${pattern}"`);
          }
          if (pattern[i++] === "}") break;
        }
        out += `(?:${alternatives.join("|")})`;
      } else {
        out += escape(ch);
        i++;
      }
    }
    return out;
  };
  const source = read("");
  return new RegExp(`^${source}$`, "s");
}

/**
 * GoTrue's IsRedirectURLValid.
 *
 * @example
 * isRedirectUrlValid("http://127.0.0.1:3000", [compileRedirectGlob("https://*.example.com/**")],
 *   "https://app.example.com/welcome") // true
 */
export function isRedirectUrlValid(siteUrl: string, allowList: RegExp[], url: string): boolean {
  if (!url) return false;
  // Control characters and spaces: never valid, and browsers strip some of them.
  if ([...url].some((ch) => ch <= " " || ch === "\x7f")) return false;
  const base = parseRawUrl(siteUrl);
  if (!base) return false;
  const ref = parseRawUrl(url);
  if (!ref) {
    // A deep link Go cannot parse may still be allowed by name; an http(s) URL may not.
    if (/^https?:\/\//i.test(url)) return false;
  } else {
    if (
      base.hostname === ref.hostname && base.scheme === ref.scheme &&
      (base.port === ref.port || isLocalhost(ref.hostname))
    ) {
      return true;
    }
    const isHttp = ["http", "https"].includes(ref.scheme.toLowerCase());
    if (DECIMAL_HOST.test(ref.hostname)) return false;
    const loopback = ipLoopback(ref.hostname);
    if (loopback !== undefined) return loopback;
    if (isHttp && !REGULAR_HOST.test(ref.hostname)) return false;
  }
  const withoutFragment = url.split("#", 1)[0]!;
  return allowList.some((glob) => glob.test(withoutFragment));
}

/**
 * A loopback URL on the gateway port `config.toml` names (`[api] port`) means "this stack":
 * it is moved to where the stack really serves. On another loopback address (another
 * `LOCAL_API_PORT`) only scheme and port change; behind `API_EXTERNAL_URL` it becomes that
 * origin, so links in mails and redirects reach the stack, not a dead address. Any other URL
 * is left as written.
 *
 * @example
 * followStack("http://127.0.0.1:54321/reset", "54321", new URL("https://chat.example.com"))
 * // "https://chat.example.com/reset"
 */
export function followStack(url: string, configuredPort: string, stack: URL | undefined): string {
  if (!stack) return url;
  const m = new RegExp(
    `^https?://(127\\.0\\.0\\.1|localhost):${configuredPort}(?=[/?#]|$)`,
    "i",
  ).exec(url);
  if (!m) return url;
  const rest = url.slice(m[0].length);
  if (isLocalhost(stack.hostname)) {
    return `${stack.protocol}//${m[1]}${stack.port ? `:${stack.port}` : ""}${rest}`;
  }
  return `${stack.origin}${rest}`;
}

/**
 * Where a request's `redirect_to` may send the browser: there if allowed, else the site URL
 * (GoTrue's getRedirectURLOrReferrer).
 *
 * @example
 * redirectTarget(ctx, c.req.query("redirect_to"));
 */
export function redirectTarget(
  ctx: { cfg: { siteUrl: string; redirectGlobs: RegExp[] } },
  wanted: string | undefined,
): string {
  const { siteUrl, redirectGlobs } = ctx.cfg;
  return wanted && isRedirectUrlValid(siteUrl, redirectGlobs, wanted) ? wanted : siteUrl;
}
