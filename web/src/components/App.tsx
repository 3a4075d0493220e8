/**
 * The root: the session decides between signing in and the chat. Signed in, skip links come
 * first in the tab order (WCAG 2.4.1, as Slack's and GitHub's): to the messages (the list's one
 * tab stop), to the message box, to the conversation list. They move the focus by script, not
 * by `#fragment`: the address's fragment is the open conversation's route.
 */
import type { SupabaseClient } from "@supabase/supabase-js";
import { AppContext } from "../context.ts";
import type { AppConfig } from "../supabase.ts";
import type { SessionState } from "../state/session.ts";
import { AuthScreen } from "./AuthScreen.tsx";
import { ChatScreen } from "./ChatScreen.tsx";
import { MfaChallenge, needsSecondFactor } from "./MfaChallenge.tsx";
import { inviteLanding, SetPassword } from "./SetPassword.tsx";
import { t } from "../i18n/mod.ts";

/** Where each skip link goes: the first of its selectors that is on the page. */
const TARGETS = {
  messages: [".message-list > li.message[tabindex='0']", ".messages", "main"],
  composer: [".composer textarea", "main"],
  channels: [".channel-list .channel.active", ".channel-list .channel", ".sidebar"],
} as const;

function skipTo(where: keyof typeof TARGETS) {
  for (const sel of TARGETS[where]) {
    const el = document.querySelector<HTMLElement>(sel);
    if (!el || !el.getClientRects().length) continue; // absent, or hidden (a phone's one column)
    if (el.tabIndex < 0 && !el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.focus();
    return;
  }
}

function SkipLinks() {
  const link = (where: keyof typeof TARGETS, label: string) => (
    <a
      href="#"
      class="skip-link"
      onClick={(e) => {
        e.preventDefault();
        skipTo(where);
      }}
    >
      {label}
    </a>
  );
  return (
    <div class="skip-links">
      {link("messages", t("skip.messages"))}
      {link("composer", t("skip.composer"))}
      {link("channels", t("skip.channels"))}
    </div>
  );
}

export function App(
  { sb, cfg, session }: { sb: SupabaseClient; cfg: AppConfig; session: SessionState },
) {
  const s = session.session.value;
  let body;
  if (inviteLanding.value) body = <SetPassword />; // an invite link, until a password is set
  else if (s === undefined) body = <p class="boot">{t("app.loading")}</p>;
  else if (!s || session.recovering.value) body = <AuthScreen />;
  else if (needsSecondFactor(s)) body = <MfaChallenge />; // aal1, and a factor asks for aal2
  else {
    body = (
      <>
        <SkipLinks />
        <ChatScreen key={s.user.id} />
      </>
    );
  }
  return <AppContext.Provider value={{ sb, cfg, session }}>{body}</AppContext.Provider>;
}
