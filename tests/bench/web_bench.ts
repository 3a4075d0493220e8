/**
 * The web client in Chromium against the local stack, side by side in one run: the time from
 * navigation to the first message painted (a signed-in reload of an open channel: bundle,
 * config, session, channel list, last 50 messages) against a baseline of the same browser
 * painting a server-rendered page from the same server (`/_inbox`, no script). Also the
 * bundle's size.
 */
import postgres from "postgres";
import { loadConfig } from "../../local/config.ts";
import { databaseUrl } from "../../local/db/mod.ts";
import { startStack } from "../../local/stack.ts";
import { buildWeb } from "../../web/build.ts";
import { chromiumPath, launchChromium } from "../e2e/_browser.ts";
import { freePort } from "../_helpers/ports.ts";
import { row, summarize } from "./_stats.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1";
const N = Number(Deno.env.get("BENCH_WEB_LOADS") ?? 15);

export default async function bench(adminUrl: string, template: string): Promise<string[]> {
  try {
    chromiumPath();
  } catch (e) {
    return [`skipped: ${(e as Error).message}`];
  }
  const name = "bench_web";
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name} template ${template} owner postgres`);
  await admin.end();
  const webRoot = await Deno.makeTempDir({ prefix: "bench-web-" });
  const dataDir = await Deno.makeTempDir({ prefix: "bench-stack-" });
  const built = await buildWeb(webRoot);
  const port = freePort();
  const env: Record<string, string> = {
    SUPABASE_DB_URL: databaseUrl(adminUrl, name),
    LOCAL_API_PORT: String(port),
    LOCAL_DATA_DIR: dataDir,
    DENO_KV_PATH: ":memory:",
  };
  const cfg = await loadConfig((n) => env[n] ?? Deno.env.get(n));
  const stack = await startStack(cfg, { log: () => {}, webRoot });
  const browser = await launchChromium();
  const lines: string[] = [];
  try {
    const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    for (const f of built.files) {
      lines.push(`bundle ${f.name.padEnd(22)} ${kib(f.bytes).padStart(10)}  ${kib(f.gzip)} gzip`);
    }
    const page = await (await browser.newContext()).newPage();
    // The moment the first message is in the DOM, by the page's own clock.
    await page.addInitScript(() => {
      const w = window as unknown as { __firstMessage?: number };
      new MutationObserver((_, obs) => {
        if (document.querySelector("li.message")) {
          w.__firstMessage = performance.now();
          obs.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${stack.url}/`);
    await page.getByLabel("Email").fill("alice@example.com");
    await page.getByLabel("Password").fill("chat-demo-2024");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.locator(`[data-channel="${GENERAL}"]`).click();
    await page.locator("li.message").first().waitFor();

    const app: number[] = [];
    const inbox: number[] = [];
    for (let i = 0; i < N + 2; i++) {
      await page.goto(`${stack.url}/#/c/${GENERAL}`);
      await page.reload();
      await page.locator("li.message").first().waitFor();
      const t = await page.evaluate(() =>
        (window as unknown as { __firstMessage?: number }).__firstMessage ?? NaN
      );
      await page.goto(`${stack.url}/_inbox`);
      await page.locator("h1").waitFor();
      const fcp = await page.evaluate(() =>
        performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN
      );
      // The first loads warm the caches; a paint entry the browser did not record is skipped.
      if (i >= 2 && Number.isFinite(t)) app.push(t);
      if (i >= 2 && Number.isFinite(fcp)) inbox.push(fcp);
    }
    const base = summarize(inbox);
    lines.push(`${N} loads each (less any the browser did not time), signed in, same server`);
    lines.push(row("baseline: server-rendered page, first paint", base));
    lines.push(row("web client: load to first message painted", summarize(app), base));
  } finally {
    await browser.close();
    await stack.stop();
    await Deno.remove(webRoot, { recursive: true }).catch(() => {});
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    const c = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await c.unsafe(`drop database if exists ${name} with (force)`);
    await c.end();
  }
  return lines;
}
