/**
 * Supabase Auth parity through supabase-js (issue 15, points 1, 6 and 7): password rules from
 * `[auth]`, GoTrue's error shapes, disabled features answering with GoTrue's codes and words,
 * and redirect URLs judged as GoTrue's IsRedirectURLValid judges them. Against a real project
 * (SUPABASE_URL and keys set) the steps that need a config tweak or the local inbox skip.
 */
import assert from "node:assert/strict";
import type { AuthError } from "@supabase/supabase-js";
import { linkIn, newEmail, startTestStack, type TestStack } from "../_helpers/stack.ts";

const PASSWORD = "Correct-horse-9";
type Toml = Record<string, Record<string, unknown>>;

function assertAuthError(
  error: AuthError | null,
  status: number,
  code: string,
  message?: string | RegExp,
) {
  assert.ok(error, `expected ${status} ${code}`);
  assert.deepEqual([error.status, error.code], [status, code], error.message);
  if (typeof message === "string") assert.equal(error.message, message);
  else if (message) assert.match(error.message, message);
}

const reasons = (e: AuthError | null) => (e as unknown as { reasons?: string[] })?.reasons;

async function settings(stack: TestStack) {
  const res = await fetch(`${stack.url}/auth/v1/settings`, { headers: { apikey: stack.anonKey } });
  assert.equal(res.status, 200);
  return await res.json();
}

Deno.test("password rules come from [auth]: the project's letters_digits and 8 characters", async () => {
  await using stack = await startTestStack();
  const c = stack.client();
  const short = await c.auth.signUp({ email: newEmail("pw"), password: "short" });
  assertAuthError(short.error, 422, "weak_password");
  assert.equal(short.error?.name, "AuthWeakPasswordError");
  if (!stack.local) return;
  assert.deepEqual(reasons(short.error), ["length", "characters"]);
  assert.equal(
    short.error?.message,
    "Password should be at least 8 characters. Password should contain at least one character " +
      "of each: abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ, 0123456789.",
  );
  const letters = await c.auth.signUp({ email: newEmail("pw"), password: "onlyletters" });
  assert.deepEqual(reasons(letters.error), ["characters"]);
  // Leaked-password checks are off (GoTrue's default): a common password with a digit passes.
  const common = await c.auth.signUp({ email: newEmail("pw"), password: "password123" });
  assert.equal(common.error, null);
  const long = await c.auth.signUp({ email: newEmail("pw"), password: "a1".repeat(37) });
  assertAuthError(
    long.error,
    400,
    "validation_failed",
    "Password cannot be longer than 72 characters",
  );
  // The same rules apply where an admin sets a password.
  const admin = await stack.admin().auth.admin.createUser({
    email: newEmail("pw"),
    password: "abcdefgh",
  });
  assertAuthError(admin.error, 422, "weak_password");
});

Deno.test("password rules: minimum_password_length 6 and no requirements accept any 6 characters", async () => {
  await using stack = await startTestStack((toml: Toml) => {
    toml.auth!.minimum_password_length = 4; // GoTrue raises anything below 6 to 6
    toml.auth!.password_requirements = "";
  });
  if (!stack.local) return;
  const c = stack.client();
  assert.equal((await c.auth.signUp({ email: newEmail("pw"), password: "aaaaaa" })).error, null);
  assert.equal(
    (await c.auth.signUp({ email: newEmail("pw"), password: "password123" })).error,
    null,
  );
  const five = await c.auth.signUp({ email: newEmail("pw"), password: "aaaaa" });
  assertAuthError(five.error, 422, "weak_password", "Password should be at least 6 characters.");
  assert.deepEqual(reasons(five.error), ["length"]);
});

Deno.test("password rules: every character class, and the breached list only when HIBP is on", async () => {
  await using stack = await startTestStack((toml: Toml) => {
    toml.auth!.password_requirements = "lower_upper_letters_digits_symbols";
  }, { env: { GOTRUE_PASSWORD_HIBP_ENABLED: "true" } });
  if (!stack.local) return;
  const c = stack.client();
  const weak = await c.auth.signUp({ email: newEmail("pw"), password: "alllowercase1" });
  assert.deepEqual(reasons(weak.error), ["characters"]);
  assert.equal(
    weak.error?.message,
    "Password should contain at least one character of each: abcdefghijklmnopqrstuvwxyz, " +
      "ABCDEFGHIJKLMNOPQRSTUVWXYZ, 0123456789, !@#$%^&*()_+-=[]{};'\\:\"|<>?,./`~.",
  );
  // A backslash counts as a symbol, as in the CLI's value.
  const backslash = await c.auth.signUp({ email: newEmail("pw"), password: "Qz7unlikely\\" });
  assert.equal(backslash.error, null);
  const pwned = await c.auth.signUp({ email: newEmail("pw"), password: "P@ssw0rd" });
  assert.deepEqual(reasons(pwned.error), ["pwned"]);
  assert.equal(
    pwned.error?.message,
    "Password is known to be weak and easy to guess, please choose a different one.",
  );
  assert.equal(
    (await c.auth.signUp({ email: newEmail("pw"), password: "Tr0ub4dor&3x" })).error,
    null,
  );
});

Deno.test("error shapes: an invalid email, bad pagination, and resend of a phone change", async () => {
  await using stack = await startTestStack();
  const c = stack.client();
  const bad = await c.auth.signUp({ email: "not-an-email", password: PASSWORD });
  assertAuthError(
    bad.error,
    400,
    "validation_failed",
    "Unable to validate email address: invalid format",
  );

  const page = await stack.admin().auth.admin.listUsers({ page: -1, perPage: 10 });
  assertAuthError(
    page.error,
    400,
    "validation_failed",
    'Bad Pagination Parameters: strconv.ParseUint: parsing "-1": invalid syntax',
  );
  if (stack.local) {
    const big = await stack.admin().auth.admin.listUsers({ page: 1, perPage: 5000 });
    assertAuthError(
      big.error,
      400,
      "validation_failed",
      "Bad Pagination Parameters: per_page must not exceed 1000",
    );
  }
  const ok = await stack.admin().auth.admin.listUsers({ page: 1, perPage: 1 });
  assert.equal(ok.error, null);

  // phone_change is a valid type: for a phone number the answer is that phones are off.
  if (!(await settings(stack)).external.phone) {
    const phone = await c.auth.resend({ phone: "+15555550100", type: "phone_change" });
    assertAuthError(phone.error, 400, "phone_provider_disabled", "Phone logins are disabled");
  }
  const forEmail = await c.auth.resend({ email: newEmail("rs"), type: "email_change" });
  assert.equal(forEmail.error, null);
  const wrongType = await c.auth.resend({ email: newEmail("rs"), type: "nope" as "signup" });
  assertAuthError(
    wrongType.error,
    400,
    "validation_failed",
    "Missing one of these types: signup, email_change, sms, phone_change",
  );
});

Deno.test("disabled features answer with GoTrue's codes: SSO, Web3, ID token, phone", async () => {
  await using stack = await startTestStack();
  const c = stack.client();
  const s = await settings(stack);
  if (!s.saml_enabled) {
    const sso = await c.auth.signInWithSSO({ domain: "example.com" });
    assertAuthError(sso.error, 404, "saml_provider_disabled", "SAML 2.0 is disabled");
  }
  if (stack.local) {
    // On a project, Web3 may be on: then this bad signature is refused for another reason.
    const web3 = await c.auth.signInWithWeb3({
      chain: "ethereum",
      message: "hi",
      signature: "0x00",
    });
    assertAuthError(web3.error, 422, "web3_provider_disabled", "Web3 provider is disabled");
  }
  if (!s.external.apple) {
    const idToken = await c.auth.signInWithIdToken({ provider: "apple", token: "not.a.jwt" });
    assertAuthError(
      idToken.error,
      400,
      "provider_disabled",
      'Provider (issuer "https://appleid.apple.com") is not enabled',
    );
  }
  if (!s.external.phone) {
    const phoneUp = await c.auth.signUp({ phone: "+15555550100", password: PASSWORD });
    assertAuthError(phoneUp.error, 400, "phone_provider_disabled", "Phone signups are disabled");
    const phoneIn = await c.auth.signInWithPassword({ phone: "+15555550100", password: PASSWORD });
    assertAuthError(phoneIn.error, 422, "phone_provider_disabled", "Phone logins are disabled");
  }
  if (stack.local) {
    assert.deepEqual([s.saml_enabled, s.external.phone, s.external.email], [false, false, true]);
    assert.equal(s.external.anonymous_users, false);
  }
});

Deno.test("the OAuth server, passkeys and SCIM are off: 404 feature_disabled and passkey_disabled", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return; // a project may have turned these on
  const c = stack.client();
  const passkey = await c.auth.passkey.startAuthentication();
  assertAuthError(passkey.error, 404, "passkey_disabled", "Passkeys are disabled");

  const signedIn = await c.auth.signInWithPassword({
    email: "alice@example.com",
    password: "chat-demo-2024",
  });
  assert.equal(signedIn.error, null);
  const grants = await c.auth.oauth.listGrants();
  assertAuthError(grants.error, 404, "feature_disabled", "OAuth server is disabled");

  const raw = async (path: string, method = "GET") => {
    const res = await fetch(`${stack.url}/auth/v1${path}`, {
      method,
      headers: { apikey: stack.anonKey, "x-supabase-api-version": "2024-01-01" },
    });
    return [res.status, await res.json()];
  };
  assert.deepEqual(await raw("/oauth/clients/register", "POST"), [404, {
    code: "feature_disabled",
    message: "OAuth server is disabled",
  }]);
  assert.deepEqual(await raw("/scim/v2/Users"), [404, {
    code: "feature_disabled",
    message: "SCIM server is disabled",
  }]);
  assert.deepEqual((await raw("/admin/custom-providers"))[0], 401, "admin credentials come first");
});

Deno.test("sign-ups and email logins switched off answer signup_disabled and email_provider_disabled", async () => {
  await using noSignups = await startTestStack((toml: Toml) => {
    toml.auth!.enable_signup = false;
  });
  if (!noSignups.local) return;
  const off = await noSignups.client().auth.signUp({ email: newEmail("x"), password: PASSWORD });
  assertAuthError(off.error, 422, "signup_disabled", "Signups not allowed for this instance");
  assert.equal((await settings(noSignups)).disable_signup, true);

  await using noEmail = await startTestStack((toml: Toml) => {
    (toml.auth!.email as Record<string, unknown>).enable_signup = false;
  });
  const c = noEmail.client();
  const up = await c.auth.signUp({ email: newEmail("x"), password: PASSWORD });
  assertAuthError(up.error, 400, "email_provider_disabled", "Email signups are disabled");
  const login = await c.auth.signInWithPassword({ email: newEmail("x"), password: PASSWORD });
  assertAuthError(login.error, 422, "email_provider_disabled", "Email logins are disabled");
  const recover = await c.auth.resetPasswordForEmail(newEmail("x"));
  assertAuthError(recover.error, 400, "email_provider_disabled", "Email logins are disabled");
  const s = await settings(noEmail);
  assert.deepEqual([s.external.email, s.disable_signup], [false, false]);
});

/** The redirect_to of a recovery mail asked for with `wanted` (one new user each: mail limits). */
async function mailedRedirect(stack: TestStack, wanted: string) {
  const email = newEmail("redir");
  const created = await stack.admin().auth.admin.createUser({
    email,
    password: PASSWORD,
    email_confirm: true,
  });
  assert.equal(created.error, null);
  const { error } = await stack.client().auth.resetPasswordForEmail(email, { redirectTo: wanted });
  assert.equal(error, null);
  const [mail] = await stack.inbox(email);
  return new URL(linkIn(mail!.text)).searchParams.get("redirect_to");
}

Deno.test("redirect URLs: the site's host, loopback IPs and GoTrue's globs, nothing else", async () => {
  await using stack = await startTestStack((toml: Toml) => {
    toml.auth!.site_url = "https://chat.example.test";
    toml.auth!.additional_redirect_urls = [
      "https://*.example.org/auth/**",
      "http://localhost:3000/*",
      "myapp://callback",
    ];
  });
  if (!stack.local) return;
  const cases: [string, string][] = [
    ["https://chat.example.test/reset", "https://chat.example.test/reset"],
    ["http://chat.example.test/reset", "https://chat.example.test"], // scheme differs
    ["https://app.example.org/auth/deep/cb", "https://app.example.org/auth/deep/cb"],
    ["https://a.b.example.org/auth/cb", "https://chat.example.test"], // * is one label
    ["http://localhost:3000/welcome", "http://localhost:3000/welcome"],
    ["http://localhost:3000/a/b", "https://chat.example.test"], // * is one segment
    ["http://127.0.0.1:9999/any/path", "http://127.0.0.1:9999/any/path"], // loopback IP
    ["http://2130706433/", "https://chat.example.test"], // 127.0.0.1 as one number
    ["myapp://callback", "myapp://callback"],
    ["https://evil.example.com/", "https://chat.example.test"],
  ];
  for (const [wanted, expected] of cases) {
    assert.equal(await mailedRedirect(stack, wanted), expected, wanted);
  }
});

Deno.test("links follow API_EXTERNAL_URL, and the site URL on the stack's own address with it", async () => {
  await using stack = await startTestStack(() => {}, {
    env: { API_EXTERNAL_URL: "http://localhost:8443" },
  });
  if (!stack.local) return;
  const email = newEmail("ext");
  const { error } = await stack.admin().auth.admin.createUser({
    email,
    password: PASSWORD,
    email_confirm: true,
  });
  assert.equal(error, null);
  assert.equal((await stack.client().auth.resetPasswordForEmail(email)).error, null);
  const [mail] = await stack.inbox(email);
  const link = new URL(linkIn(mail!.text));
  assert.equal(`${link.origin}${link.pathname}`, "http://localhost:8443/auth/v1/verify");
  // config.toml's site_url is this stack (127.0.0.1 on [api] port): it moves with it.
  assert.equal(link.searchParams.get("redirect_to"), "http://127.0.0.1:8443");
});
