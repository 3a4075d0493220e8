/**
 * A WebSocket client over plain TCP that sends whatever it is given (RFC 6455 framing, masked
 * as a client must): frames a browser's WebSocket could never send, such as text that is not
 * UTF-8 or reserved opcodes. It records text frames and the close code the server sends.
 *
 * @example
 * const ws = await RawSocket.open(54321, "/realtime/v1/websocket?apikey=…&vsn=2.0.0");
 * await ws.send(OP.text, new Uint8Array([0xff]));
 * console.log(await ws.closed); // 1006: dropped without a close frame
 */
const enc = new TextEncoder();
export const OP = { text: 1, binary: 2, close: 8, ping: 9 } as const;

/** A WebSocket client that sends whatever it is given (frames masked, as a client must). */
export class RawSocket {
  #conn: Deno.TcpConn;
  #buf: Uint8Array = new Uint8Array(0);
  readonly texts: string[] = [];
  readonly closed: Promise<number>;
  #onText?: () => void;

  private constructor(conn: Deno.TcpConn, rest: Uint8Array) {
    this.#conn = conn;
    this.#buf = rest;
    this.closed = this.#read();
  }

  static async open(port: number, path: string): Promise<RawSocket> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    await writeAll(
      conn,
      enc.encode(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    let head = new Uint8Array(0);
    while (true) {
      const chunk = new Uint8Array(4096);
      const n = await conn.read(chunk);
      if (n === null) throw new Error("closed during the handshake");
      head = concat(head, chunk.subarray(0, n));
      const end = indexOf(head, enc.encode("\r\n\r\n"));
      if (end < 0) continue;
      const status = new TextDecoder().decode(head.subarray(0, 12));
      if (!status.includes(" 101")) throw new Error(`handshake refused: ${status}`);
      return new RawSocket(conn, head.subarray(end + 4));
    }
  }

  async send(opcode: number, payload: Uint8Array) {
    const len = payload.length;
    const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
    const frame = new Uint8Array(2 + ext + 4 + len);
    frame[0] = 0x80 | opcode;
    frame[1] = 0x80 | (ext === 0 ? len : ext === 2 ? 126 : 127);
    const view = new DataView(frame.buffer);
    if (ext === 2) view.setUint16(2, len);
    if (ext === 8) view.setBigUint64(2, BigInt(len));
    const mask = crypto.getRandomValues(new Uint8Array(4));
    frame.set(mask, 2 + ext);
    const off = 2 + ext + 4;
    for (let i = 0; i < len; i++) frame[off + i] = payload[i]! ^ mask[i & 3]!;
    await writeAll(this.#conn, frame).catch(() => {}); // the server may close first
  }

  /** The next text frame that satisfies `ok`, or undefined after `ms`. */
  async waitText(ok: (t: string) => boolean, ms: number): Promise<string | undefined> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const hit = this.texts.find(ok);
      if (hit) return hit;
      await new Promise<void>((r) => {
        this.#onText = r;
        setTimeout(r, 50);
      });
    }
    return undefined;
  }

  /** Resolves to the close code the server sent (1006: the connection ended without one). */
  async #read(): Promise<number> {
    try {
      while (true) {
        while (this.#buf.length >= 2) {
          const b1 = this.#buf[1]! & 0x7f;
          const ext = b1 === 126 ? 2 : b1 === 127 ? 8 : 0;
          if (this.#buf.length < 2 + ext) break;
          const view = new DataView(this.#buf.buffer, this.#buf.byteOffset);
          const len = ext === 0 ? b1 : ext === 2 ? view.getUint16(2) : Number(view.getBigUint64(2));
          if (this.#buf.length < 2 + ext + len) break;
          const opcode = this.#buf[0]! & 0x0f;
          const payload = this.#buf.slice(2 + ext, 2 + ext + len);
          this.#buf = this.#buf.subarray(2 + ext + len);
          if (opcode === OP.close) {
            this.#conn.close();
            return payload.length >= 2 ? (payload[0]! << 8) | payload[1]! : 1005;
          }
          if (opcode === OP.text) {
            this.texts.push(new TextDecoder().decode(payload));
            this.#onText?.();
          }
        }
        const chunk = new Uint8Array(65536);
        const n = await this.#conn.read(chunk);
        if (n === null) return 1006;
        this.#buf = concat(this.#buf, chunk.subarray(0, n));
      }
    } catch {
      return 1006;
    } finally {
      try {
        this.#conn.close();
      } catch {
        // already closed
      }
    }
  }

  close() {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
}

async function writeAll(conn: Deno.Conn, data: Uint8Array) {
  let off = 0;
  while (off < data.length) off += await conn.write(data.subarray(off));
}
export function concat(a: Uint8Array, b: Uint8Array) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
function indexOf(hay: Uint8Array, needle: Uint8Array) {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
