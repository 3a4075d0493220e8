/// <reference lib="dom" />
/**
 * Notifications that people control (issue 14), in Chromium: the service worker is served from
 * the origin and registered; the sound toggle, the do-not-disturb window and a channel's level
 * are kept on the server (they survive a reload); a mention's notification has a tag of its
 * own, so a later ordinary message does not replace it; in a mention-only channel an ordinary
 * message does not notify; the settings fit a phone. (Push delivery itself:
 * tests/contract/push_test.ts; headless Chromium has no push service.)
 */
import assert from "node:assert/strict";
import {
  eventually,
  logIn,
  openChannel,
  type Person,
  send,
  sequence,
  startE2E,
} from "./_browser.ts";
import { generateVapidKeys } from "../../functions/_shared/web_push.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1";

type Note = { title: string; body?: string; tag?: string };

Deno.test({
  name: "notifications: service worker, settings kept on the server, mentions not replaced",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const vapid = await generateVapidKeys();
    {
      await using e2e = await startE2E(undefined, {
        env: {
          VAPID_PUBLIC_KEY: vapid.publicKey,
          VAPID_PRIVATE_KEY: vapid.privateKey,
          VAPID_SUBJECT: "mailto:ops@example.com",
        },
      });
      const url = e2e.stack.url;
      const people: Person[] = [];
      const step = sequence(t, e2e, people, "notifications");
      const alice = await e2e.person();
      const bob = await e2e.person();
      people.push(alice, bob);
      // Bob's notifications, recorded with their tags, and his tab's visibility.
      await bob.context.addInitScript(() => {
        const w = window as unknown as { __notes: unknown[]; __hidden: boolean };
        w.__notes = [];
        w.__hidden = false;
        class RecordingNotification {
          static permission = "granted";
          static requestPermission() {
            return Promise.resolve("granted");
          }
          onclick: (() => void) | null = null;
          constructor(title: string, opts?: { body?: string; tag?: string }) {
            w.__notes.push({ title, body: opts?.body, tag: opts?.tag });
          }
          close() {}
        }
        Object.defineProperty(window, "Notification", { value: RecordingNotification });
        Object.defineProperty(document, "visibilityState", {
          get: () => (w.__hidden ? "hidden" : "visible"),
        });
      });
      const notes = () =>
        bob.page.evaluate(() => (window as unknown as { __notes: Note[] }).__notes);
      const hide = (hidden: boolean) =>
        bob.page.evaluate((h) => {
          (window as unknown as { __hidden: boolean }).__hidden = h;
          document.dispatchEvent(new Event("visibilitychange"));
        }, hidden);
      const profile = async (p: Person) => {
        const panel = p.page.getByRole("region", { name: "Notifications" });
        if (!(await panel.isVisible())) {
          await p.page.getByRole("button", { name: "Your profile" }).click();
        }
        await panel.waitFor();
        return panel;
      };

      await step("the service worker is served from the origin and registered", async () => {
        const res = await fetch(`${url}/sw.js`);
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type") ?? "", /javascript/);
        assert.match(await res.text(), /addEventListener\("push"/);
        await logIn(bob.page, url, "bob@example.com");
        await logIn(alice.page, url, "alice@example.com");
        const script = await bob.page.evaluate(async () => {
          const reg = await navigator.serviceWorker.ready;
          return reg.active?.scriptURL ?? null;
        });
        assert.equal(script, `${url}/sw.js`);
      });

      await step(
        "a mention keeps its notification: a later ordinary one does not replace it",
        async () => {
          await openChannel(alice.page, "general");
          await hide(true);
          await send(alice.page, "@bob please look at the release notes");
          await send(alice.page, "and an ordinary message after it");
          await bob.page.waitForFunction(() =>
            (window as unknown as { __notes: unknown[] }).__notes.length >= 2
          );
          const got = await notes();
          const mention = got.find((n) => /release notes/.test(n.body ?? ""));
          const plain = got.find((n) => /ordinary message/.test(n.body ?? ""));
          assert.ok(mention && plain, JSON.stringify(got));
          assert.match(mention.tag ?? "", /^mention-\d+$/);
          assert.equal(plain.tag, `chat-${GENERAL}`);
          assert.notEqual(mention.tag, plain.tag);
          await hide(false);
        },
      );

      await step("sound, do-not-disturb and push settings are kept on the server", async () => {
        const panel = await profile(bob);
        const sound = panel.getByRole("checkbox", { name: "Play a sound" });
        assert.equal(await sound.isChecked(), false, "sound is off by default");
        await sound.check();
        await panel.getByLabel("From").fill("23:15");
        await panel.getByLabel("Until").fill("06:45");
        await panel.getByRole("button", { name: "Save window" }).click();
        await panel.getByText("Quiet from 23:15 to 06:45 (Europe/Berlin)").waitFor();
        await panel.getByRole("button", { name: "Enable push notifications" }).waitFor();
        await bob.page.reload();
        const again = await profile(bob);
        await again.getByText("Quiet from 23:15 to 06:45 (Europe/Berlin)").waitFor();
        await eventually(async () =>
          assert.equal(
            await again.getByRole("checkbox", { name: "Play a sound" }).isChecked(),
            true,
          )
        );
        await again.scrollIntoViewIfNeeded();
        await e2e.shot(bob.page, "notifications-prefs-desktop");
        await again.getByRole("button", { name: "Turn off" }).click();
        await again.getByText(/^Quiet from/).waitFor({ state: "detached" });
      });

      await step("mentions only: an ordinary message is quiet, a mention notifies", async () => {
        await openChannel(bob.page, "general");
        await bob.page.getByRole("button", { name: "Members" }).click();
        const level = bob.page.getByLabel("Notify me in this channel");
        await eventually(async () => assert.equal(await level.inputValue(), "all"));
        await level.selectOption("mentions");
        // The channel list marks it (for mentions only, or muted).
        await bob.page.locator(`[data-channel="${GENERAL}"] .notify-level`).waitFor();
        await bob.page.reload();
        await openChannel(bob.page, "general");
        // A toggle: its pressed state is the panel's, while the panel's select may come later.
        const members = bob.page.getByRole("button", { name: "Members" });
        if ((await members.getAttribute("aria-pressed")) !== "true") await members.click();
        // The level comes from the server after the panel shows.
        await eventually(async () =>
          assert.equal(
            await bob.page.getByLabel("Notify me in this channel").inputValue(),
            "mentions",
          )
        );
        await openChannel(bob.page, "random");
        await hide(true);
        const before = (await notes()).length;
        await send(alice.page, "quiet: nobody is mentioned here");
        await send(alice.page, "@bob this one should ring");
        await bob.page.waitForFunction(
          (n) => (window as unknown as { __notes: unknown[] }).__notes.length > n,
          before,
        );
        await bob.page.waitForTimeout(500);
        const got = (await notes()).slice(before);
        assert.deepEqual(got.map((n) => n.body), ["@bob this one should ring"]);
        await hide(false);
      });

      await step("the settings fit a phone (390x844)", async () => {
        const phone = await e2e.person({ viewport: { width: 390, height: 844 } });
        people.push(phone);
        await logIn(phone.page, url, "carol@example.com");
        const panel = await profile(phone);
        await panel.getByRole("button", { name: "Enable push notifications" })
          .scrollIntoViewIfNeeded();
        await eventually(async () => {
          const box = (await panel.boundingBox())!;
          assert.ok(box.x >= 0 && box.x + box.width <= 390 + 1, JSON.stringify(box));
          const overflow = await phone.page.evaluate(() =>
            document.documentElement.scrollWidth - document.documentElement.clientWidth
          );
          assert.equal(overflow, 0);
        });
        await e2e.shot(phone.page, "notifications-prefs-phone");
      });

      await step("no errors in the pages", () => {
        for (const p of people) {
          assert.deepEqual(p.errors.filter((e) => !/favicon/.test(e)), []);
        }
      });
    }
  },
});
