/// <reference lib="dom" />
/**
 * Formatting in Chromium (issue 14, feature "Formatting"): Alice formats with the composer's
 * toolbar and its shortcuts (Ctrl+B, Ctrl+I, Ctrl+Shift+X, Ctrl+E); Bob sees <strong>, <em>,
 * <del>, <code>, a highlighted <pre>, <blockquote>, <ul>/<ol> and a safe <a>; a mention in bold
 * is still a mention, one in code is not; `<script>` and `<img onerror>` show as text, with no
 * dialog and no console error. On a phone the toolbar and a long code line stay on screen.
 * Screenshots go to `.local/e2e/`.
 */
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import {
  eventually,
  logIn,
  messageRow,
  openChannel,
  send,
  sequence,
  startE2E,
} from "./_browser.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1";
const PHONE = { width: 390, height: 844 };

const box = (page: Page) => page.getByRole("textbox", { name: "Message", exact: true });
const tool = (page: Page, name: string) =>
  page.getByRole("toolbar", { name: "Formatting" }).getByRole("button", { name, exact: true });

/** Types `text` at the end of the composer and selects it again. */
async function typeSelected(page: Page, text: string) {
  await box(page).press("End");
  await box(page).pressSequentially(text);
  for (let i = 0; i < text.length; i++) await box(page).press("Shift+ArrowLeft");
}

/** Selects the first occurrence of `part` in the composer. */
function select(area: Locator, part: string) {
  return area.evaluate((el, part) => {
    const ta = el as HTMLTextAreaElement;
    const at = ta.value.indexOf(part);
    ta.focus();
    ta.setSelectionRange(at, at + part.length);
  }, part);
}

Deno.test({
  name: "formatted messages are written with the toolbar and shortcuts and read as elements",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using e2e = await startE2E();
    const url = e2e.stack.url;
    const alice = await e2e.person();
    const bob = await e2e.person();
    const dialogs: string[] = [];
    for (const p of [alice, bob]) {
      p.page.on("dialog", (d) => {
        dialogs.push(d.message());
        d.dismiss().catch(() => {});
      });
    }
    const step = sequence(t, e2e, [alice, bob], "formatting");

    await step("both open #general", async () => {
      await logIn(alice.page, url, "alice@example.com");
      await openChannel(alice.page, "general", GENERAL);
      await logIn(bob.page, url, "bob@example.com");
      await openChannel(bob.page, "general", GENERAL);
    });

    await step("toolbar buttons and shortcuts wrap the selection in Markdown", async () => {
      const page = alice.page;
      await box(page).fill("fmt1");
      await typeSelected(page, " bold");
      await tool(page, "Bold").click();
      await typeSelected(page, " ital");
      await tool(page, "Italic").click();
      await typeSelected(page, " gone");
      await tool(page, "Strikethrough").click();
      await typeSelected(page, " code");
      await tool(page, "Code").click();
      await typeSelected(page, " strong");
      await box(page).press("Control+b");
      await typeSelected(page, " em");
      await box(page).press("Control+i");
      await typeSelected(page, " struck");
      await box(page).press("Control+Shift+X");
      await typeSelected(page, " mono");
      await box(page).press("Control+e");
      assert.equal(
        await box(page).inputValue(),
        "fmt1 **bold** _ital_ ~~gone~~ `code` **strong** _em_ ~~struck~~ `mono`",
      );
      await box(page).press("Enter");
    });

    await step("the other person sees strong, em, del and code elements", async () => {
      const row = messageRow(bob.page, "fmt1");
      await row.waitFor();
      const content = row.locator(".content");
      // The Markdown renderer is loaded lazily: the row may show as plain text first.
      await content.locator("strong").nth(1).waitFor();
      assert.deepEqual(await content.locator("strong").allTextContents(), ["bold", "strong"]);
      assert.deepEqual(await content.locator("em").allTextContents(), ["ital", "em"]);
      assert.deepEqual(await content.locator("del").allTextContents(), ["gone", "struck"]);
      assert.deepEqual(await content.locator("code").allTextContents(), ["code", "mono"]);
      assert.equal(await content.innerText(), "fmt1 bold ital gone code strong em struck mono");
    });

    await step("a code block, a quote, lists and a link from the toolbar", async () => {
      const page = alice.page;
      const area = box(page);
      await area.fill(
        "fmt2 wise words\n\none\ntwo\n\n1. first\n2. second\n\nsee docs\n\nconst answer = 42;",
      );
      await select(area, "fmt2 wise words");
      await tool(page, "Quote").click();
      await select(area, "one\ntwo");
      await tool(page, "List").click();
      await select(area, "docs");
      await tool(page, "Link").click();
      // The address placeholder is selected: typing replaces it.
      await area.pressSequentially("https://example.com/docs");
      await select(area, "const answer = 42;");
      await tool(page, "Code block").click();
      // The fence's language: after the opening ```.
      await area.evaluate((el) => {
        const ta = el as HTMLTextAreaElement;
        const at = ta.value.indexOf("```\n") + 3;
        ta.setSelectionRange(at, at);
      });
      await area.pressSequentially("js");
      assert.equal(
        await area.inputValue(),
        "> fmt2 wise words\n\n- one\n- two\n\n1. first\n2. second\n\nsee [docs](https://example.com/docs)" +
          "\n\n```js\nconst answer = 42;\n```",
      );
      await area.press("Enter");

      const content = messageRow(bob.page, "fmt2").locator(".content");
      // Rendered as Markdown once the lazily loaded renderer has it (all*Texts do not wait).
      await content.locator("blockquote").waitFor();
      assert.equal((await content.locator("blockquote").innerText()).trim(), "fmt2 wise words");
      await eventually(async () => {
        assert.deepEqual(await content.locator("ul > li").allInnerTexts(), ["one", "two"]);
        assert.deepEqual(await content.locator("ol > li").allInnerTexts(), ["first", "second"]);
      });
      const link = content.getByRole("link", { name: "docs" });
      assert.equal(await link.getAttribute("href"), "https://example.com/docs");
      assert.equal(await link.getAttribute("target"), "_blank");
      assert.match((await link.getAttribute("rel")) ?? "", /noopener noreferrer/);
      // The highlighter is its own chunk: its spans come once it has loaded.
      const code = content.locator("pre code");
      await code.locator("span.hljs-keyword", { hasText: "const" }).waitFor();
      assert.equal(await code.locator("span.hljs-number").innerText(), "42");
      assert.equal(await code.innerText(), "const answer = 42;");
      await e2e.shot(bob.page, "formatting-01-desktop");
    });

    await step("a mention in bold is a mention; one in code is code", async () => {
      await send(alice.page, "fmt3 **hey @bob** and `@bob`");
      const content = messageRow(bob.page, "fmt3").locator(".content");
      await content.locator("strong .mention.mention-me", { hasText: "@bob" }).waitFor();
      assert.equal(await content.locator(".mention").count(), 1);
      assert.equal(await content.locator("code").innerText(), "@bob");
    });

    await step("HTML and script links show as text: no dialog, no console error", async () => {
      const attack = `fmt4 <script>alert(1)</script> <img src=x onerror=alert(2)> ` +
        `[x](javascript:alert(3)) <b onmouseover=alert(4)>b</b> **still bold**`;
      await send(alice.page, attack);
      for (const p of [alice, bob]) {
        const content = messageRow(p.page, "fmt4").locator(".content");
        await content.locator("strong", { hasText: "still bold" }).waitFor();
        assert.equal(await content.locator("script, img, b, a").count(), 0);
        assert.ok((await content.innerText()).includes("<img src=x onerror=alert(2)>"));
        assert.ok((await content.innerText()).includes("<script>alert(1)</script>"));
        assert.ok((await content.innerText()).includes("[x](javascript:alert(3))"));
        await content.hover();
      }
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(dialogs, []);
      assert.deepEqual(alice.errors, []);
      assert.deepEqual(bob.errors, []);
    });

    await step("on a phone the toolbar and a long code line stay on screen", async () => {
      await send(
        alice.page,
        "fmt5\n```sql\nselect " + Array.from({ length: 40 }, (_, i) => `column_${i}`).join(", ") +
          " from a_table_with_a_long_name;\n```",
      );
      const phone = await e2e.person({ viewport: PHONE });
      await logIn(phone.page, url, "bob@example.com");
      await openChannel(phone.page, "general", GENERAL);
      const pre = messageRow(phone.page, "fmt5").locator("pre");
      await pre.locator("span.hljs-keyword").first().waitFor();
      // Measured once the layout has settled (the list may still be filling in).
      await eventually(async () => {
        const sizes = await phone.page.evaluate(() => {
          const bar = document.querySelector(".format-bar")!.getBoundingClientRect();
          const pre = [...document.querySelectorAll("li.message pre")].at(-1)!;
          return {
            scroll: document.documentElement.scrollWidth,
            barRight: bar.right,
            barLeft: bar.left,
            preRight: pre.getBoundingClientRect().right,
            preScrolls: pre.scrollWidth > pre.clientWidth,
          };
        });
        assert.ok(sizes.scroll <= PHONE.width, `page ${sizes.scroll} px wide`);
        assert.ok(
          sizes.barLeft >= 0 && sizes.barRight <= PHONE.width,
          `toolbar ${sizes.barRight}`,
        );
        assert.ok(sizes.preRight <= PHONE.width, `code block ends at ${sizes.preRight}`);
        assert.ok(sizes.preScrolls, "the long line scrolls inside the code block");
      });
      await tool(phone.page, "Bold").waitFor();
      await e2e.shot(phone.page, "formatting-02-phone");
      assert.deepEqual(phone.errors, []);
    });
  },
});
