/**
 * OAuth sign-in with PKCE through supabase-js, against a local provider that speaks GitHub's
 * authorization-code protocol. The browser's redirects are followed by hand.
 */
import assert from "node:assert/strict";
import { startFakeGitHub } from "../_helpers/oauth_provider.ts";
import { startTestStack } from "../_helpers/stack.ts";
import type { SupabaseClient } from "@supabase/supabase-js";

/** A new PKCE client signs in with GitHub: the redirects followed, the code exchanged. */
async function signInWithGitHub(client: SupabaseClient, redirectTo: string) {
  const { data, error } = await client.auth.signInWithOAuth({
    provider: "github",
    options: { redirectTo, skipBrowserRedirect: true },
  });
  assert.equal(error, null);
  const back = await follow(data.url!);
  return { back, ...(await client.auth.exchangeCodeForSession(back.searchParams.get("code")!)) };
}

async function follow(url: string): Promise<URL> {
  let next = url;
  for (let i = 0; i < 5; i++) {
    const res = await fetch(next, { redirect: "manual" });
    await res.body?.cancel();
    const loc = res.headers.get("location");
    if (res.status < 300 || res.status >= 400 || !loc) {
      throw new Error(`no redirect from ${next}: ${res.status}`);
    }
    const u = new URL(loc, next);
    if (
      u.searchParams.has("code") && !u.pathname.includes("/callback") &&
      !u.pathname.includes("/login/")
    ) return u;
    if (u.searchParams.has("error")) return u;
    next = u.toString();
  }
  throw new Error("too many redirects");
}

Deno.test("OAuth with PKCE: GitHub-protocol provider → callback → code → session; identities link by verified email", async () => {
  await using provider = startFakeGitHub();
  await using stack = await startTestStack((toml) => {
    const auth = toml.auth as Record<string, Record<string, unknown>>;
    auth.external = {
      github: {
        enabled: true,
        client_id: provider.clientId,
        secret: provider.secret,
        url: provider.url,
      },
    };
  });
  if (!stack.local) return;
  const redirectTo = "http://127.0.0.1:54321/welcome";
  const { back, data: s, error: xErr } = await signInWithGitHub(
    stack.client({ flowType: "pkce" }),
    redirectTo,
  );
  assert.equal(`${back.origin}${back.pathname}`, redirectTo, "the browser ends on redirect_to");
  const auth = provider.authorizations[0]!;
  assert.equal(auth.get("redirect_uri"), `${stack.url}/auth/v1/callback`);
  assert.equal(auth.get("response_type"), "code");
  assert.equal(xErr, null);
  assert.equal(s.user?.email, "octo@example.com");
  assert.equal(s.user?.app_metadata.provider, "github");
  assert.equal(s.user?.identities?.[0]?.provider, "github");
  assert.ok(s.session?.provider_token?.startsWith("gho_"), "the provider's token is handed over");
  const [profile] = await stack.db!.admin`select username from public.profiles where id = ${
    s.user!.id
  }`;
  assert.equal(profile!.username, "octo", "the profile takes the provider's login as username");

  // Signing in again finds the same user through the identity.
  const s2 = await signInWithGitHub(stack.client({ flowType: "pkce" }), redirectTo);
  assert.equal(s2.data.user?.id, s.user!.id);

  // A confirmed email account with the same verified address gets the identity linked.
  const admin = stack.admin();
  const { data: existing } = await admin.auth.admin.createUser({
    email: "linked@example.com",
    password: "Correct-horse-9",
    email_confirm: true,
    user_metadata: { username: "linked_user" },
  });
  provider.account = {
    id: 777,
    login: "linker",
    name: "Link Er",
    email: "linked@example.com",
    verified: true,
  };
  const s3 = await signInWithGitHub(stack.client({ flowType: "pkce" }), redirectTo);
  assert.equal(s3.data.user?.id, existing.user!.id);
  assert.deepEqual(s3.data.user?.identities?.map((i) => i.provider).sort(), ["email", "github"]);

  // A provider that is not enabled is refused.
  const off = await fetch(`${stack.url}/auth/v1/authorize?provider=google`, { redirect: "manual" });
  assert.equal(off.status, 400);
  await off.body?.cancel();
});
