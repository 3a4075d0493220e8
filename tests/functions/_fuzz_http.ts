/**
 * Sending a fuzz request where fetch will not: a raw HTTP/1.1 exchange over TCP.
 */
import type { FuzzRequest } from "./_fuzz_requests.ts";

/**
 * Sends a request over a raw TCP socket: fetch refuses URLs past about 64 KiB and normalises
 * paths, and the server must cope with what an attacker sends, not only with what fetch would.
 */
export async function rawSend(req: FuzzRequest): Promise<{ status: number; text: string }> {
  const origin = new URL(req.url.slice(0, req.url.indexOf("/", 8)));
  const body = new TextEncoder().encode(req.body ?? "");
  const head = [
    `${req.method} ${req.url.slice(origin.origin.length)} HTTP/1.1`,
    `host: ${origin.host}`,
    "connection: close",
    ...Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`),
    ...(req.body !== undefined ? [`content-length: ${body.length}`] : []),
  ].join("\r\n") + "\r\n\r\n";
  const conn = await Deno.connect({ hostname: origin.hostname, port: Number(origin.port) });
  const got: number[] = [];
  try {
    // The server may answer and close before reading everything: that is its right.
    await conn.write(concat([new TextEncoder().encode(head), body])).catch(() => {});
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (!n) break;
      for (let i = 0; i < n; i++) got.push(buf[i]!);
    }
  } finally {
    try {
      conn.close();
    } catch {
      // already closed by the server
    }
  }
  const bytes = new Uint8Array(got);
  const text = new TextDecoder().decode(bytes);
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
  const sep = bytes.findIndex((_, i) =>
    bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10
  );
  if (sep < 0) return { status, text: "" };
  const rest = bytes.subarray(sep + 4);
  const chunked = /transfer-encoding: chunked/i.test(text.slice(0, sep));
  return { status, text: new TextDecoder().decode(chunked ? dechunk(rest) : rest) };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function dechunk(b: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = 0;;) {
    let eol = i;
    while (eol + 1 < b.length && !(b[eol] === 13 && b[eol + 1] === 10)) eol++;
    const size = parseInt(new TextDecoder().decode(b.subarray(i, eol)), 16);
    if (!(size > 0)) return concat(parts);
    parts.push(b.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
}
