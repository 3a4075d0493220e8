/**
 * `deno task start` as a person runs it, for tests: a real process on its own data directory and
 * free ports, its output kept, READY awaited.
 */
import { join } from "node:path";
import { INSTALLED_NODE_MODULES, ROOT } from "../../local/paths.ts";
import { freePort } from "./ports.ts";

export interface Running {
  child: Deno.ChildProcess;
  url: string;
  output: () => string;
}

export function newDataDir(): string {
  return join(ROOT, ".local", `start-test-${crypto.randomUUID().slice(0, 8)}`);
}

/** `ownGroup`: run as the leader of a new process group, as a shell runs a foreground job. */
export async function start(
  dataDir: string,
  ownGroup = false,
  extraEnv: Record<string, string> = {},
): Promise<Running> {
  const [apiPort, dbPort] = [freePort(), freePort()];
  const cmd = ["run", "-A", INSTALLED_NODE_MODULES, join(ROOT, "local/start.ts")];
  const child = new Deno.Command(ownGroup ? "setsid" : Deno.execPath(), {
    args: ownGroup ? [Deno.execPath(), ...cmd] : cmd,
    env: {
      LOCAL_DATA_DIR: dataDir,
      LOCAL_API_PORT: String(apiPort),
      LOCAL_DB_PORT: String(dbPort),
      NO_COLOR: "1",
      ...extraEnv,
    },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  let out = "";
  const decoder = new TextDecoder();
  const ready = Promise.withResolvers<string>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      out += decoder.decode(chunk, { stream: true });
      const m = /READY (\S+)/.exec(out);
      if (m) ready.resolve(m[1]!);
    }
  };
  void pump(child.stdout);
  void pump(child.stderr);
  child.status.then((s) => ready.reject(new Error(`start exited with ${s.code}:\n${out}`)));
  const timer = setTimeout(() => ready.reject(new Error(`no READY in 60 s:\n${out}`)), 60_000);
  try {
    return { child, url: await ready.promise, output: () => out };
  } finally {
    clearTimeout(timer);
  }
}

export async function stopWith(r: Running, signal: Deno.Signal): Promise<number> {
  r.child.kill(signal);
  return (await r.child.status).code;
}
