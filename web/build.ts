/**
 * Builds the web client into `web/dist/` (or the folder given): `deno bundle` (esbuild) of
 * `src/main.tsx` for the browser, minified with a linked source map, file names carrying a
 * content hash so a deploy can cache them forever, and `index.html` pointing at them. Modules
 * loaded with `import()` (the Markdown parser, the code highlighter) become chunks of their own
 * (`<name>-<HASH>.js`, esbuild's code splitting), fetched only when first needed.
 * `config.json` (the project's URL and anon key) is written only when SUPABASE_URL and
 * SUPABASE_ANON_KEY are set: the local gateway serves its own.
 *
 * `deno task build` runs it; `deno task start` runs it before starting the stack.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { INSTALLED_NODE_MODULES } from "../local/paths.ts";

const WEB = dirname(fileURLToPath(import.meta.url));

export interface BuildResult {
  outDir: string;
  files: { name: string; bytes: number; gzip: number }[];
  ms: number;
}

async function gzipSize(bytes: Uint8Array): Promise<number> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The content hash in a bundle file's name: 10 hex digits of its SHA-256. */
const hash = async (bytes: Uint8Array) => (await sha256Hex(bytes)).slice(0, 10);

/** A digest of everything the bundle is made from: the client's sources and the pinned deps. */
async function sourceDigest(): Promise<string> {
  const files: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const p = join(dir, e.name);
      if (e.isDirectory) await walk(p);
      else if (!e.name.endsWith("_test.ts")) files.push(p);
    }
  };
  await walk(join(WEB, "src"));
  files.sort();
  files.push(
    join(WEB, "index.html"),
    // The shared modules the client bundles (the limits it mirrors, the notification rules).
    join(WEB, "..", "functions", "_shared", "limits.ts"),
    join(WEB, "..", "functions", "_shared", "notify_rules.ts"),
    join(WEB, "..", "import_map.json"),
    join(WEB, "..", "deno.lock"),
  );
  const texts = await Promise.all(files.map(async (f) => `${f}\0${await Deno.readTextFile(f)}`));
  return await sha256Hex(new TextEncoder().encode(texts.join("\0")));
}

async function sizes(outDir: string, names: string[]) {
  const files = [];
  for (const name of names) {
    const bytes = await Deno.readFile(join(outDir, name));
    files.push({ name, bytes: bytes.length, gzip: await gzipSize(bytes) });
  }
  return files;
}

/**
 * Bundles the client into `outDir`. With `reuse`, a folder already built from the same
 * sources is kept as it is (`deno task start` then starts without bundling again) and nothing
 * more is read or measured: `files` is then empty.
 *
 * @example
 * const { files } = await buildWeb();
 * console.log(files.map((f) => `${f.name} ${f.gzip} B gzip`).join("\n"));
 */
export async function buildWeb(
  outDir = join(WEB, "dist"),
  { reuse = false }: { reuse?: boolean } = {},
): Promise<BuildResult & { reused: boolean }> {
  const t0 = performance.now();
  const digest = await sourceDigest();
  const stamp = join(outDir, ".source-digest");
  if (reuse) {
    try {
      const was = await Deno.readTextFile(stamp);
      if (was === digest && (await Deno.stat(join(outDir, "index.html"))).isFile) {
        return { outDir, files: [], ms: performance.now() - t0, reused: true };
      }
    } catch {
      // not built yet, or built from something else: build
    }
  }
  const tmp = await Deno.makeTempDir({ prefix: "web-build-" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        INSTALLED_NODE_MODULES,
        "--quiet",
        "--platform",
        "browser",
        "--minify",
        "--sourcemap=linked",
        "--code-splitting",
        "--outdir",
        tmp,
        join(WEB, "src", "main.tsx"),
      ],
      cwd: dirname(WEB),
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(`deno bundle failed:\n${new TextDecoder().decode(out.stderr)}`);
    }
    await Deno.mkdir(outDir, { recursive: true });
    for await (const e of Deno.readDir(outDir)) {
      if (/^app\.[0-9a-f]+\.(js|css|js\.map)$|^[\w-]+-[0-9A-Z]{8}\.js(\.map)?$/.test(e.name)) {
        await Deno.remove(join(outDir, e.name));
      }
    }
    const js = await Deno.readFile(join(tmp, "main.js"));
    // The chunks keep esbuild's names (hashed already): the entry imports them by those names.
    const chunks: string[] = [];
    for await (const e of Deno.readDir(tmp)) {
      if (e.isFile && e.name !== "main.js" && e.name.endsWith(".js")) chunks.push(e.name);
    }
    chunks.sort();
    for (const c of chunks) {
      await Deno.copyFile(join(tmp, c), join(outDir, c));
      await Deno.copyFile(join(tmp, `${c}.map`), join(outDir, `${c}.map`)).catch(() => {});
    }
    // styles.css first, then each feature's stylesheet.
    const cssFiles = ["styles.css"];
    for await (const e of Deno.readDir(join(WEB, "src"))) {
      if (e.isFile && e.name.endsWith(".css") && e.name !== "styles.css") cssFiles.push(e.name);
    }
    const css = new TextEncoder().encode(
      (await Promise.all(
        [cssFiles[0]!, ...cssFiles.slice(1).sort()].map((f) =>
          Deno.readTextFile(join(WEB, "src", f))
        ),
      )).join("\n"),
    );
    const jsName = `app.${await hash(js)}.js`;
    const cssName = `app.${await hash(css)}.css`;
    const map = await Deno.readTextFile(join(tmp, "main.js.map"));
    const jsText = new TextDecoder().decode(js).replace(
      /\/\/# sourceMappingURL=main\.js\.map\s*$/,
      `//# sourceMappingURL=${jsName}.map\n`,
    );
    await Deno.writeTextFile(join(outDir, jsName), jsText);
    await Deno.writeTextFile(join(outDir, `${jsName}.map`), map);
    await Deno.writeFile(join(outDir, cssName), css);
    const html = (await Deno.readTextFile(join(WEB, "index.html")))
      .replace("/app.css", `/${cssName}`).replace("/app.js", `/${jsName}`);
    await Deno.writeTextFile(join(outDir, "index.html"), html);
    await Deno.copyFile(join(WEB, "src", "favicon.svg"), join(outDir, "favicon.svg"));
    // The service worker (Web Push, notification clicks): same origin, at the root for scope /.
    await Deno.copyFile(join(WEB, "src", "sw.js"), join(outDir, "sw.js"));
    const url = Deno.env.get("SUPABASE_URL");
    const anonKey = Deno.env.get("SUPABASE_ANON_KEY");
    if (url && anonKey) {
      await Deno.writeTextFile(
        join(outDir, "config.json"),
        JSON.stringify({ supabaseUrl: url, anonKey }),
      );
    }
    await Deno.writeTextFile(stamp, digest);
    const files = await sizes(outDir, ["index.html", jsName, cssName, ...chunks]);
    return { outDir, files, ms: performance.now() - t0, reused: false };
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const r = await buildWeb(Deno.args[0]);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  for (const f of r.files) console.log(`${f.name.padEnd(22)} ${kb(f.bytes)} (${kb(f.gzip)} gzip)`);
  console.log(`web client built in ${Math.round(r.ms)} ms → ${r.outDir}`);
}
