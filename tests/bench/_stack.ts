/**
 * The real local stack (`local/start.ts`) as a child process for the benchmarks, on its own
 * data folder and free ports, and the people the benchmarks need in it: users and a group
 * channel written straight into the database as `postgres` (as the seed does; thousands of
 * sign-ups through Auth would spend minutes on bcrypt), with access tokens signed by the local
 * JWT secret exactly as Auth signs them (sub, role, aud, exp).
 */
import { join } from "node:path";
import postgres from "postgres";
import { SignJWT } from "jose";
import { ROOT } from "../../local/paths.ts";
import { DEFAULT_JWT_SECRET, signApiKey } from "../../local/keys.ts";
import { freePort } from "../_helpers/ports.ts";
import { type Child, spawnDeno } from "./_procs.ts";

export interface BenchStack {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `postgresql://postgres:postgres@…` */
  dbUrl: string;
  /** The stack's Postgres socket, which the stack itself uses (undefined: TCP only). */
  dbSocket: string | undefined;
  anonKey: string;
  /** The `deno run local/start.ts` process (gateway, Auth, Realtime, Storage, API in one). */
  pid: number;
  child: Child;
  stop(): Promise<void>;
}

/**
 * Starts `local/start.ts` with `API_RATE_LIMITS=off` (override with `env`); resolves once it
 * printed READY. With BENCH_CPU_PROF=<dir> the stack writes a V8 CPU profile there when it
 * stops (`deno --cpu-prof`; open it in Chrome DevTools).
 */
function profileFlags(): string[] {
  const dir = Deno.env.get("BENCH_CPU_PROF");
  return dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [];
}

export async function startStack(env: Record<string, string> = {}): Promise<BenchStack> {
  await Deno.mkdir(join(ROOT, ".local"), { recursive: true }); // a fresh clone has none yet
  const dataDir = await Deno.makeTempDir({ dir: join(ROOT, ".local"), prefix: "bench-stack-" });
  await Deno.chmod(dataDir, 0o755); // Postgres (user postgres) must be able to enter it
  const child = spawnDeno(join(ROOT, "local/start.ts"), {
    LOCAL_DATA_DIR: dataDir,
    LOCAL_API_PORT: String(freePort()),
    LOCAL_DB_PORT: String(freePort()),
    API_RATE_LIMITS: "off",
    ...env,
  }, { flags: profileFlags() });
  const stop = async () => {
    try {
      child.proc.kill("SIGINT");
    } catch { /* already gone */ }
    await child.proc.status;
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  };
  try {
    const [, url] = await child.waitFor(/^READY (\S+)/, 180_000);
    const [, dbUrl] = await child.waitFor(/DB URL: (\S+)/);
    // Printed with the URL, before READY: there now, or not at all.
    const dbSocket = await child.waitFor(/DB socket: (\S+)/, 1).then((m) => m[1], () => undefined);
    return {
      url: url!,
      dbUrl: dbUrl!,
      dbSocket,
      anonKey: await signApiKey("anon", DEFAULT_JWT_SECRET),
      pid: child.pid,
      child,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Runs `fn` on a fresh stack (see startStack) and stops it afterwards; a failure carries the
 * last lines the stack printed (a server-side exception is logged there).
 */
export async function withStack<T>(
  env: Record<string, string>,
  fn: (stack: BenchStack) => Promise<T>,
): Promise<T> {
  const stack = await startStack(env);
  try {
    return await fn(stack);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const tail = stack.child.output().trim().split("\n").slice(-12)
      .map((l) => l.length > 300 ? `${l.slice(0, 300)}…` : l).join("\n");
    throw new Error(`${msg}\n--- the stack's last output:\n${tail}`, { cause: e });
  } finally {
    await stack.stop();
  }
}

/** An access token for a user, as Auth issues it (HS256, the local secret). */
export function userToken(userId: string, hours = 4): Promise<string> {
  return new SignJWT({ sub: userId, role: "authenticated", aud: "authenticated" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime(`${hours}h`)
    .sign(new TextEncoder().encode(DEFAULT_JWT_SECRET));
}

export interface Group {
  channelId: string;
  userIds: string[];
  tokens: string[];
}

/**
 * Creates `count` users named `<prefix><n>` and one private group channel holding them all
 * (the first is its owner), with a token each. Setup only: its own broadcasts (member.changed,
 * channel.added) are suppressed with the archiver's switch, so Realtime is quiet when the
 * measurement starts.
 */
export async function createGroup(dbUrl: string, prefix: string, count: number): Promise<Group> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    return await sql.begin(async (tx) => {
      await tx`select set_config('chat.archiving', 'on', true)`;
      const users = await tx<{ id: string }[]>`
        insert into auth.users (id, aud, role, email, raw_user_meta_data, created_at, updated_at,
                                email_confirmed_at)
        select gen_random_uuid(), 'authenticated', 'authenticated', ${prefix} || n || '@bench.local',
               jsonb_build_object('username', ${prefix} || n), now(), now(), now()
        from generate_series(1, ${count}::int) n
        order by n
        returning id`;
      const userIds = users.map((u) => u.id);
      const [ch] = await tx<{ id: string }[]>`
        insert into public.channels (kind, name, created_by, is_private)
        values ('group', ${`bench ${prefix}`}, ${userIds[0]!}, true) returning id`;
      await tx`
        insert into public.channel_members (channel_id, user_id, role)
        select ${ch!.id}, u, case when n = 1 then 'owner' else 'member' end
        from unnest(${userIds}::uuid[]) with ordinality as x(u, n)`;
      const tokens = await Promise.all(userIds.map((id) => userToken(id)));
      return { channelId: ch!.id, userIds, tokens };
    });
  } finally {
    await sql.end();
  }
}

/** Realtime's WebSocket URL as supabase-js opens it (anon key, vsn 2.0.0). */
export function realtimeUrl(stack: BenchStack): string {
  return `${
    stack.url.replace(/^http/, "ws")
  }/realtime/v1/websocket?apikey=${stack.anonKey}&vsn=2.0.0`;
}

/** `http://…/functions/v1/api` */
export const apiBase = (stack: BenchStack) => `${stack.url}/functions/v1/api`;

/** Epoch milliseconds with sub-millisecond precision, comparable across processes. */
export const nowMs = () => performance.timeOrigin + performance.now();
