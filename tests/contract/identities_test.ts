/**
 * Identities through supabase-js: `linkIdentity` (GitHub and Google, PKCE), `getUserIdentities`
 * and `unlinkIdentity`, behind `[auth] enable_manual_linking`, with GoTrue's refusals; and
 * Google sign-in over OpenID Connect against a local provider (ID token, or the legacy
 * userinfo endpoint when the provider sends none). The browser's redirects are followed by hand.
 */
import assert from "node:assert/strict";
import type { SupabaseClient } from "@supabase/supabase-js";
import { followRedirects, startFakeGitHub, startFakeGoogle } from "../_helpers/oauth_provider.ts";
import { startTestStack, type TestStack } from "../_helpers/stack.ts";
import { confirmedUser, DEMO_PASSWORD, TEST_PASSWORD } from "../_helpers/signed_in.ts";

const REDIRECT = "http://127.0.0.1:54321/welcome";
const PASSWORD = TEST_PASSWORD;

type Providers = { github: { clientId: string; secret: string; url: string } } & {
  google: { clientId: string; secret: string; url: string };
};

function withProviders(p: Providers, manualLinking: boolean) {
  return (toml: Record<string, Record<string, unknown>>) => {
    toml.auth!.enable_manual_linking = manualLinking;
    toml.auth!.external = Object.fromEntries(
      Object.entries(p).map(([name, v]) => [name, {
        enabled: true,
        client_id: v.clientId,
        secret: v.secret,
        url: v.url,
      }]),
    );
  };
}

/** A confirmed email user, signed in on a PKCE client. */
async function emailUser(stack: TestStack, tag: string) {
  const { address: email } = await confirmedUser(stack, tag);
  const client = stack.client({ flowType: "pkce" });
  const signedIn = await client.auth.signInWithPassword({ email, password: PASSWORD });
  assert.equal(signedIn.error, null);
  return { client, email, id: signedIn.data.user!.id };
}

/** linkIdentity, the browser's round trip, and the code exchanged: where it landed, and the session. */
async function link(client: SupabaseClient, provider: "github" | "google") {
  const { data, error } = await client.auth.linkIdentity({
    provider,
    options: { redirectTo: REDIRECT, skipBrowserRedirect: true },
  });
  assert.equal(error, null);
  const back = await followRedirects(data.url!);
  const code = back.searchParams.get("code");
  return { back, exchanged: code ? await client.auth.exchangeCodeForSession(code) : undefined };
}

const providersOf = async (client: SupabaseClient) =>
  ((await client.auth.getUserIdentities()).data?.identities ?? []).map((i) => i.provider);

Deno.test("linkIdentity links GitHub and Google to the signed-in user; unlinkIdentity keeps the last one", async () => {
  await using github = startFakeGitHub();
  await using google = await startFakeGoogle();
  await using stack = await startTestStack(withProviders({ github, google }, true));
  if (!stack.local) return;
  const me = await emailUser(stack, "linker");
  // Provider accounts under other addresses: linking goes by the signed-in user, not by email.
  github.account = {
    id: 9101,
    login: "linker-gh",
    name: "Link Er",
    email: "work@example.org",
    verified: true,
  };
  google.account = {
    sub: "2024001",
    name: "Link Er",
    email: "home@example.net",
    emailVerified: true,
  };

  const gh = await link(me.client, "github");
  assert.equal(`${gh.back.origin}${gh.back.pathname}`, REDIRECT);
  assert.equal(gh.exchanged?.error, null);
  assert.equal(gh.exchanged?.data.user?.id, me.id, "the identity joins the signed-in user");
  assert.equal(github.authorizations.at(-1)?.get("redirect_uri"), `${stack.url}/auth/v1/callback`);

  const goo = await link(me.client, "google");
  assert.equal(goo.exchanged?.error, null);
  assert.equal(goo.exchanged?.data.user?.id, me.id);
  const scope = google.authorizations.at(-1)?.get("scope") ?? "";
  assert.ok(scope.includes("email") && scope.includes("profile"), `Google is asked for ${scope}`);
  assert.equal(google.userinfoCalls, 0, "Google's ID token is read; userinfo is not needed");

  const { data: ids } = await me.client.auth.getUserIdentities();
  assert.deepEqual(ids?.identities.map((i) => i.provider), ["email", "github", "google"]);
  const googleId = ids!.identities.find((i) => i.provider === "google")!;
  assert.equal(googleId.id, "2024001");
  assert.equal(googleId.identity_data?.email, "home@example.net");
  assert.equal(googleId.identity_data?.iss, google.url, "the ID token's issuer");
  assert.equal(googleId.identity_data?.email_verified, true);
  const { data: user } = await me.client.auth.getUser();
  assert.deepEqual(user.user?.app_metadata.providers, ["email", "github", "google"]);
  assert.equal(user.user?.email, me.email, "linking keeps the user's own address");

  // The same account again, for this user or another: identity_already_exists.
  const again = await link(me.client, "github");
  assert.equal(again.back.searchParams.get("error_code"), "identity_already_exists");
  assert.equal(again.back.searchParams.get("error_description"), "Identity is already linked");
  const other = await emailUser(stack, "other");
  const taken = await link(other.client, "github");
  assert.equal(taken.back.searchParams.get("error_code"), "identity_already_exists");
  assert.equal(
    taken.back.searchParams.get("error_description"),
    "Identity is already linked to another user",
  );
  assert.deepEqual(await providersOf(other.client), ["email"]);

  // Unlinking: one at a time, never the last; an unknown identity is identity_not_found.
  const unlinked = await me.client.auth.unlinkIdentity(
    ids!.identities.find((i) => i.provider === "github")!,
  );
  assert.equal(unlinked.error, null);
  assert.deepEqual(await providersOf(me.client), ["email", "google"]);
  assert.deepEqual(
    (await me.client.auth.getUser()).data.user?.app_metadata.providers,
    ["email", "google"],
  );
  const unknown = await me.client.auth.unlinkIdentity({
    ...googleId,
    identity_id: crypto.randomUUID(),
  });
  assert.equal(unknown.error?.code, "identity_not_found");
  assert.equal(unknown.error?.status, 422);
  assert.equal((await me.client.auth.unlinkIdentity(googleId)).error, null);
  const [last] = (await me.client.auth.getUserIdentities()).data!.identities;
  const refused = await me.client.auth.unlinkIdentity(last!);
  assert.equal(refused.error?.code, "single_identity_not_deletable");
  assert.equal(refused.error?.status, 422);
  assert.equal(refused.error?.message, "User must have at least 1 identity after unlinking");
  assert.deepEqual(await providersOf(me.client), ["email"]);

  // Unlinked, the GitHub account can be linked elsewhere.
  const now = await link(other.client, "github");
  assert.equal(now.exchanged?.data.user?.id, other.id);
});

Deno.test("manual linking off: linkIdentity and unlinkIdentity answer manual_linking_disabled", async () => {
  await using github = startFakeGitHub();
  await using google = await startFakeGoogle();
  await using stack = await startTestStack(withProviders({ github, google }, false));
  const alice = stack.client({ flowType: "pkce" });
  const { error } = await alice.auth.signInWithPassword({
    email: "alice@example.com",
    password: DEMO_PASSWORD,
  });
  assert.equal(error, null);
  const { data } = await alice.auth.getUserIdentities();
  assert.deepEqual(data?.identities.map((i) => i.provider), ["email"]);
  if (!stack.local) return; // a real project's setting may differ
  const linked = await alice.auth.linkIdentity({
    provider: "github",
    options: { redirectTo: REDIRECT, skipBrowserRedirect: true },
  });
  assert.equal(linked.error?.code, "manual_linking_disabled");
  assert.equal(linked.error?.status, 404);
  assert.equal(linked.error?.message, "Manual linking is disabled");
  const unlinked = await alice.auth.unlinkIdentity(data!.identities[0]!);
  assert.equal(unlinked.error?.code, "manual_linking_disabled");
  // Without a session the route wants one first, as GoTrue's requireAuthentication does.
  const anon = await fetch(
    `${stack.url}/auth/v1/user/identities/authorize?provider=github&skip_http_redirect=true`,
    { headers: { apikey: stack.anonKey, "x-supabase-api-version": "2024-01-01" } },
  );
  assert.equal(anon.status, 401);
  assert.equal((await anon.json()).code, "no_authorization");
});

Deno.test("Google sign-in over OpenID Connect: ID token verified, or the userinfo endpoint without one", async () => {
  await using github = startFakeGitHub();
  await using google = await startFakeGoogle();
  await using stack = await startTestStack(withProviders({ github, google }, false));
  if (!stack.local) return;
  const signIn = async () => {
    const client = stack.client({ flowType: "pkce" });
    const { data } = await client.auth.signInWithOAuth({
      provider: "google",
      options: { redirectTo: REDIRECT, skipBrowserRedirect: true },
    });
    const back = await followRedirects(data.url!);
    const code = back.searchParams.get("code");
    const { data: got, error } = code
      ? await client.auth.exchangeCodeForSession(code)
      : { data: undefined, error: undefined };
    return { back, data: got, error };
  };

  google.account = { sub: "31337", name: "Gee Oh", email: "gee@example.com", emailVerified: true };
  const first = await signIn();
  assert.equal(first.error, null);
  assert.equal(first.data?.user?.email, "gee@example.com");
  assert.equal(first.data?.user?.app_metadata.provider, "google");
  const identity = first.data?.user?.identities?.[0];
  assert.equal(identity?.provider, "google");
  assert.equal(identity?.id, "31337");
  assert.equal(identity?.identity_data?.full_name, "Gee Oh");
  assert.equal(identity?.identity_data?.iss, google.url);
  assert.ok(first.data?.session?.provider_token?.startsWith("ya29."));
  assert.equal(google.userinfoCalls, 0);

  // No ID token in the answer: the profile comes from the userinfo endpoint, same user.
  google.idToken = false;
  const second = await signIn();
  assert.equal(second.data?.user?.id, first.data?.user?.id);
  assert.equal(google.userinfoCalls, 1);

  // An ID token issued for another client is refused: back to the app with an error.
  google.idToken = true;
  google.idTokenAudience = "someone-else.apps.googleusercontent.com";
  const refused = await signIn();
  assert.equal(refused.back.searchParams.get("error"), "server_error");
  assert.equal(refused.back.searchParams.get("error_code"), "unexpected_failure");
  assert.equal(
    refused.back.searchParams.get("error_description"),
    "Error getting user profile from external provider",
  );
});
