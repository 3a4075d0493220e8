/**
 * A local web site for link-preview tests (issue 14), on 127.0.0.1 and a free port: Open Graph
 * pages, a redirect chain, a page past the HTML limit, a page that never finishes, redirects to
 * a target that is not allow-listed, and images that are too big or not images.
 */
import { Image } from "imagescript";

export interface FakeSite extends AsyncDisposable {
  origin: string;
  /** "127.0.0.1:<port>", as LINK_PREVIEW_ALLOW lists it. */
  hostPort: string;
  /** Paths requested, in order. */
  hits: string[];
}

const page = (head: string, body = "<p>hello</p>") =>
  `<!doctype html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;

/** `elsewhere`: a port on 127.0.0.1 that is not allow-listed (for the redirect that must fail). */
export async function startFakeSite(elsewhere = 9): Promise<FakeSite> {
  const png = await new Image(4, 3).fill(0x3366ccff).encode();
  const hits: string[] = [];
  const html = (s: string) =>
    new Response(s, { headers: { "content-type": "text/html; charset=utf-8" } });
  const redirect = (to: string) => new Response(null, { status: 302, headers: { location: to } });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    hits.push(path);
    switch (path) {
      case "/og":
        return html(page(
          `<title>Plain title</title>
           <meta property="og:title" content="Fish &amp; Chips <b>weekly</b>">
           <meta property="og:description" content="All about   frying,
             in one page.">
           <meta property="og:site_name" content="Fake Site">
           <meta property="og:image" content="/img.png">`,
        ));
      case "/title-only":
        return html(
          page(`<title>Just a title</title><meta name="description" content="Meta description">`),
        );
      case "/img.png":
        return new Response(png as Uint8Array<ArrayBuffer>, {
          headers: { "content-type": "image/png" },
        });
      case "/r1":
        return redirect("/r2");
      case "/r2":
        return redirect("r3");
      case "/r3":
        return redirect("/og");
      case "/r0":
        return redirect("/r1"); // four redirects in all
      case "/to-private":
        return redirect(`http://127.0.0.1:${elsewhere}/og`);
      case "/big": {
        // A title at the start, a description only past 1 MB, 3 MB in all.
        const pad = `<meta name="x" content="${"a".repeat(1000)}">`.repeat(1100);
        return html(page(
          `<title>Big page</title>${pad}<meta property="og:description" content="too far">${pad}${pad}`,
        ));
      }
      case "/slow":
        return new Response(
          new ReadableStream({
            start(c) {
              c.enqueue(new TextEncoder().encode("<!doctype html><html><head><title>Slow"));
              // …and nothing more, ever.
            },
          }),
          { headers: { "content-type": "text/html" } },
        );
      case "/big-image":
        return html(page(`<title>Big image</title><meta property="og:image" content="/big.png">`));
      case "/big.png":
        return new Response(new Uint8Array(3 * 1024 * 1024), {
          headers: { "content-type": "image/png" },
        });
      case "/fake-image":
        return html(
          page(`<title>Fake image</title><meta property="og:image" content="/fake.png">`),
        );
      case "/fake.png":
        return new Response("<svg onload=alert(1)>", { headers: { "content-type": "image/png" } });
      case "/json":
        return Response.json({ title: "not html" });
      default:
        return new Response("no", { status: 404 });
    }
  });
  const { port } = server.addr as Deno.NetAddr;
  return {
    origin: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    hits,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}
