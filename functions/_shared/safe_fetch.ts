/**
 * A GET for server-side fetches of URLs that users wrote (link previews), guarded against SSRF:
 * only http and https on ports 80 and 443; the host resolved (A and AAAA) and refused if any of
 * its addresses is not public (see `ip_ranges.ts`); redirects followed by hand, each hop checked
 * the same way, at most `maxRedirects`. `allow` ("host:port", as LINK_PREVIEW_ALLOW lists them)
 * lets exactly those targets through unchecked: the tests' local fake site.
 *
 * The check runs right before each request; the runtime's fetch resolves the name again, so a
 * DNS server that answers differently within that moment (rebinding) is not excluded here.
 */
import { isPublicAddress, parseIpv4, parseIpv6 } from "./ip_ranges.ts";

export class FetchRefused extends Error {
  override name = "FetchRefused";
}

export type Resolver = (host: string) => Promise<string[]>;

/** Every A and AAAA address of `host` (none when it does not resolve). */
export const dnsResolver: Resolver = async (host) => {
  const [a, aaaa] = await Promise.allSettled([
    Deno.resolveDns(host, "A"),
    Deno.resolveDns(host, "AAAA"),
  ]);
  return [
    ...(a.status === "fulfilled" ? a.value : []),
    ...(aaaa.status === "fulfilled" ? aaaa.value : []),
  ];
};

export interface SafeFetchOptions {
  /** "host:port" targets let through without the address check (tests). */
  allow?: readonly string[];
  resolve?: Resolver;
  /** Ends everything: connection, redirects and the body. */
  signal: AbortSignal;
  maxRedirects: number;
  headers?: Record<string, string>;
}

const PORTS: Record<string, string> = { "http:": "80", "https:": "443" };

/**
 * Refuses (FetchRefused) a URL the server must not reach.
 *
 * @example
 * await checkTarget(new URL("http://127.0.0.1/"), { allow: [], resolve: dnsResolver }); // throws
 */
export async function checkTarget(
  url: URL,
  { allow = [], resolve = dnsResolver }: Pick<SafeFetchOptions, "allow" | "resolve">,
): Promise<void> {
  const port = url.port || PORTS[url.protocol];
  if (!port) throw new FetchRefused(`scheme ${url.protocol} is not fetched`);
  if (url.username || url.password) throw new FetchRefused("URLs with credentials are not fetched");
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const key = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  if (allow.includes(key)) return;
  if (port !== "80" && port !== "443") throw new FetchRefused(`port ${port} is not fetched`);
  const literal = parseIpv4(host) || parseIpv6(host);
  const addresses = literal ? [host] : await resolve(host);
  if (!addresses.length) throw new FetchRefused(`${host} does not resolve`);
  const bad = addresses.find((a) => !isPublicAddress(a));
  if (bad) throw new FetchRefused(`${host} resolves to a non-public address (${bad})`);
}

/**
 * The final response of a GET (after at most `maxRedirects` checked redirects) and its URL.
 * The caller reads (or cancels) the body.
 */
export async function safeFetch(
  input: string | URL,
  opts: SafeFetchOptions,
): Promise<{ url: URL; response: Response }> {
  let url = new URL(input);
  for (let hop = 0;; hop++) {
    await checkTarget(url, opts);
    opts.signal.throwIfAborted();
    const response = await fetch(url, {
      redirect: "manual",
      signal: opts.signal,
      headers: { "accept-encoding": "identity", ...opts.headers },
    });
    const location = response.headers.get("location");
    if (response.status < 300 || response.status >= 400 || !location) {
      return { url, response };
    }
    await response.body?.cancel();
    if (hop >= opts.maxRedirects) {
      throw new FetchRefused(`more than ${opts.maxRedirects} redirects`);
    }
    url = new URL(location, url);
  }
}

/**
 * The body's first `max` bytes; `whole` is false when there was more (and the rest was not read).
 */
export async function readCapped(
  response: Response,
  max: number,
  onChunk?: (chunk: Uint8Array) => boolean,
): Promise<{ bytes: Uint8Array; whole: boolean }> {
  const reader = response.body?.getReader();
  if (!reader) return { bytes: new Uint8Array(), whole: true };
  const parts: Uint8Array[] = [];
  let size = 0;
  let whole = true;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = max - size;
      const part = value.length > room ? value.subarray(0, room) : value;
      parts.push(part);
      size += part.length;
      // The caller has what it needs (`onChunk` says stop), or the limit is reached.
      if (value.length > room) {
        onChunk?.(part);
        whole = false;
        break;
      }
      if (onChunk && !onChunk(part)) {
        whole = false;
        break;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, whole };
}
