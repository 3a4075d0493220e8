/**
 * `deno task test:deploy` (Docker engine required; `tests/deploy/docker_up.sh` prepares one and
 * the local base image): checks every deployment file with its own validator, then builds the
 * all-in-one image from the local base, runs it with host networking on free ports and a named
 * volume, and checks what an operator relies on: health (Docker's HEALTHCHECK too), a signed-in
 * message round trip through the API and Realtime, `docker restart` keeping the data, no root
 * process, and a clean stop on SIGTERM well within Docker's 10 s grace period.
 * Not part of `deno task test` (its name does not end in _test.ts): it takes minutes.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { signApiKey } from "../../local/keys.ts";
import { freePort } from "../_helpers/ports.ts";
import { ROOT } from "../../local/paths.ts";
import {
  actionlint,
  buildImage,
  dockerRun,
  promtool,
  run,
  seccompProfile,
  unitSettings,
} from "./tools.ts";
import { healthy, signIn, within } from "./container.ts";

const IMAGE = `chat:smoke-${Deno.pid}`;
const NAME = `chat-smoke-${Deno.pid}`;
const VOLUME = NAME;
const docker = (...args: string[]) => run(["docker", ...args]);

Deno.test("deployment files pass their validators", async (t) => {
  await t.step("compose file (docker-compose config)", async () => {
    const env = { SUPABASE_JWT_SECRET: "x".repeat(40), LOCAL_DB_PASSWORD: "y".repeat(20) };
    await run(["docker-compose", "-f", "deploy/compose.yaml", "config", "-q"], { env });
    await run(["docker-compose", "-f", "deploy/compose.yaml", "--profile", "tls", "config", "-q"], {
      env,
    });
    const refused = await run(["docker-compose", "-f", "deploy/compose.yaml", "config", "-q"], {
      env: { SUPABASE_JWT_SECRET: "", LOCAL_DB_PASSWORD: "y".repeat(20) },
      allowFail: true,
    });
    assert.notEqual(refused.code, 0, "compose must refuse to run without a JWT secret");
  });
  await t.step("alert rules, their unit tests, the dashboard (promtool)", async () => {
    await run(["sh", "deploy/prometheus/check.sh"], { env: { PROMTOOL: await promtool() } });
  });
  await t.step("GitHub workflows (actionlint)", async () => {
    const files = [...Deno.readDirSync(".github/workflows")].filter((e) => e.name.endsWith(".yml"));
    assert.ok(files.length >= 2, "a test workflow and a deploy workflow");
    const r = await run([...await actionlint(), ".github/workflows/*.yml"], { allowFail: true });
    assert.equal(r.code, 0, `actionlint:\n${r.out}${r.err}`);
    // It passes when its glob matches nothing: it must have read every file.
    assert.match(r.out, new RegExp(`Checking ${files.length} workflow file`));
  });
  await t.step(
    "the hosted deploy's staged function type-checks, and its config is whole",
    async () => {
      const stage = await Deno.makeTempDir();
      try {
        await run(["bash", "deploy/supabase/stage-hosted-function.sh", stage]);
        const config = await Deno.readTextFile(`${stage}/supabase/config.toml`);
        assert.doesNotMatch(config, /^(entrypoint|import_map) *=/m);
        assert.match(config, /^\[functions\.api\]$/m);
        await run(["deno", "check", "--quiet", "--config", "deno.json", "index.ts"], {
          cwd: `${stage}/supabase/functions/api`,
        });
      } finally {
        await Deno.remove(stage, { recursive: true });
      }
    },
  );
  await t.step("systemd unit (systemd-analyze verify)", async () => {
    // verify checks that ExecStart's program exists; install.sh puts deno there on a real host.
    if (!existsSync("/usr/local/bin/deno")) {
      await run(["ln", "-s", Deno.execPath(), "/usr/local/bin/deno"]);
    }
    const r = await run(["systemd-analyze", "verify", "deploy/systemd/chat.service"], {
      allowFail: true,
    });
    // It exits 0 on "Unknown key" too, so any line it prints is a failure.
    assert.equal(`${r.code} ${r.out}${r.err}`.trim(), "0", "systemd-analyze verify");
  });
});

Deno.test("install.sh sets up the systemd service; its command serves under the unit's filter", async () => {
  const base = Deno.env.get("BASE_IMAGE") ?? "local/chat-base:bookworm";
  const installed = `chat-systemd-${Deno.pid}`;
  const image = `chat:systemd-${Deno.pid}`;
  const service = `chat-unit-${Deno.pid}`;
  const profile = await Deno.makeTempFile({ suffix: ".json" });
  try {
    // 1. As an operator would, in a plain Debian (no systemd runs in a container).
    const r = await run([
      "docker",
      "run",
      "--name",
      installed,
      "--network",
      "host",
      "-v",
      `${ROOT}:/src:ro`,
      base,
      "bash",
      "/src/tests/deploy/systemd_check.sh",
    ], { allowFail: true });
    assert.equal(r.code, 0, `${r.out}${r.err}`);
    await run(["docker", "commit", installed, image]);

    // 2. What chat.service starts, as it would: its User, WorkingDirectory and Environment=,
    // the settings an operator writes into its EnvironmentFile, no capabilities, no new
    // privileges, and its SystemCallFilter= lines as a seccomp profile.
    const unit = unitSettings(await Deno.readTextFile(`${ROOT}/deploy/systemd/chat.service`));
    const one = (k: string) => unit.get(k)![0]!;
    assert.equal(one("SystemCallErrorNumber"), "EPERM");
    await Deno.writeTextFile(
      profile,
      JSON.stringify(await seccompProfile(unit.get("SystemCallFilter")!)),
    );
    const port = freePort();
    const env = [
      ...unit.get("Environment")!,
      `LOCAL_API_PORT=${port}`,
      `LOCAL_DB_PORT=${freePort()}`,
      "LOCAL_HOST=127.0.0.1",
      `SUPABASE_JWT_SECRET=${crypto.randomUUID()}${crypto.randomUUID()}`,
      `LOCAL_DB_PASSWORD=${crypto.randomUUID()}`,
    ].flatMap((kv) => ["-e", kv]);
    await run([
      "docker",
      "run",
      "-d",
      "--name",
      service,
      "--network",
      "host",
      "--cap-drop",
      "ALL",
      "--security-opt",
      "no-new-privileges",
      "--security-opt",
      `seccomp=${profile}`,
      "--user",
      one("User"),
      "-w",
      one("WorkingDirectory"),
      ...env,
      image,
      ...one("ExecStart").split(/\s+/),
    ]);
    let health: { status?: string } = {};
    for (let i = 0; i < 120 && health.status !== "ok"; i++) {
      health = await fetch(`http://127.0.0.1:${port}/functions/v1/api/health`).then(
        (r) => r.json(),
        () => ({}),
      );
      if (health.status !== "ok") await new Promise((res) => setTimeout(res, 500));
    }
    const logs = await run(["docker", "logs", service], { allowFail: true });
    assert.equal(health.status, "ok", `${logs.out}${logs.err}`);
    await run(["docker", "stop", "-t", "30", service]);
    const code = await run([
      "docker",
      "inspect",
      "-f",
      "{{.State.ExitCode}}",
      service,
    ]);
    assert.equal(code.out.trim(), "0", "SIGTERM stops it cleanly under the filter too");
  } finally {
    await run(["docker", "rm", "-f", installed, service], { allowFail: true });
    await run(["docker", "rmi", image], { allowFail: true });
    await Deno.remove(profile).catch(() => {});
  }
});

Deno.test("the image builds, serves, keeps its data, runs as non-root and stops cleanly", async (t) => {
  const port = freePort();
  const dbPort = freePort();
  const secret = crypto.randomUUID() + crypto.randomUUID();
  const dbPassword = crypto.randomUUID();
  const url = `http://127.0.0.1:${port}`;
  const anonKey = await signApiKey("anon", secret);
  const serviceKey = await signApiKey("service_role", secret);
  const runContainer = () =>
    docker(
      "run",
      "-d",
      "--name",
      NAME,
      "--network",
      "host",
      "--health-interval",
      "2s",
      "-v",
      `${VOLUME}:/data`,
      "-e",
      `LOCAL_API_PORT=${port}`,
      "-e",
      `LOCAL_DB_PORT=${dbPort}`,
      "-e",
      `SUPABASE_JWT_SECRET=${secret}`,
      "-e",
      `LOCAL_DB_PASSWORD=${dbPassword}`,
      "-e",
      "METRICS_TOKEN=smoke",
      "-e",
      "LOCAL_HOST=127.0.0.1",
      IMAGE,
    );
  const clients: SupabaseClient[] = [];
  try {
    await t.step(
      "builds from the local base (classic builder, host network)",
      () => buildImage(IMAGE),
    );

    await t.step("refuses to listen beyond loopback with the well-known secret", async () => {
      const r = await dockerRun([
        "-e",
        `LOCAL_API_PORT=${port}`,
        IMAGE,
      ], {
        allowFail: true,
      });
      assert.notEqual(r.code, 0);
      assert.match(r.err, /well-known local JWT secret/);
    });

    await t.step("starts, and Docker's health check turns healthy", async () => {
      await runContainer();
      await healthy(NAME);
      const health = await (await fetch(`${url}/functions/v1/api/health`)).json();
      assert.equal(health.status, "ok");
    });

    let channelId = "";
    let messageId = 0;
    await t.step("a signed-in message round trip, through the API and Realtime", async () => {
      const admin = createClient(url, serviceKey, { auth: { persistSession: false } });
      clients.push(admin);
      const email = "smoke@example.com";
      const password = "smoke-password-2024";
      const created = await admin.auth.admin.createUser({ email, password, email_confirm: true });
      assert.equal(created.error, null);
      const user = await signIn(url, anonKey, email, password);
      clients.push(user.client);
      const { channel } = await user.api("POST", "/channels", { name: "smoke" });
      channelId = channel.id;
      const heard = Promise.withResolvers<Record<string, unknown>>();
      const ch = user.client.channel(`channel:${channelId}`, { config: { private: true } });
      ch.on("broadcast", { event: "message.created" }, (m) => heard.resolve(m.payload));
      await new Promise<void>((resolve, reject) =>
        ch.subscribe((s, err) => {
          if (s === "SUBSCRIBED") resolve();
          if (s === "CHANNEL_ERROR" || s === "TIMED_OUT") reject(new Error(`${s} ${err}`));
        })
      );
      const { message } = await user.api("POST", `/channels/${channelId}/messages`, {
        content: "hello from the image",
        client_id: "smoke-1",
      });
      messageId = message.id;
      const event = await within(5000, heard.promise, "message.created over Realtime");
      assert.equal((event.message as { id: number }).id, messageId);
      const metrics = await fetch(`${url}/functions/v1/api/metrics`, {
        headers: { authorization: "Bearer smoke" },
      }).then((r) => r.text());
      assert.match(metrics, /^messages_sent_total 1$/m);
      assert.match(metrics, /^realtime_joins_total [1-9]/m);
      assert.match(metrics, /^realtime_fanout_seconds_count [1-9]/m);
      // Every metric the alert rules and the dashboard select is exported.
      const scrape = await Deno.makeTempFile({ suffix: ".txt" });
      await Deno.writeTextFile(scrape, metrics);
      const check = await run(["sh", "deploy/prometheus/check.sh"], {
        env: { PROMTOOL: await promtool(), METRICS_FILE: scrape },
      });
      await Deno.remove(scrape);
      assert.match(check.out, /\d{2,} metrics used, 0 missing/);
    });

    await t.step("docker restart keeps the data", async () => {
      for (const c of clients.splice(0)) await c.removeAllChannels();
      await docker("restart", "-t", "30", NAME);
      await healthy(NAME);
      const user = await signIn(url, anonKey, "smoke@example.com", "smoke-password-2024");
      clients.push(user.client);
      const page = await user.api("GET", `/channels/${channelId}/messages`);
      const ids = (page.messages as { id: number; content: string }[]).map((m) => m.id);
      assert.ok(ids.includes(messageId), `message ${messageId} after restart: ${ids}`);
    });

    await t.step("no process runs as root", async () => {
      const top = await docker("top", NAME, "-eo", "uid,pid,comm");
      const rows = top.out.trim().split("\n").slice(1).map((l) => l.trim().split(/\s+/));
      assert.ok(rows.length >= 3, top.out);
      for (const [uid, , comm] of rows) assert.notEqual(uid, "0", `${comm} runs as root`);
      assert.equal((await docker("exec", NAME, "id", "-u")).out.trim(), "1000");
    });

    await t.step("SIGTERM stops it cleanly within the grace period", async () => {
      const t0 = performance.now();
      await docker("stop", "-t", "30", NAME);
      const seconds = (performance.now() - t0) / 1000;
      assert.ok(seconds < 10, `stop took ${seconds.toFixed(1)} s (Docker's default grace: 10 s)`);
      const state = await docker("inspect", "-f", "{{.State.ExitCode}} {{.State.OOMKilled}}", NAME);
      assert.equal(state.out.trim(), "0 false");
      const logs = await docker("logs", "--tail", "5", NAME);
      assert.match(logs.out, /SIGTERM: stopping…\nstopped\.\n$/);
      // Postgres removes its pid file only when it shuts down cleanly.
      const pidFile = await dockerRun([
        "-v",
        `${VOLUME}:/data`,
        "--entrypoint",
        "sh",
        IMAGE,
        "-c",
        "test -e /data/db/PG_VERSION && test ! -e /data/db/postmaster.pid",
      ], { allowFail: true });
      assert.equal(pidFile.code, 0, "Postgres did not shut down cleanly");
    });
  } finally {
    for (const c of clients) await c.removeAllChannels().catch(() => {});
    await run(["docker", "rm", "-f", NAME], { allowFail: true });
    await run(["docker", "volume", "rm", "-f", VOLUME], { allowFail: true });
    await run(["docker", "rmi", IMAGE], { allowFail: true });
  }
});
