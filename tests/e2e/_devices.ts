/// <reference lib="dom" />
/**
 * Browser profiles beyond `E2E.person()`'s desktop: a phone (touch, no hover, 390×844) or a
 * German desktop; and what has the keyboard focus.
 */
import type { Page } from "playwright-core";
import type { E2E, Person } from "./_browser.ts";

export const PHONE = { width: 390, height: 844 };

/** What has the focus: its tag, label, classes and id. */
export const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return {
      tag: el?.tagName.toLowerCase() ?? "",
      label: el?.getAttribute("aria-label") ?? "",
      cls: el?.className ?? "",
      id: el?.id ?? "",
      text: el?.textContent?.slice(0, 200) ?? "",
    };
  });

/** A browser profile of our own: a phone (touch, no hover) or a German desktop. */
export async function person(
  e2e: E2E,
  opts: { phone?: boolean; german?: boolean } = {},
): Promise<Person> {
  const context = await e2e.browser.newContext({
    viewport: opts.phone ? PHONE : { width: 1280, height: 800 },
    ...(opts.phone ? { hasTouch: true, isMobile: true } : {}),
    locale: opts.german ? "de-DE" : "en-US",
    timezoneId: "Europe/Berlin",
  });
  if (opts.german) {
    await context.addInitScript(() => localStorage.setItem("chat.lang", "de"));
  }
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return { context, page, errors };
}
