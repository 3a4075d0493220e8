/**
 * Child processes for the benchmarks (the local stack, load generators, simulated clients) and
 * what /proc says about them: RSS, PSS and CPU time of a process and of its descendants.
 */
import { readdirSync, readFileSync } from "node:fs";
import { INSTALLED_NODE_MODULES } from "../../local/paths.ts";

/** A child `deno run -A <script>` whose stdout is read line by line; stdin on request. */
export interface Child {
  proc: Deno.ChildProcess;
  pid: number;
  /** Resolves with the first stdout line matching `re` (seen before or after the call). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Writes one line to the child's stdin (spawned with `stdin: true`). */
  send(line: string): Promise<void>;
  /** The last lines it printed (stdout, then stderr), for error messages. */
  output(): string;
}

export function spawnDeno(
  script: string,
  env: Record<string, string>,
  opts: { stdin?: boolean; args?: string[]; flags?: string[] } = {},
): Child {
  const proc = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      INSTALLED_NODE_MODULES,
      ...(opts.flags ?? []),
      script,
      ...(opts.args ?? []),
    ],
    env,
    stdout: "piped",
    stderr: "piped",
    stdin: opts.stdin ? "piped" : "null",
  }).spawn();
  // The first lines (where READY and the like are) and the last ones; the stack prints a line
  // per request, which would otherwise pile up here for the whole run.
  const first: string[] = [];
  let last: string[] = [];
  let err = "";
  type Waiter = { re: RegExp; resolve: (m: RegExpExecArray) => void; reject: (e: Error) => void };
  const waiters = new Set<Waiter>();
  const drained = (async () => {
    let buf = "";
    const dec = new TextDecoder();
    for await (const chunk of proc.stdout) {
      buf += dec.decode(chunk, { stream: true });
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (first.length < 1000) first.push(line);
        else if (last.push(line) > 400) last = last.slice(-200);
        for (const w of waiters) {
          const m = w.re.exec(line);
          if (m) {
            waiters.delete(w);
            w.resolve(m);
          }
        }
      }
    }
  })();
  (async () => {
    const dec = new TextDecoder();
    for await (const chunk of proc.stderr) err = (err + dec.decode(chunk)).slice(-20_000);
  })();
  const output = () =>
    `${
      [...first, ...last].slice(-40).map((l) => l.length > 500 ? l.slice(0, 500) + "…" : l).join(
        "\n",
      )
    }\n${err}`;
  // Once it has exited and everything it printed was read, nothing more can match.
  let exited: string | undefined;
  proc.status.then(async (s) => {
    await drained.catch(() => {});
    exited = `${script} exited with ${s.code}:\n${output()}`;
    for (const w of waiters) w.reject(new Error(exited));
    waiters.clear();
  });
  const writer = opts.stdin ? proc.stdin.getWriter() : undefined;
  return {
    proc,
    pid: proc.pid,
    output,
    send: async (line) => {
      if (!writer) throw new Error("spawned without stdin");
      await writer.write(new TextEncoder().encode(line + "\n"));
    },
    waitFor(re, timeoutMs = 120_000) {
      for (const line of [...first, ...last]) {
        const m = re.exec(line);
        if (m) return Promise.resolve(m);
      }
      if (exited) return Promise.reject(new Error(exited));
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`${script}: no ${re} within ${timeoutMs} ms:\n${output()}`));
        }, timeoutMs);
        const w: Waiter = {
          re,
          resolve: (m) => (clearTimeout(t), resolve(m)),
          reject: (e) => (clearTimeout(t), reject(e)),
        };
        waiters.add(w);
      });
    },
  };
}

/** Prints `RESULT <json>`: how a child hands its figures to the bench. */
export function printResult(value: unknown) {
  console.log(`RESULT ${JSON.stringify(value)}`);
}

/** Waits for a child's `RESULT <json>` line and parses it. */
export async function resultOf<T>(child: Child, timeoutMs?: number): Promise<T> {
  const m = await child.waitFor(/^RESULT (.*)$/, timeoutMs);
  return JSON.parse(m[1]!) as T;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const HZ = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime + cutime + cstime, in seconds (children reaped count with their parent). */
  cpu: number;
  /** utime + stime only. */
  ownCpu: number;
}

function stat(pid: number): ProcStat | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = s.lastIndexOf(")");
    const comm = s.slice(s.indexOf("(") + 1, close);
    const f = s.slice(close + 2).split(" ");
    // After ")": state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14)
    const n = (i: number) => Number(f[i]);
    return {
      pid,
      ppid: n(1),
      comm,
      cpu: (n(11) + n(12) + n(13) + n(14)) / HZ,
      ownCpu: (n(11) + n(12)) / HZ,
    };
  } catch {
    return undefined;
  }
}

/** A process and all its descendants, now. */
export function processTree(root: number): ProcStat[] {
  const all: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s) all.push(s);
  }
  const out: ProcStat[] = [];
  const wanted = new Set([root]);
  // Parents have smaller pids almost always, but not after pid wrap-around: iterate to a fixpoint.
  for (let grew = true; grew;) {
    grew = false;
    for (const s of all) {
      if (!wanted.has(s.pid) && wanted.has(s.ppid)) {
        wanted.add(s.pid);
        grew = true;
      }
    }
  }
  for (const s of all) if (wanted.has(s.pid)) out.push(s);
  return out;
}

/** CPU seconds used so far: the stack process itself and its Postgres processes. */
export function stackCpu(stackPid: number): { stack: number; postgres: number } {
  const tree = processTree(stackPid);
  let postgres = 0;
  let stack = 0;
  for (const s of tree) {
    if (s.pid === stackPid) stack = s.ownCpu;
    // The postmaster's cutime/cstime hold the backends that exited: counted with `cpu`.
    else if (s.comm === "postgres") postgres += s.cpu;
  }
  return { stack, postgres };
}

/** CPU seconds (own, without reaped children) of a set of processes. */
export function cpuOf(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + (stat(pid)?.ownCpu ?? 0), 0);
}

function statusKb(pid: number, field: string): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(
      readFileSync(`/proc/${pid}/status`, "utf8"),
    );
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** Resident set size of one process, in KB. */
export function rssKb(pid: number): number {
  return statusKb(pid, "VmRSS");
}

/**
 * Memory of the stack's Postgres processes, in KB: the sum of their proportional set sizes
 * (shared buffers counted once across backends), or of their RSS where PSS is unreadable.
 */
export function postgresMemKb(stackPid: number): { kb: number; kind: "PSS" | "RSS" } {
  let pss = 0;
  let rss = 0;
  let pssOk = true;
  for (const s of processTree(stackPid)) {
    if (s.comm !== "postgres") continue;
    rss += rssKb(s.pid) || 0;
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${s.pid}/smaps_rollup`, "utf8"));
      pss += m ? Number(m[1]) : 0;
    } catch {
      pssOk = false;
    }
  }
  return pssOk ? { kb: pss, kind: "PSS" } : { kb: rss, kind: "RSS" };
}
