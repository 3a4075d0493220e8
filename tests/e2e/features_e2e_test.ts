/// <reference lib="dom" />
/**
 * More of the client in Chromium: OAuth sign-in, joining a public group, replies and jumping
 * to the quoted message, the emoji picker, "read by N" in a group, a video whose poster frame
 * the browser takes, a file download, and browser notifications while the tab is hidden.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  eventually,
  logIn,
  messageRow,
  openChannel,
  type Person,
  send,
  sequence,
  startE2E,
} from "./_browser.ts";
import { startFakeGitHub } from "../_helpers/oauth_provider.ts";

Deno.test({
  name:
    "features: OAuth, joining, replies, emoji picker, read by N, video poster, files, notifications",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using provider = startFakeGitHub();
    await using e2e = await startE2E((toml) => {
      (toml.auth as Record<string, unknown>).external = {
        github: {
          enabled: true,
          client_id: provider.clientId,
          secret: provider.secret,
          url: provider.url,
        },
      };
    });
    const url = e2e.stack.url;
    const people: Person[] = [];
    const step = sequence(t, e2e, people, "features");
    const alice = await e2e.person();
    const bob = await e2e.person();
    const carol = await e2e.person();
    people.push(alice, bob, carol);
    // Notifications, recorded: the page's Notification and visibility, as a hidden tab has them.
    await alice.context.addInitScript(() => {
      const w = window as unknown as { __notes: unknown[]; __hidden: boolean };
      w.__notes = [];
      w.__hidden = false;
      class RecordingNotification {
        static permission = "granted";
        static requestPermission() {
          return Promise.resolve("granted");
        }
        onclick: (() => void) | null = null;
        constructor(title: string, opts?: { body?: string }) {
          w.__notes.push({ title, body: opts?.body });
        }
        close() {}
      }
      Object.defineProperty(window, "Notification", { value: RecordingNotification });
      Object.defineProperty(document, "visibilityState", {
        get: () => (w.__hidden ? "hidden" : "visible"),
      });
    });

    await step("OAuth: 'Continue with GitHub' signs in through the provider", async () => {
      const octo = await e2e.person();
      people.push(octo);
      await octo.page.goto(url + "/");
      await octo.page.getByRole("button", { name: "Continue with GitHub" }).click();
      await octo.page.getByRole("navigation", { name: "Channels" }).or(
        octo.page.getByText("No conversations yet"),
      ).first().waitFor();
      assert.equal(provider.authorizations.length, 1);
      assert.ok(provider.authorizations[0]!.get("redirect_uri")?.endsWith("/auth/v1/callback"));
      await octo.context.close();
      people.pop();
    });

    await step("Alice finds the public group 'random' and joins it", async () => {
      await logIn(alice.page, url, "alice@example.com");
      await alice.page.getByRole("button", { name: "New conversation" }).first().click();
      await alice.page.getByRole("tab", { name: "Browse groups" }).click();
      await alice.page.locator(".public-channel", { hasText: "random" })
        .getByRole("button", { name: "Join" }).click();
      await alice.page.getByRole("heading", { name: "random" }).waitFor();
      await messageRow(alice.page, "tabs or spaces?").waitFor();
    });

    await step("a group of three: 'read by 2' once both others have seen it", async () => {
      await logIn(bob.page, url, "bob@example.com");
      await logIn(carol.page, url, "carol@example.com");
      await alice.page.getByRole("button", { name: "New conversation" }).first().click();
      await alice.page.getByRole("tab", { name: "New group" }).click();
      await alice.page.getByLabel("Group name").fill("trio");
      for (const who of ["bob", "carol"]) {
        await alice.page.getByLabel("Add people").fill(who);
        await alice.page.locator("button.person", { hasText: `@${who}` }).click();
      }
      await alice.page.getByRole("button", { name: "Create group" }).click();
      await alice.page.getByRole("heading", { name: "trio" }).waitFor();
      await send(alice.page, "hello trio");
      for (const p of [bob, carol]) {
        await openChannel(p.page, "trio");
        await messageRow(p.page, "hello trio").waitFor();
      }
      await messageRow(alice.page, "hello trio").getByText("read by 2").waitFor();
    });

    await step("Bob replies to Alice; the quote jumps to the original", async () => {
      await messageRow(bob.page, "hello trio").hover();
      await messageRow(bob.page, "hello trio").getByRole("button", { name: "Reply", exact: true })
        .click();
      await bob.page.getByText("Replying to").waitFor();
      await send(bob.page, "hi both, replying here");
      const reply = messageRow(alice.page, "hi both, replying here");
      await reply.locator(".quote", { hasText: "hello trio" }).click();
      await alice.page.locator("li.message.highlight", { hasText: "hello trio" }).waitFor();
    });

    await step("Carol reacts through the emoji picker's search", async () => {
      const target = messageRow(carol.page, "hi both, replying here");
      await target.hover();
      await target.getByRole("button", { name: "Add reaction" }).click();
      const picker = carol.page.getByRole("dialog", { name: "Add reaction" });
      await picker.getByRole("searchbox", { name: "Search emoji" }).fill("fire");
      await picker.getByRole("button", { name: "🔥" }).click();
      await messageRow(bob.page, "hi both, replying here").getByRole("button", {
        name: "🔥: 1 reaction",
      })
        .waitFor();
    });

    await step("a video recorded in the page goes with a poster the browser took", async () => {
      await carol.page.evaluate(async () => {
        const canvas = document.createElement("canvas");
        canvas.width = 160;
        canvas.height = 120;
        const ctx = canvas.getContext("2d")!;
        const rec = new MediaRecorder(canvas.captureStream(15), { mimeType: "video/webm" });
        const chunks: Blob[] = [];
        rec.ondataavailable = (e) => chunks.push(e.data);
        let i = 0;
        const paint = setInterval(() => {
          ctx.fillStyle = `hsl(${(i++ * 40) % 360}, 80%, 50%)`;
          ctx.fillRect(0, 0, 160, 120);
        }, 40);
        rec.start(100);
        await new Promise((r) => setTimeout(r, 800));
        const stopped = new Promise((r) => (rec.onstop = r));
        rec.stop();
        await stopped;
        clearInterval(paint);
        const file = new File(chunks, "clip.webm", { type: "video/webm" });
        const dt = new DataTransfer();
        dt.items.add(file);
        const input = document.querySelector<HTMLInputElement>(".composer input[type=file]")!;
        input.files = dt.files;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
      await carol.page.locator(".uploads li.done").waitFor();
      await carol.page.getByRole("button", { name: "Send", exact: true }).click();
      // The poster's signed address comes a moment after the video itself.
      await alice.page.locator('li.message video.attachment[poster*="poster.jpg"]').waitFor();
      await e2e.shot(alice.page, "20-video-poster");
    });

    await step("a text file goes as a download with its own name", async () => {
      await bob.page.locator(".composer input[type=file]").setInputFiles({
        name: "notes for launch.txt",
        mimeType: "text/plain",
        buffer: Buffer.from("launch checklist\n"),
      });
      await bob.page.locator(".uploads li.done").waitFor();
      await bob.page.getByRole("button", { name: "Send", exact: true }).click();
      const link = alice.page.locator("a.attachment.file", { hasText: "notes-for-launch.txt" });
      await link.waitFor();
      const download = alice.page.waitForEvent("download");
      await link.click();
      assert.equal((await download).suggestedFilename(), "notes-for-launch.txt");
    });

    await step("a sound goes with a player; @-suggestions complete a name with Tab", async () => {
      // A short WAV: RIFF header, 8 kHz mono 8-bit, a tenth of a second of a square wave.
      const n = 800;
      const wav = new Uint8Array(44 + n);
      const v = new DataView(wav.buffer);
      const ascii = (at: number, s: string) =>
        [...s].forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)));
      ascii(0, "RIFF");
      v.setUint32(4, 36 + n, true);
      ascii(8, "WAVEfmt ");
      v.setUint32(16, 16, true);
      v.setUint16(20, 1, true);
      v.setUint16(22, 1, true);
      v.setUint32(24, 8000, true);
      v.setUint32(28, 8000, true);
      v.setUint16(32, 1, true);
      v.setUint16(34, 8, true);
      ascii(36, "data");
      v.setUint32(40, n, true);
      for (let i = 0; i < n; i++) wav[44 + i] = (i >> 4) % 2 ? 200 : 56;
      await carol.page.locator(".composer input[type=file]").setInputFiles({
        name: "hello.wav",
        mimeType: "audio/wav",
        buffer: Buffer.from(wav),
      });
      await carol.page.locator(".uploads li.done").waitFor();
      await carol.page.getByRole("button", { name: "Send", exact: true }).click();
      await alice.page.locator("li.message audio.attachment").waitFor();

      const box = carol.page.getByRole("textbox", { name: "Message", exact: true });
      await box.pressSequentially("thanks @bo");
      await carol.page.getByRole("listbox", { name: "People to mention" })
        .getByRole("option").first().filter({ hasText: "@bob" }).waitFor();
      await box.press("Tab");
      await eventually(async () => assert.equal(await box.inputValue(), "thanks @bob "));
      await box.press("Enter");
      await messageRow(bob.page, "thanks @bob").locator(".mention.mention-me").waitFor();
    });

    await step("while Alice's tab is hidden, new messages and mentions notify", async () => {
      // Everything in the open channel is read first (its read receipt may still be on its way).
      const trio = alice.page.locator(".channel", { hasText: "trio" });
      await trio.locator(".badge").waitFor({ state: "detached" });
      await alice.page.waitForTimeout(300);
      const titleBefore = await alice.page.title();
      await alice.page.evaluate(() => {
        (window as unknown as { __hidden: boolean }).__hidden = true;
        document.dispatchEvent(new Event("visibilitychange"));
      });
      await send(bob.page, "psst @alice, are you there?");
      const notes = () =>
        alice.page.evaluate(() =>
          (window as unknown as { __notes: { title: string; body: string }[] }).__notes
        );
      await eventually(async () => assert.equal((await notes()).length, 1));
      await send(bob.page, "and one more");
      await eventually(async () =>
        assert.deepEqual(await notes(), [
          { title: "You were mentioned in trio", body: "psst @alice, are you there?" },
          { title: "trio", body: "and one more" },
        ], "one notification per message, none for what arrived while the tab was seen")
      );
      const count = (title: string) => Number(/^\((\d+)\)/.exec(title)?.[1] ?? 0);
      await trio.locator(".badge [aria-hidden]", { hasText: /^2$/ }).waitFor();
      await eventually(async () =>
        assert.equal(
          count(await alice.page.title()),
          count(titleBefore) + 2,
          "the title counts the two unseen messages",
        )
      );
      await alice.page.evaluate(() => {
        (window as unknown as { __hidden: boolean }).__hidden = false;
        document.dispatchEvent(new Event("visibilitychange"));
      });
      await eventually(async () =>
        assert.equal(await alice.page.title(), titleBefore, "seen again: read")
      );
    });
  },
});
