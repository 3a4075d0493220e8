/**
 * End-to-end scaffolding: the web client built once per file, the local stack serving it (a
 * database of its own, as `deno task start` runs it), and Debian's Chromium driven by
 * playwright-core. Screenshots go to `.local/e2e/` (not committed).
 */
import { join } from "node:path";
import { mkdirSync } from "node:fs";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { buildWeb } from "../../web/build.ts";
import { startTestStack, type TestStack } from "../_helpers/stack.ts";
import { ROOT } from "../../local/paths.ts";
import type postgres from "postgres";

export const SHOTS = join(ROOT, ".local", "e2e");

export interface E2E extends AsyncDisposable {
  stack: TestStack;
  browser: Browser;
  bundle: { name: string; bytes: number; gzip: number }[];
  /** A fresh browser profile (its own storage), with console errors collected. */
  person(opts?: { viewport?: { width: number; height: number } }): Promise<Person>;
  shot(page: Page, name: string): Promise<void>;
}

export interface Person {
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far. */
  errors: string[];
}

export function chromiumPath(): string {
  for (const p of ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]) {
    try {
      Deno.statSync(p);
      return p;
    } catch {
      // try the next one
    }
  }
  throw new Error("no Chromium found: apt-get install chromium (.ci/run does)");
}

/**
 * Retries `check`, an assertion, every 100 ms until it passes or `timeout` ms (10 s) have gone,
 * then throws its last error, so the message still says what was expected and what was seen.
 * For values the app sets a moment after their element shows (a fetch, an effect, a signed
 * address, a realtime event): one read right after `waitFor()` comes too early on busy cores.
 *
 * @example
 * await eventually(async () => assert.equal(await box.inputValue(), "hello"));
 */
export async function eventually(
  check: () => Promise<void> | void,
  opts: { timeout?: number } = {},
): Promise<void> {
  const end = Date.now() + (opts.timeout ?? 10_000);
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() >= end) throw e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Debian's Chromium, headless, as the browser tests and the web benchmark drive it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
}

export async function startE2E(
  tweak: (toml: Record<string, Record<string, unknown>>) => void = () => {},
  opts: { env?: Record<string, string> } = {},
): Promise<E2E> {
  const webRoot = await Deno.makeTempDir({ prefix: "web-e2e-" });
  const built = await buildWeb(webRoot);
  const stack = await startTestStack(tweak, { webRoot, ...(opts.env ? { env: opts.env } : {}) });
  const browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
  return {
    stack,
    browser,
    bundle: built.files,
    async person(opts = {}) {
      const context = await browser.newContext({
        viewport: opts.viewport ?? { width: 1280, height: 800 },
        locale: "en-US",
        timezoneId: "Europe/Berlin",
      });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("response", (r) => {
        if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`);
      });
      return { context, page, errors };
    },
    async shot(page, name) {
      await page.screenshot({ path: join(SHOTS, `${name}.png`) });
    },
    async [Symbol.asyncDispose]() {
      await browser.close().catch(() => {});
      await stack[Symbol.asyncDispose]();
      await Deno.remove(webRoot, { recursive: true }).catch(() => {});
    },
  };
}

export const DEMO_PASSWORD = "chat-demo-2024";

/**
 * Steps that build on each other: after the first failure the rest are skipped, and each
 * person's page is captured (URL, console errors, a screenshot) for whoever reads the log.
 */
export function sequence(t: Deno.TestContext, e2e: E2E, people: Person[], tag: string) {
  let ok = true;
  return async (name: string, fn: () => Promise<void> | void) => {
    if (!ok) return;
    ok = await t.step(name, async () => {
      try {
        await fn();
      } catch (e) {
        for (const [i, p] of people.entries()) {
          console.error(`${tag} person ${i} at ${p.page.url()}; errors: ${p.errors.join(" | ")}`);
          await e2e.shot(p.page, `failed-${tag}-${i}`).catch(() => {});
        }
        throw e;
      }
    });
  };
}

/** What a scenario of `e2eTest` gets: its stack and browser, its steps and its people. */
export interface Scenario {
  e2e: E2E;
  /** The stack's address (the web client and the APIs). */
  url: string;
  /** A step of the scenario (see `sequence`). */
  step: (name: string, fn: () => Promise<void> | void) => Promise<void>;
  /** A new person (browser profile), captured with the others when a step fails. */
  person(opts?: Parameters<E2E["person"]>[0]): Promise<Person>;
  people: Person[];
}

/**
 * A browser test told as steps that build on each other, on a stack and Chromium of its own;
 * `tag` names its screenshots of a failure.
 *
 * @example
 * e2eTest("two-factor: …", "mfa", async ({ url, step, person }) => {
 *   const dave = await person();
 *   await step("Dave logs in", () => logIn(dave.page, url, "dave@example.com"));
 * });
 */
export function e2eTest(
  name: string,
  tag: string,
  scenario: (s: Scenario) => Promise<void>,
  opts: { tweak?: Parameters<typeof startE2E>[0]; env?: Record<string, string> } = {},
) {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn(t) {
      await using e2e = await startE2E(opts.tweak, opts.env ? { env: opts.env } : {});
      const people: Person[] = [];
      const person = async (o?: Parameters<E2E["person"]>[0]) => {
        const p = await e2e.person(o);
        people.push(p);
        return p;
      };
      const step = sequence(t, e2e, people, tag);
      await scenario({ e2e, url: e2e.stack.url, step, person, people });
    },
  });
}

/** Alice (the seed's admin) signs in on `page` and opens the admin view's Users tab. */
export async function openAdminUsers(page: Page, url: string) {
  await logIn(page, url, "alice@example.com");
  await page.locator(".me").getByRole("button", { name: "Admin" }).click();
  await page.getByRole("tab", { name: "Users" }).click();
}

export async function logIn(
  page: Page,
  url: string,
  email: string,
  password = DEMO_PASSWORD,
  keep = true,
) {
  await page.goto(url + "/");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  const box = page.getByLabel("Remember me");
  if ((await box.isChecked()) !== keep) await box.click();
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("navigation", { name: "Channels" }).waitFor();
}

/** Types into the composer and presses Send. */
export async function send(page: Page, text: string) {
  await page.getByRole("textbox", { name: "Message", exact: true }).fill(text);
  await page.getByRole("button", { name: "Send", exact: true }).click();
}

/**
 * Replaces the text in the open "Edit message" box and saves it, once the box holds the
 * message's text (it opens with it).
 */
export async function saveEdit(page: Page, text: string) {
  const box = page.getByRole("textbox", { name: "Edit message" });
  await box.waitFor();
  for (let i = 0; i < 100 && !(await box.inputValue()); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await box.fill(text);
  await box.press("Enter");
}

/** The message row holding `text`. */
export const messageRow = (page: Page, text: string | RegExp) =>
  page.locator("li.message").filter({ hasText: text });

/**
 * Opens a channel from the list by name. The list reorders as messages arrive, so a click can
 * land while its row moves: click again until the conversation shows.
 */
export async function openChannel(page: Page, name: string, id?: string) {
  const heading = page.locator(".conv-title h2", { hasText: name });
  const row = id
    ? page.locator(`[data-channel="${id}"]`)
    : page.locator(".channel", { hasText: name });
  for (let i = 0; i < 5; i++) {
    await row.first().click();
    try {
      await heading.waitFor({ timeout: 2000 });
      return;
    } catch {
      // moved under the pointer: once more
    }
  }
  await heading.waitFor();
}

/**
 * `n` messages from `sender` in `channel`, "<text> 1" to "<text> n", a minute apart and two
 * hours old, written straight into the database (`admin`: the stack's superuser connection).
 */
export async function seedHistory(
  admin: postgres.Sql,
  channel: string,
  sender: string,
  text: string,
  n: number,
) {
  await admin`
    insert into public.messages (channel_id, sender_id, content, client_id, created_at)
    select ${channel}, ${sender}, ${text} || ' ' || i, ${text} || '-' || i,
      now() - interval '2 hours' + i * interval '1 minute'
    from generate_series(1, ${n}) i`;
}
